import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ContextItem } from '../context/index.js';
import type { ChatMessage, LanguageModel } from '../llm/index.js';
import { formatDay } from './system-prompt.js';

export const DEEP_THINK_SYSTEM =
  'You are a careful thinking partner for one person. Think the question through and answer clearly: ' +
  'the key considerations, your recommendation, and the next concrete step. Be direct; no filler.';

const ITEM_TEXT_LIMIT = 1_500;

/** One way the question could be sent: the exact body, and what the owner is told about it. */
export const DeepThinkOption = z.object({
  messages: z.array(z.object({ role: z.enum(['system', 'user']), content: z.string() })),
  body: z.string(),
  bytes: z.number(),
  sha256: z.string(),
});
export type DeepThinkOption = z.infer<typeof DeepThinkOption>;

/** Stored with the approval: what was disclosed is what is sent. */
export const DeepThinkPayload = z.object({
  question: z.string(),
  provider: z.string(),
  model: z.string(),
  host: z.string(),
  items: z.array(z.object({ source: z.string(), label: z.string() })),
  withContext: DeepThinkOption.optional(),
  questionOnly: DeepThinkOption,
});
export type DeepThinkPayload = z.infer<typeof DeepThinkPayload>;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function option(cloud: LanguageModel & { serializeRequest: (request: { messages: ChatMessage[] }) => string }, user: string): DeepThinkOption {
  const messages: DeepThinkOption['messages'] = [
    { role: 'system', content: DEEP_THINK_SYSTEM },
    { role: 'user', content: user },
  ];
  const body = cloud.serializeRequest({ messages });
  return { messages, body, bytes: Buffer.byteLength(body, 'utf8'), sha256: sha256(body) };
}

export function clip(text: string, limit = ITEM_TEXT_LIMIT): string {
  const flat = text.trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** Builds both options byte for byte, with the adapter's own serialisation of the request. */
export function buildDeepThinkPayload(input: {
  cloud: LanguageModel & { serializeRequest: (request: { messages: ChatMessage[] }) => string };
  host: string;
  question: string;
  items: ContextItem[];
  timeZone: string;
}): DeepThinkPayload {
  const { cloud, question, items, timeZone } = input;
  const questionOnly = option(cloud, question);
  const withContext =
    items.length === 0
      ? undefined
      : option(
          cloud,
          [
            question,
            'Context from my own notes (use it if it helps):',
            ...items.map((item, index) => `[${index + 1}] (${item.source}${item.date ? `, ${formatDay(item.date, timeZone)}` : ''}) ${clip(item.text)}`),
          ].join('\n\n'),
        );
  return {
    question,
    provider: cloud.provider,
    model: cloud.model,
    host: input.host,
    items: items.map((item) => ({ source: item.source, label: item.label })),
    ...(withContext ? { withContext } : {}),
    questionOnly,
  };
}
