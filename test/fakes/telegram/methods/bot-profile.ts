// getMe and the command list (setMyCommands / getMyCommands / deleteMyCommands).
// BotCommand per the docs: command 1-32 chars of lowercase English letters, digits and
// underscores; description 1-256 chars; at most 100 commands. Commands are kept per
// (scope, language_code) like Telegram does.
import { badRequest } from '../api-error.js';
import type { FakeState } from '../fake-state.js';
import { jsonArg, stringArg } from '../request-args.js';
import type { Payload, TgBotCommand, TgBotUser } from '../wire-types.js';

export function getMe(state: FakeState): TgBotUser {
  return { ...state.bot };
}

export function commandsKey(payload: Payload): string {
  const scope = jsonArg(payload, 'scope', 'BotCommandScope') ?? { type: 'default' };
  return `${JSON.stringify(scope)}|${stringArg(payload, 'language_code')}`;
}

export function setMyCommands(state: FakeState, payload: Payload): true {
  const raw = jsonArg(payload, 'commands', 'BotCommand array') ?? [];
  if (!Array.isArray(raw)) throw badRequest('field "commands" must be an Array');
  if (raw.length > 100) throw badRequest('BOT_COMMANDS_TOO_MUCH');
  const commands: TgBotCommand[] = [];
  for (const entry of raw) {
    if (entry === null || typeof entry !== 'object') throw badRequest("can't parse BotCommand: expected an Object");
    const fields = entry as Record<string, unknown>;
    const command = fields['command'];
    const description = fields['description'];
    if (typeof command !== 'string') throw badRequest('can\'t parse BotCommand: Can\'t find field "command"');
    if (typeof description !== 'string') throw badRequest('can\'t parse BotCommand: Can\'t find field "description"');
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
    const trimmed = description.trim();
    if (trimmed.length < 1 || trimmed.length > 256) throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
    commands.push({ command, description: trimmed });
  }
  state.commands.set(commandsKey(payload), commands);
  return true;
}

export function getMyCommands(state: FakeState, payload: Payload): TgBotCommand[] {
  return (state.commands.get(commandsKey(payload)) ?? []).map((command) => ({ ...command }));
}

export function deleteMyCommands(state: FakeState, payload: Payload): true {
  state.commands.delete(commandsKey(payload));
  return true;
}
