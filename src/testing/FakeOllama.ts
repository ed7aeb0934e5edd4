/**
 * Ollama wire-format building blocks for `FakeProviderServer`: scripted replies that differ from the default routes
 * (a tool call, a thinking model, an error line mid-stream, a cut stream), framed as Ollama frames them.
 *
 * @example
 * ```ts
 * server.enqueue(FakeOllama.chatStream("Hello", { model: "llama3.2" }, { cutAfter: 2 }))
 * server.enqueue(FakeOllama.error(404, "model 'llama9' not found, try pulling it first"))
 * ```
 *
 * @since 0.1.0
 */
import type { FakeReply, StreamReplyOptions } from "./FakeProviderServer.js"
import * as Wire from "./internal/fakeOllama.js"
import { tokens } from "./internal/fakeOpenAi.js"

/**
 * A tool call the fake model makes. `arguments` is an object, as Ollama sends it; leave `id` out to play a server
 * older than v0.12.10.
 *
 * @since 0.1.0
 */
export interface FakeOllamaToolCall {
  readonly id?: string
  readonly name: string
  readonly arguments: Readonly<Record<string, unknown>>
}

/**
 * Options of the chat builders.
 *
 * @since 0.1.0
 */
export interface FakeOllamaChatOptions {
  /** Default `llama3.2`. */
  readonly model?: string
  /** Lines the text (and the thinking) is split into. Default 4. */
  readonly chunks?: number
  /** Reasoning text, streamed before the answer as `message.thinking`. */
  readonly thinking?: string
  readonly toolCalls?: ReadonlyArray<FakeOllamaToolCall>
  /** Default `stop`; `null` leaves `done_reason` out. */
  readonly doneReason?: string | null
  /** Default: derived from the text like the default route does. */
  readonly promptEvalCount?: number
  /** Default: derived from the text. */
  readonly evalCount?: number
  /** `created_at` of every line. Default now. */
  readonly createdAt?: Date
}

const specOf = (text: string, options: FakeOllamaChatOptions): Wire.ChatSpec => ({
  model: options.model ?? "llama3.2",
  createdAt: Wire.goTime(options.createdAt ?? new Date()),
  text,
  thinking: options.thinking ?? "",
  chunks: options.chunks ?? 4,
  toolCalls: options.toolCalls ?? [],
  doneReason: options.doneReason === null ? undefined : (options.doneReason ?? "stop"),
  promptEvalCount: options.promptEvalCount ?? tokens(text),
  evalCount: options.evalCount ?? tokens(text + (options.thinking ?? ""))
})

/**
 * Builders of Ollama replies.
 *
 * @since 0.1.0
 */
export const FakeOllama = {
  /** The NDJSON lines (each ending in `\n`) of a streamed `/api/chat` answer of `text`, the `done: true` line last. */
  chatLines: (text: string, options: FakeOllamaChatOptions = {}): ReadonlyArray<string> =>
    Wire.chatLines(specOf(text, options)),
  /** A streamed `/api/chat` answer; `reply` adds faults (`cutAfter`, `stallAfter`, …) counted in lines. */
  chatStream: (text: string, options: FakeOllamaChatOptions = {}, reply: StreamReplyOptions = {}): FakeReply =>
    Wire.streamReply(Wire.chatLines(specOf(text, options)), reply),
  /** The one-object answer of a `stream: false` chat. */
  chatResponse: (text: string, options: FakeOllamaChatOptions = {}): FakeReply => ({
    _tag: "Text",
    body: Wire.chatBody(specOf(text, options)),
    options: { contentType: "application/json; charset=utf-8" }
  }),
  /** Any lines as an NDJSON stream (`application/x-ndjson`), e.g. a recorded fixture split into lines. */
  stream: (lines: ReadonlyArray<string | Uint8Array>, options: StreamReplyOptions = {}): FakeReply =>
    Wire.streamReply(lines, options),
  /** The line Ollama writes when a stream fails after it started: `{"error":"…"}`. */
  errorLine: (message: string): string => `${Wire.goJson({ error: message })}\n`,
  /** An error answer: `{"error": message}` with `status`. */
  error: (status: number, message: string, options: { readonly headers?: Readonly<Record<string, string>> } = {}) =>
    Wire.errorReply(status, message, options.headers),
  /** An `/api/embed` answer with these vectors. */
  embedResponse: (
    embeddings: ReadonlyArray<ReadonlyArray<number>>,
    options: { readonly model?: string; readonly promptEvalCount?: number } = {}
  ): FakeReply =>
    Wire.jsonReply({
      model: options.model ?? "nomic-embed-text",
      embeddings,
      total_duration: 14_143_917,
      load_duration: 1_019_500,
      prompt_eval_count: options.promptEvalCount ?? embeddings.length
    }),
  /** A `GET /api/tags` answer listing these model names. */
  tagsResponse: (models: ReadonlyArray<string>): FakeReply => Wire.jsonReply({ models: models.map(Wire.listedModel) })
} as const
