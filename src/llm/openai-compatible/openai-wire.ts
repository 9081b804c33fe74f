import { z } from 'zod';
import type { ChatCompletionFunctionTool, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ChatMessage, ToolCall, ToolSpec } from '../language-model.js';
import { parseToolArguments } from '../tool-arguments.js';

/**
 * One `data:` chunk of a streamed chat completion (object "chat.completion.chunk"). Only the
 * fields we use. With stream_options.include_usage the last chunk has `choices: []` and `usage`;
 * the others carry `usage: null`.
 */
export const OpenAiChunk = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        index: z.number(),
        delta: z
          .object({
            content: z.string().nullish(),
            tool_calls: z
              .array(
                z.object({
                  index: z.number(),
                  id: z.string().nullish(),
                  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});
export type OpenAiChunk = z.infer<typeof OpenAiChunk>;

/** An entry of GET /models. */
export const OpenAiModelEntry = z.object({ id: z.string() });

export function toOpenAiTool(tool: ToolSpec): ChatCompletionFunctionTool {
  return { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } };
}

export function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.toolCallId ?? message.toolName ?? '' };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content === '' ? null : message.content,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: {
            name: call.name,
            arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}),
          },
        })),
      };
    }
  }
}

type ToolCallDelta = NonNullable<NonNullable<NonNullable<OpenAiChunk['choices']>[number]['delta']>['tool_calls']>[number];

/**
 * Tool calls arrive in pieces keyed by `index`: the first piece carries id and name, later pieces
 * append to the JSON `arguments` string.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, { id: string; name: string; args: string }>();

  add(delta: ToolCallDelta): void {
    const entry = this.calls.get(delta.index) ?? { id: '', name: '', args: '' };
    if (delta.id) entry.id = delta.id;
    if (delta.function?.name) entry.name = delta.function.name;
    if (delta.function?.arguments) entry.args += delta.function.arguments;
    this.calls.set(delta.index, entry);
  }

  finish(): ToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({ id: call.id || `call_${index}`, name: call.name, arguments: parseToolArguments(call.args) }));
  }
}
