import { z } from 'zod';
import type { Tool, UndoHandler } from './tool.js';

export interface ToolSpecForModel {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export type ArgsCheck = { ok: true; tool: Tool; args: unknown } | { ok: false; error: string };

/** Every tool the model may call, and every inverse an Undo button may run. */
export class ToolRegistry {
  readonly #tools = new Map<string, Tool>();
  readonly #undo = new Map<string, UndoHandler>();

  register<Args>(tool: Tool<Args>): void {
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(tool.name)) throw new Error(`invalid tool name: ${tool.name}`);
    if (this.#tools.has(tool.name)) throw new Error(`tool registered twice: ${tool.name}`);
    // Stored type-erased; `check` re-validates arguments with the tool's own schema before any call.
    this.#tools.set(tool.name, tool as unknown as Tool);
  }

  /** Removes a tool (a capability turned off or replaced by a new version); false when there was none. */
  unregister(name: string): boolean {
    return this.#tools.delete(name);
  }

  registerUndo(kind: string, handler: UndoHandler): void {
    if (this.#undo.has(kind)) throw new Error(`undo registered twice: ${kind}`);
    this.#undo.set(kind, handler);
  }

  get(name: string): Tool | undefined {
    return this.#tools.get(name);
  }

  undoHandler(kind: string): UndoHandler | undefined {
    return this.#undo.get(kind);
  }

  list(): Tool[] {
    return [...this.#tools.values()];
  }

  /** The tools as the model sees them: name, description, JSON schema of the arguments. */
  specs(): ToolSpecForModel[] {
    return this.list().map((tool) => {
      const schema = z.toJSONSchema(tool.args, { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
      delete schema.$schema;
      return { name: tool.name, description: tool.description, parameters: schema };
    });
  }

  /**
   * Validates a call the model made. Unknown tools and invalid arguments come
   * back as an error text meant for the model, so it can correct itself.
   */
  check(name: string, rawArgs: unknown): ArgsCheck {
    const tool = this.#tools.get(name);
    if (!tool) return { ok: false, error: `There is no tool named "${name}". Available: ${[...this.#tools.keys()].join(', ')}.` };
    let args = rawArgs;
    if (typeof rawArgs === 'string') {
      try {
        args = rawArgs.trim() === '' ? {} : JSON.parse(rawArgs);
      } catch {
        return { ok: false, error: `The arguments for ${name} are not valid JSON.` };
      }
    }
    const parsed = tool.args.safeParse(args ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(arguments)'}: ${issue.message}`).join('; ');
      return { ok: false, error: `Invalid arguments for ${name}: ${problems}` };
    }
    return { ok: true, tool, args: parsed.data };
  }
}
