import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Message, Tool } from 'ollama';
import type { ChatMessage, ToolCall, ToolSpec } from '../language-model.js';
import { argumentsAsObject, parseToolArguments } from '../tool-arguments.js';

/**
 * One NDJSON line of POST /api/chat (docs/api.md "Generate a chat completion"). Only the fields we
 * use. Older servers omit `message` on the final `done: true` line; tool calls arrive in
 * `message.tool_calls` on a `done: false` line when streaming.
 */
export const OllamaChatChunk = z.object({
  model: z.string(),
  message: z
    .object({
      content: z.string().optional(),
      tool_calls: z
        .array(z.object({ function: z.object({ name: z.string(), arguments: z.unknown() }) }))
        .nullish(),
    })
    .optional(),
  done: z.boolean(),
  done_reason: z.string().optional(),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
});
export type OllamaChatChunk = z.infer<typeof OllamaChatChunk>;

/** GET /api/tags: the locally pulled models. */
export const OllamaTags = z.object({
  models: z.array(z.object({ name: z.string(), model: z.string().optional() })),
});
export type OllamaTags = z.infer<typeof OllamaTags>;

/** The error the ollama client throws for a non-2xx answer (its class is not exported). */
export const OllamaResponseError = z.object({
  name: z.literal('ResponseError'),
  error: z.string(),
  status_code: z.number(),
});

/** A tool's JSON schema, checked into the shape the ollama client's `Tool` type declares. */
const ToolParameters = z.looseObject({
  type: z.string().optional(),
  required: z.array(z.string()).optional(),
  properties: z
    .record(
      z.string(),
      z.looseObject({
        type: z.union([z.string(), z.array(z.string())]).optional(),
        description: z.string().optional(),
        enum: z.array(z.unknown()).optional(),
      }),
    )
    .optional(),
});

export function toOllamaTool(tool: ToolSpec): Tool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: ToolParameters.parse(tool.parameters) },
  };
}

export function toOllamaMessage(message: ChatMessage): Message {
  const wire: Message = { role: message.role, content: message.content };
  if (message.toolCalls && message.toolCalls.length > 0) {
    wire.tool_calls = message.toolCalls.map((call) => ({
      function: { name: call.name, arguments: argumentsAsObject(call.arguments) },
    }));
  }
  if (message.role === 'tool' && message.toolName !== undefined) wire.tool_name = message.toolName;
  return wire;
}

/**
 * Ollama gives tool calls no ids. The id is derived from the call's position in the answer and
 * its content, so the same answer always yields the same ids (replayable in tests and logs).
 */
export function toToolCall(index: number, name: string, rawArguments: unknown): ToolCall {
  const args = parseToolArguments(rawArguments);
  const digest = createHash('sha256')
    .update(`${index}\0${name}\0${JSON.stringify(args) ?? ''}`)
    .digest('hex')
    .slice(0, 12);
  return { id: `ollama_${index}_${digest}`, name, arguments: args };
}

/** `llama3.2` and `llama3.2:latest` are the same model to Ollama. */
export function sameModelName(a: string, b: string): boolean {
  return withTag(a) === withTag(b);
}

function withTag(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}
