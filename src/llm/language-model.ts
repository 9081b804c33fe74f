/**
 * The language-model port: the smallest surface the assistant needs from a chat model,
 * in our own types. Adapters (ollama/, openai-compatible/) translate to and from the wire.
 */

export { LlmError, type LlmErrorKind } from './llm-error.js';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** On an assistant message: the tool calls it made (sent back so the model sees its own history). */
  toolCalls?: ToolCall[];
  /** On a tool message: which tool produced this result (Ollama matches results by name). */
  toolName?: string;
  /** On a tool message: which call this answers (OpenAI-compatible APIs match results by id). */
  toolCallId?: string;
}

export interface ToolCall {
  id: string;
  name: string;
  /**
   * Parsed JSON arguments. Ollama sends an object; OpenAI-compatible APIs send a JSON string that
   * is parsed here. Arguments that are not valid JSON stay the raw string so the caller can report
   * it to the model instead of guessing.
   */
  arguments: unknown;
}

export interface ToolSpec {
  name: string;
  description: string;
  /** A JSON schema object describing the arguments. */
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** Aborting it ends the call with an LlmError of kind 'aborted'. */
  signal?: AbortSignal;
  /**
   * The exact request body the owner approved (from `serializeRequest`). When set, the adapter
   * sends these bytes or nothing: a body that differs is refused with an LlmError of kind
   * 'rejected' before any byte leaves the process.
   */
  exactBody?: string;
}

export interface ChatResult {
  content: string;
  toolCalls: ToolCall[];
  /** The model name the server reported answering with. */
  model: string;
  promptTokens?: number;
  completionTokens?: number;
  /** Exact byte length of the request body(ies) that went on the wire. */
  bytesSent: number;
  /** Bytes of response body read from the wire (after transfer decoding). */
  bytesReceived: number;
}

/** `detail` says what was found; `fix`, on a failure, what the owner can do about it. */
export type ProbeResult = { ok: true; detail: string } | { ok: false; detail: string; fix?: string };

export interface LanguageModel {
  /** Human name of who runs the model: "Ollama", "OpenAI", "Groq", a host name. */
  readonly provider: string;
  readonly model: string;
  /**
   * Streams one chat turn: onDelta gets each content fragment as it arrives, in order; the
   * fragments concatenate to `content`. Throws LlmError (never a raw SDK or network error);
   * an error thrown by onDelta itself propagates unchanged.
   */
  chat(request: ChatRequest, onDelta?: (text: string) => void): Promise<ChatResult>;
  /**
   * The exact JSON request body `chat` would put on the wire for this request, for disclosures
   * that must state what leaves the machine byte for byte. Adapters that cannot know it omit it.
   */
  serializeRequest?(request: ChatRequest): string;
  /** Reachability for /status: never throws. */
  probe(): Promise<ProbeResult>;
}
