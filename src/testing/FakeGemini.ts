/**
 * Gemini wire-format building blocks for the fake provider server: whole responses, the SSE events of a streamed
 * answer, and Google error replies, to script what the default routes do not say
 * (e.g. `server.enqueue(FakeReply.stream(FakeGemini.streamFrames("hello"), { cutAfter: 2 }))`).
 *
 * @since 0.1.0
 */
import { type FakeReply, FakeReply as Reply, type ReplyOptions } from "./FakeProviderServer.js"
import * as Wire from "./internal/fakeGemini.js"

/**
 * A function call in a scripted answer. Without `id` the call arrives without one, as Gemini often sends it.
 *
 * @since 0.1.0
 */
export interface FakeGeminiFunctionCall {
  readonly name: string
  readonly args?: Readonly<Record<string, unknown>>
  readonly id?: string
  readonly thoughtSignature?: string
}

/**
 * Options of {@link FakeGemini.response} and {@link FakeGemini.streamFrames}.
 *
 * @since 0.1.0
 */
export interface FakeGeminiAnswerOptions {
  /** Default `gemini-2.5-flash`. */
  readonly model?: string
  /** Default `fake-gemini-0`. */
  readonly responseId?: string
  /** Default: tokens of the text, computed like the default route. */
  readonly promptTokens?: number
  /** Text pieces of a stream. Default 4. */
  readonly chunks?: number
  /** A thought summary, sent first as a `thought: true` part. */
  readonly thought?: string
  /** Function calls after the text (one event in a stream). */
  readonly functionCalls?: ReadonlyArray<FakeGeminiFunctionCall>
  /** Default `STOP`. */
  readonly finishReason?: string
  /** A `thoughtSignature` on the last text part. */
  readonly thoughtSignature?: string
  /** `usageMetadata.cachedContentTokenCount`. */
  readonly cachedTokens?: number
}

const specOf = (text: string, options: FakeGeminiAnswerOptions): Wire.AnswerSpec => ({
  responseId: options.responseId ?? "fake-gemini-0",
  modelVersion: options.model ?? "gemini-2.5-flash",
  text,
  chunks: options.chunks ?? 4,
  promptTokens: options.promptTokens ?? Wire.tokens(text),
  thought: options.thought,
  toolCalls: options.functionCalls,
  finishReason: options.finishReason ?? "STOP",
  thoughtSignature: options.thoughtSignature,
  cachedTokens: options.cachedTokens
})

/**
 * Options of {@link FakeGemini.error}.
 *
 * @since 0.1.0
 */
export interface FakeGeminiErrorOptions {
  /** The google.rpc status name; default the one Google pairs with the HTTP status (429 → `RESOURCE_EXHAUSTED`). */
  readonly status?: string
  /** `error.details`, e.g. `[FakeGemini.retryInfo("34.4s")]`. */
  readonly details?: ReadonlyArray<unknown>
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Gemini wire-format builders.
 *
 * @since 0.1.0
 */
export const FakeGemini = {
  /** A `generateContent` response answering `text`. */
  response: (text: string, options: FakeGeminiAnswerOptions = {}): unknown => Wire.answerBody(specOf(text, options)),
  /** The `GenerateContentResponse` objects a stream of the answer carries, one per event. */
  streamResponses: (text: string, options: FakeGeminiAnswerOptions = {}): ReadonlyArray<unknown> =>
    Wire.answerResponses(specOf(text, options)),
  /** The SSE events of a streamed answer, framed like Gemini: `data: {json}\r\n\r\n`, no terminator. */
  streamFrames: (text: string, options: FakeGeminiAnswerOptions = {}): ReadonlyArray<string> =>
    Wire.answerFrames(specOf(text, options)),
  /** Any object as one Gemini SSE event (`data: <json>\r\n\r\n`), e.g. an in-stream error. */
  frame: (body: unknown): string => Wire.sseFrame(body),
  /** A Google error body `{ error: { code, message, status, details? } }`. */
  errorBody: (code: number, message: string, options: Pick<FakeGeminiErrorOptions, "status" | "details"> = {}) =>
    Wire.errorBody(code, message, options.status, options.details),
  /** A Google error reply with HTTP status `code`. */
  error: (code: number, message: string, options: FakeGeminiErrorOptions = {}): FakeReply => {
    const replyOptions: ReplyOptions =
      options.headers === undefined ? { status: code } : { status: code, headers: options.headers }
    return Reply.json(Wire.errorBody(code, message, options.status, options.details), replyOptions)
  },
  /** A `google.rpc.RetryInfo` detail, e.g. `retryInfo("34.4s")`. */
  retryInfo: (retryDelay: string): unknown => ({
    "@type": "type.googleapis.com/google.rpc.RetryInfo",
    retryDelay
  }),
  /** A `google.rpc.QuotaFailure` detail naming the quota that ran out. */
  quotaFailure: (quotaId: string): unknown => ({
    "@type": "type.googleapis.com/google.rpc.QuotaFailure",
    violations: [{ quotaId }]
  }),
  /** A `google.rpc.ErrorInfo` detail, e.g. `errorInfo("API_KEY_INVALID")`. */
  errorInfo: (reason: string): unknown => ({
    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
    reason,
    domain: "googleapis.com",
    metadata: { service: "generativelanguage.googleapis.com" }
  })
} as const
