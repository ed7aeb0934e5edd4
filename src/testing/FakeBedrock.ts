/**
 * AWS Bedrock wire-format building blocks for the fake provider server: Converse bodies, ConverseStream messages in
 * the binary AWS event stream framing, and Bedrock error replies, to script answers that differ from the default
 * routes (e.g. `FakeBedrock.stream(FakeBedrock.textFrames("hello"), { cutAfter: 2 })`).
 *
 * @since 0.1.0
 */
import { FakeReply, type ReplyOptions, type StreamReplyOptions } from "./FakeProviderServer.js"
import * as Wire from "./internal/fakeBedrock.js"
import { tokens } from "./internal/fakeOpenAi.js"

/**
 * Options of {@link FakeBedrock.converse} and {@link FakeBedrock.textFrames}.
 *
 * @since 0.1.0
 */
export interface FakeBedrockAnswerOptions {
  /** Default `end_turn`. */
  readonly stopReason?: string
  /** Default: derived from the text like the default route does. */
  readonly inputTokens?: number
  /** Default: derived from the text. */
  readonly outputTokens?: number
  /** Number of text deltas (streaming only). Default 4. */
  readonly chunks?: number
}

/**
 * A ConverseStream event: its `:event-type` and payload (the `p` padding is added).
 *
 * @since 0.1.0
 */
export interface FakeBedrockEvent {
  readonly type: string
  readonly payload: { readonly [key: string]: unknown }
}

const spec = (text: string, options: FakeBedrockAnswerOptions): Wire.AnswerSpec => ({
  text,
  chunks: options.chunks ?? 4,
  stopReason: options.stopReason ?? "end_turn",
  inputTokens: options.inputTokens ?? tokens(text),
  outputTokens: options.outputTokens ?? tokens(text)
})

/**
 * Bedrock building blocks.
 *
 * @since 0.1.0
 */
export const FakeBedrock = {
  /** The content type of a ConverseStream answer. */
  streamContentType: Wire.STREAM_CONTENT_TYPE,
  /** The request id the default routes give request number `sequence` (1-based). */
  requestId: (sequence: number): string => Wire.requestIdFor(sequence),
  /** A Converse response body answering `text`. */
  converse: (text: string, options: FakeBedrockAnswerOptions = {}): unknown => Wire.converseBody(spec(text, options)),
  /** The events of a streamed answer of `text`: messageStart, text deltas, contentBlockStop, messageStop, metadata. */
  textEvents: (text: string, options: FakeBedrockAnswerOptions = {}): ReadonlyArray<FakeBedrockEvent> =>
    Wire.textEvents(spec(text, options)),
  /** The binary messages of a streamed answer of `text`, one per event. */
  textFrames: (text: string, options: FakeBedrockAnswerOptions = {}): ReadonlyArray<Uint8Array> =>
    Wire.framesOf(Wire.textEvents(spec(text, options))),
  /** The binary messages of any events, padded with `p` like Bedrock's. */
  frames: (events: ReadonlyArray<FakeBedrockEvent>): ReadonlyArray<Uint8Array> => Wire.framesOf(events),
  /** One event message; `position` varies the padding length. */
  event: (type: string, payload: { readonly [key: string]: unknown }, position = 0): Uint8Array =>
    Wire.eventFrame(type, payload, position),
  /** An in-stream exception message, e.g. `exception("throttlingException", "Too many requests")`. */
  exception: (exceptionType: string, message: string): Uint8Array => Wire.exceptionFrame(exceptionType, message),
  /** Any event stream message with string headers (in order) and a raw payload. */
  message: (headers: Readonly<Record<string, string>>, payload: string | Uint8Array): Uint8Array =>
    Wire.encodeMessage(headers, payload),
  /** A streamed reply of event stream messages, one write each, with Bedrock's content type. */
  stream: (frames: ReadonlyArray<Uint8Array>, options: StreamReplyOptions = {}): FakeReply =>
    FakeReply.stream(frames, { contentType: Wire.STREAM_CONTENT_TYPE, ...options }),
  /**
   * A Bedrock error reply: `{ message }` with `x-amzn-ErrorType: <type>:http://…`, e.g.
   * `error(429, "ThrottlingException", "Too many requests, please wait before trying again.")`.
   */
  error: (status: number, type: string, message: string, options: ReplyOptions = {}): FakeReply => {
    const reply = Wire.errorReply(status, type, message, options.headers)
    return reply._tag === "Json" ? FakeReply.json(reply.body, { ...options, ...reply.options }) : reply
  },
  /** The unit vector the default routes give `text`. */
  embedding: (text: string, dimensions: number): ReadonlyArray<number> => Wire.embedText(text, dimensions)
} as const
