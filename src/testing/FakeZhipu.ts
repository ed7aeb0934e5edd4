/**
 * Zhipu wire-format building blocks for the fake provider server, to script replies that differ from its default
 * Zhipu routes (which echo the last user message under `/api/paas/v4`):
 *
 * ```ts
 * server.enqueue(FakeReply.stream(FakeZhipu.chatCompletionChunks("你好", { reasoning: "想一想" }), { cutAfter: 2 }))
 * server.enqueue(FakeZhipu.error(429, "1113", "Insufficient balance or no resource package. Please recharge."))
 * ```
 *
 * @since 0.1.0
 */
import { type FakeReply, FakeReply as Reply } from "./FakeProviderServer.js"
import * as Wire from "./internal/fakeZhipu.js"

/**
 * A tool call in a scripted answer. Ids default to `call_<answer id>` for the first call and
 * `call_<answer id>_<n>` for the others.
 *
 * @since 0.1.0
 */
export interface FakeZhipuToolCall {
  readonly id?: string
  readonly name: string
  /** The JSON arguments text. */
  readonly arguments: string
}

/**
 * Options of {@link FakeZhipu.chatCompletion} and {@link FakeZhipu.chatCompletionChunks}.
 *
 * @since 0.1.0
 */
export interface FakeZhipuChatOptions {
  /** Default `glm-4.6`. */
  readonly model?: string
  /** Default `zhipu-fake-0`; also the `request_id` of a whole answer. */
  readonly id?: string
  /** Default 1700000000. */
  readonly created?: number
  /** Thinking text (`reasoning_content`), streamed before the answer. */
  readonly reasoning?: string
  readonly toolCalls?: ReadonlyArray<FakeZhipuToolCall>
  /** Default `stop`, or `tool_calls` when there are tool calls. Any string Zhipu may send (`sensitive`, ...). */
  readonly finishReason?: string
  /** Default: derived from the text like the default route does. */
  readonly promptTokens?: number
  /** `prompt_tokens_details.cached_tokens`. Default 0. */
  readonly cachedTokens?: number
  /** Content pieces of a stream (reasoning and tool-call arguments are cut the same way). Default 4. */
  readonly chunks?: number
  /** Stream tool-call arguments in fragments, as `tool_stream: true` does. Default false: whole calls. */
  readonly toolStream?: boolean
}

const specOf = (text: string, options: FakeZhipuChatOptions): Wire.ChatSpec => {
  const id = options.id ?? "zhipu-fake-0"
  const toolCalls = (options.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? (index === 0 ? `call_${id}` : `call_${id}_${index}`),
    name: call.name,
    arguments: call.arguments
  }))
  return {
    id,
    created: options.created ?? 1_700_000_000,
    model: options.model ?? "glm-4.6",
    text,
    reasoning: options.reasoning ?? "",
    toolCalls,
    chunks: options.chunks ?? 4,
    finishReason: options.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
    promptTokens: options.promptTokens ?? Math.max(1, Math.ceil(text.length / 4)),
    cachedTokens: options.cachedTokens ?? 0,
    toolStream: options.toolStream ?? false
  }
}

/**
 * Zhipu replies for {@link FakeProviderServer}.
 *
 * @since 0.1.0
 */
export const FakeZhipu = {
  /** A whole `/chat/completions` body answering `text` (keys in Zhipu's alphabetical order, with `request_id`). */
  chatCompletion: (text: string, options: FakeZhipuChatOptions = {}): unknown =>
    Wire.chatCompletionBody(specOf(text, options)),
  /**
   * The SSE frames of a streamed answer, as Zhipu frames them: `data: {…}\n\n` per chunk, `finish_reason` and
   * `usage` on the last chunk only, then `data: [DONE]\n\n`.
   */
  chatCompletionChunks: (text: string, options: FakeZhipuChatOptions = {}): ReadonlyArray<string> =>
    Wire.chatCompletionFrames(specOf(text, options)),
  /** A Zhipu error reply: `{ error: { code, message } }` (plus `request_id` when given) with `status`. */
  error: (
    status: number,
    code: string,
    message: string,
    options: { readonly requestId?: string; readonly headers?: Readonly<Record<string, string>> } = {}
  ): FakeReply =>
    Reply.json(
      Wire.errorBody(code, message, options.requestId),
      options.headers === undefined ? { status } : { status, headers: options.headers }
    ),
  /** An error event inside a stream: `data: {"error":{"code","message"}}\n\n`. */
  streamError: (code: string, message: string): string => Wire.streamErrorFrame(code, message)
} as const
