/** One command as the owner sees it in /help and in Telegram's command menu. */
export interface CommandSpec {
  /** Without the slash, lowercase, 1-32 chars of a-z, 0-9 and _ (Telegram's rule). */
  command: string;
  /** One line, shown in /help and the menu (Telegram allows 3-256 characters). */
  description: string;
  /** Argument hint for /help, e.g. `<text>`. */
  args?: string;
}

/** Every feature adds its commands here; /help and setMyCommands read the same list. */
export class CommandRegistry {
  readonly #commands = new Map<string, CommandSpec>();

  add(spec: CommandSpec): void {
    if (!/^[a-z0-9_]{1,32}$/.test(spec.command)) throw new Error(`invalid command name: ${spec.command}`);
    if (this.#commands.has(spec.command)) throw new Error(`command registered twice: /${spec.command}`);
    this.#commands.set(spec.command, spec);
  }

  has(command: string): boolean {
    return this.#commands.has(command);
  }

  list(): CommandSpec[] {
    return [...this.#commands.values()];
  }

  /** The payload for Telegram's setMyCommands. */
  menu(): Array<{ command: string; description: string }> {
    return this.list().map((spec) => ({ command: spec.command, description: spec.description.slice(0, 256) }));
  }
}
