/**
 * Anthropic Messages wire-format building blocks for the fake provider server: whole messages, the named SSE events
 * of a streamed answer, and error replies, to script what the default `/v1/messages` route does not say
 * (e.g. `FakeReply.stream(FakeAnthropic.messageEvents("hello"), { cutAfter: 3 })`).
 *
 * @since 0.1.0
 */
import { FakeReply, type ReplyOptions } from "./FakeProviderServer.js"
import * as Wire from "./internal/fakeAnthropic.js"
import { tokens } from "./internal/fakeOpenAi.js"

/**
 * Options of {@link FakeAnthropic.message} and {@link FakeAnthropic.messageEvents}.
 *
 * @since 0.1.0
 */
export interface FakeAnthropicMessageOptions {
  /** Default `claude-sonnet-4-5-20250929`. */
  readonly model?: string
  /** Default `msg_fake_0`. */
  readonly id?: string
  /** Default: derived from the text like the default route does. */
  readonly inputTokens?: number
  /** Default: derived from the text (and the thinking and tool input). */
  readonly outputTokens?: number
  readonly cacheReadTokens?: number
  readonly cacheWriteTokens?: number
  /** Default `end_turn` (`tool_use` when `toolUse` is given). */
  readonly stopReason?: string
  readonly stopSequence?: string | null
  /** A thinking block before the text, with its signature. */
  readonly thinking?: { readonly text: string; readonly signature: string }
  /** A tool_use block after the text. */
  readonly toolUse?: { readonly id: string; readonly name: string; readonly input: Record<string, unknown> }
  /** Text deltas of a streamed answer. Default 4. */
  readonly chunks?: number
}

const specOf = (text: string, options: FakeAnthropicMessageOptions): Wire.MessageSpec => ({
  id: options.id ?? "msg_fake_0",
  model: options.model ?? "claude-sonnet-4-5-20250929",
  text,
  chunks: options.chunks ?? 4,
  inputTokens: options.inputTokens ?? tokens(text),
  outputTokens:
    options.outputTokens ??
    (text === "" ? 0 : tokens(text)) +
      (options.thinking === undefined ? 0 : tokens(options.thinking.text)) +
      (options.toolUse === undefined ? 0 : tokens(JSON.stringify(options.toolUse.input))),
  cacheReadTokens: options.cacheReadTokens ?? 0,
  cacheWriteTokens: options.cacheWriteTokens ?? 0,
  stopReason: options.stopReason ?? (options.toolUse === undefined ? "end_turn" : "tool_use"),
  stopSequence: options.stopSequence ?? null,
  thinking: options.thinking,
  toolUse: options.toolUse
})

/**
 * Anthropic wire-format building blocks.
 *
 * @since 0.1.0
 */
export const FakeAnthropic = {
  /** A whole `message` body answering `text` (the reply of a non-streaming call). */
  message: (text: string, options: FakeAnthropicMessageOptions = {}): unknown =>
    Wire.messageBody(specOf(text, options)),
  /**
   * The SSE events of a streamed answer of `text`, one string per event: `message_start`, the blocks
   * (`content_block_start`, deltas, `content_block_stop`), a `ping`, `message_delta` with usage, `message_stop`.
   */
  messageEvents: (text: string, options: FakeAnthropicMessageOptions = {}): ReadonlyArray<string> =>
    Wire.messageFrames(specOf(text, options)),
  /** Any events, each framed `event: <type>\ndata: <json>\n\n` (a bare ping as Anthropic spells it). */
  events: (events: ReadonlyArray<{ readonly type: string } & Record<string, unknown>>): ReadonlyArray<string> =>
    events.map(Wire.frame),
  /** The `error` event of a stream that fails after its 200, e.g. `errorEvent("overloaded_error", "Overloaded")`. */
  errorEvent: (type: string, message: string): string => Wire.errorFrame(type, message),
  /** An error body: `{ type: "error", error: { type, message }, request_id }`. */
  errorBody: (type: string, message: string, requestId: string | null = null): unknown =>
    Wire.errorBody(type, message, requestId),
  /** An error reply with `status`, e.g. `error(529, "overloaded_error", "Overloaded")`. */
  error: (
    status: number,
    type: string,
    message: string,
    options: Omit<ReplyOptions, "status"> & { readonly requestId?: string } = {}
  ): FakeReply => {
    const { requestId, ...reply } = options
    return FakeReply.json(Wire.errorBody(type, message, requestId ?? null), { ...reply, status })
  }
} as const
