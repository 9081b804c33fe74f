import { expect } from 'vitest';
import type { FakeTelegram, StoredMessage } from '../fakes/telegram/index.js';
import type { RecordedRequest } from '../fakes/ollama.js';

export const OWNER = { id: 4242, first_name: 'Olive', username: 'olive' };
export const STRANGER = { id: 777, first_name: 'Mallory' };

export interface WireMessage {
  role: string;
  content: string;
  tool_name?: string;
}

/** The messages of a recorded /api/chat or /v1/chat/completions request. */
export function messagesOf(request: RecordedRequest | { body: unknown } | undefined): WireMessage[] {
  const body = request?.body;
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) return [];
  return body.messages.flatMap((message: unknown): WireMessage[] => {
    if (typeof message !== 'object' || message === null) return [];
    const role = 'role' in message && typeof message.role === 'string' ? message.role : '';
    const content = 'content' in message && typeof message.content === 'string' ? message.content : '';
    const toolName = 'tool_name' in message && typeof message.tool_name === 'string' ? message.tool_name : undefined;
    return [{ role, content, ...(toolName !== undefined ? { tool_name: toolName } : {}) }];
  });
}

/** Waits until a bot message in the owner's chat matches, and returns it. */
export async function botMessageMatching(telegram: FakeTelegram, match: (message: StoredMessage) => boolean, timeoutMs = 60_000): Promise<StoredMessage> {
  await telegram.waitFor((fake) => fake.botMessages(OWNER.id).some(match), timeoutMs);
  const found = telegram.botMessages(OWNER.id).find(match);
  expect(found).toBeDefined();
  return found as StoredMessage;
}

export function withText(fragment: string): (message: StoredMessage) => boolean {
  return (message) => !message.deleted && message.text.includes(fragment);
}

/** callback_data of the button with this label on a message. */
export function buttonData(message: StoredMessage, label: string): string {
  const button = message.replyMarkup?.inline_keyboard.flat().find((candidate) => candidate.text === label);
  const data = button && 'callback_data' in button ? button.callback_data : undefined;
  if (typeof data !== 'string') throw new Error(`no button "${label}" on message ${message.message_id}: ${JSON.stringify(message.replyMarkup)}`);
  return data;
}

/** The texts the bot answered callback queries with, in order. */
export function callbackAnswers(telegram: FakeTelegram): string[] {
  return telegram.callsTo('answerCallbackQuery').map((call) => String(call.payload.text ?? ''));
}
