/**
 * A real HTTP server on 127.0.0.1 that stands in for LLM providers in tests, examples and benchmarks.
 *
 * It answers with the OpenAI Chat Completions wire format by default; tests queue replies to script
 * errors and transport faults (cut streams, stalls, held first bytes, resets) that `fetch` mocks cannot.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { makeDialects } from "./internal/dialects.js"
import * as FakeOpenAiWire from "./internal/fakeOpenAi.js"
import { startServer } from "./internal/server.js"

/**
 * One request as the server received it.
 *
 * @since 0.1.0
 */
export interface RecordedRequest {
  /** Position in `server.requests` (0-based, restarts after `reset()`). */
  readonly index: number
  readonly method: string
  /** Path and query, e.g. `"/v1/chat/completions"`. */
  readonly path: string
  /** Lower-cased header names; repeated headers joined with `", "`. */
  readonly headers: Readonly<Record<string, string>>
  readonly rawBody: string
  /** `JSON.parse(rawBody)` when it parses, else `undefined`. */
  readonly body: unknown
  /** Live: becomes `true` once the client disconnected before the response finished. */
  readonly closedByClient: boolean
  /** The client's address and port: requests on one kept-alive connection share it. */
  readonly connection: string
}

/**
 * Options shared by the replies that write a response.
 *
 * @since 0.1.0
 */
export interface ReplyOptions {
  /** Default 200. */
  readonly status?: number
  /** Added to (and overriding) the defaults, e.g. `content-type` or `x-request-id`. */
  readonly headers?: Readonly<Record<string, string>>
  /** Send nothing, not even headers, until `server.release()` is called. */
  readonly holdFirstByte?: boolean
  /** Default headers to leave out, e.g. `["x-request-id"]` for a vendor that puts the id in the body. */
  readonly withoutHeaders?: ReadonlyArray<string>
}

/**
 * Options of {@link FakeReply.text}.
 *
 * @since 0.1.0
 */
export interface TextReplyOptions extends ReplyOptions {
  /** Default `text/plain; charset=utf-8`. */
  readonly contentType?: string
}

/**
 * Options of {@link FakeReply.stream}.
 *
 * @since 0.1.0
 */
export interface StreamReplyOptions extends ReplyOptions {
  /** Default `text/event-stream`. */
  readonly contentType?: string
  /** Destroy the connection after writing this many frames, without ending the body. */
  readonly cutAfter?: number
  /** After this many frames write nothing more and keep the connection open. */
  readonly stallAfter?: number
}

/**
 * A JSON body with a status.
 *
 * @since 0.1.0
 */
export interface JsonReply {
  readonly _tag: "Json"
  readonly body: unknown
  readonly options: ReplyOptions
}

/**
 * A raw body.
 *
 * @since 0.1.0
 */
export interface TextReply {
  readonly _tag: "Text"
  readonly body: string
  readonly options: TextReplyOptions
}

/**
 * A chunked body; every frame gets its own write.
 *
 * @since 0.1.0
 */
export interface StreamReply {
  readonly _tag: "Stream"
  readonly frames: ReadonlyArray<string | Uint8Array>
  readonly options: StreamReplyOptions
}

/**
 * No answer at all.
 *
 * @since 0.1.0
 */
export interface HangReply {
  readonly _tag: "Hang"
}

/**
 * A TCP reset instead of an answer.
 *
 * @since 0.1.0
 */
export interface ResetReply {
  readonly _tag: "Reset"
}

/**
 * A reply computed from the request.
 *
 * @since 0.1.0
 */
export interface HandlerReply {
  readonly _tag: "Handler"
  readonly handle: (request: RecordedRequest) => FakeReply | PromiseLike<FakeReply>
}

/**
 * What the server answers to one request. Build with the `FakeReply.*` constructors.
 *
 * @since 0.1.0
 */
export type FakeReply = JsonReply | TextReply | StreamReply | HangReply | ResetReply | HandlerReply

/**
 * Constructors of {@link FakeReply}.
 *
 * @since 0.1.0
 */
export const FakeReply = {
  /** Any JSON body, e.g. a provider error body with status 429 and a `retry-after` header. */
  json: (body: unknown, options: ReplyOptions = {}): FakeReply => ({ _tag: "Json", body, options }),
  /** A raw body, e.g. malformed JSON or an HTML 502 page. */
  text: (body: string, options: TextReplyOptions = {}): FakeReply => ({ _tag: "Text", body, options }),
  /**
   * Frames written in order, each with its own write. `cutAfter`, `stallAfter` and `holdFirstByte`
   * turn it into a fault; when both `cutAfter` and `stallAfter` are set, the earlier one wins.
   */
  stream: (frames: ReadonlyArray<string | Uint8Array>, options: StreamReplyOptions = {}): FakeReply => ({
    _tag: "Stream",
    frames,
    options
  }),
  /** Never answer; the connection stays open until the client leaves or the server closes. */
  hang: (): FakeReply => ({ _tag: "Hang" }),
  /** Reset the connection (TCP RST) without any response. */
  reset: (): FakeReply => ({ _tag: "Reset" }),
  /** Compute the reply from the request (may return a promise). */
  handler: (handle: (request: RecordedRequest) => FakeReply | PromiseLike<FakeReply>): FakeReply => ({
    _tag: "Handler",
    handle
  })
} as const

/**
 * A running fake provider.
 *
 * @since 0.1.0
 */
export interface FakeProviderServer {
  /** `"http://127.0.0.1:PORT"`; the OpenAI base URL is `${url}/v1`. */
  readonly url: string
  readonly port: number
  /** A snapshot of the requests received since start or the last `reset()`. */
  readonly requests: ReadonlyArray<RecordedRequest>
  /** The next requests get these replies, in order, instead of the default routes. */
  enqueue(...replies: ReadonlyArray<FakeReply>): void
  /** Like `enqueue`, but only for requests to `path` (matched without the query, or with it verbatim); checked first. */
  enqueueFor(path: string, ...replies: ReadonlyArray<FakeReply>): void
  /** Lets every currently held first byte go. */
  release(): void
  /**
   * Resolves once `count` requests have been received (body included) since start or the last `reset()`, with
   * the recorded requests (empty when `recordRequests` is false). Rejects if the server closes first.
   */
  waitForRequests(count: number): Promise<ReadonlyArray<RecordedRequest>>
  /**
   * Resolves when the client of request `index` disconnected before its response finished. Rejects if the
   * response finished, the server ended the connection (cut, reset, close) or `reset()` was called first.
   */
  waitForClientClose(index: number): Promise<void>
  /** Clears both queues and the recorded requests, and restarts the ids (`chatcmpl-fake-1`, …). */
  reset(): void
  /** Closes the server and destroys every open connection, held and stalled ones too. Idempotent. */
  close(): Promise<void>
}

/**
 * @since 0.1.0
 */
export interface FakeProviderServerOptions {
  /** Default 0: a random free port. */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
  /** Number of content chunks a default streamed answer is split into (fewer if the text is shorter). Default 4. */
  readonly streamChunks?: number
  /** Length of default embedding vectors when the request has no `dimensions`. Default 8. */
  readonly embeddingDimensions?: number
  /** Listed by `GET /v1/models`. Default `gpt-4o`, `gpt-4o-mini`, `text-embedding-3-small`. */
  readonly models?: ReadonlyArray<string>
  /** When set, the default routes answer 401 unless the request carries `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string
  /** Default true. Set to false in long benchmarks so requests are counted but not kept in memory. */
  readonly recordRequests?: boolean
}

const start = (options: FakeProviderServerOptions = {}): Promise<FakeProviderServer> =>
  startServer({
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 0,
    recordRequests: options.recordRequests ?? true,
    dialects: makeDialects({
      streamChunks: options.streamChunks ?? 4,
      embeddingDimensions: options.embeddingDimensions ?? 8,
      models: options.models ?? FakeOpenAiWire.defaultModels,
      apiKey: options.apiKey
    })
  })

const make = (options?: FakeProviderServerOptions): Effect.Effect<FakeProviderServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(options)),
    (server) => Effect.promise(() => server.close())
  )

/**
 * The running {@link FakeProviderServer} of an Effect test.
 *
 * @since 0.1.0
 */
export class FakeProvider extends Context.Tag("@agent-adapter/sdk/testing/FakeProvider")<
  FakeProvider,
  FakeProviderServer
>() {}

/**
 * Starts and stops fake provider servers.
 *
 * @since 0.1.0
 */
export const FakeProviderServer: {
  /** Starts a server; call `close()` when done. */
  readonly start: (options?: FakeProviderServerOptions) => Promise<FakeProviderServer>
  /** A server closed when the scope closes. A failure to listen (port in use) is a defect. */
  readonly make: (options?: FakeProviderServerOptions) => Effect.Effect<FakeProviderServer, never, Scope.Scope>
  /** Provides {@link FakeProvider}. */
  readonly layer: (options?: FakeProviderServerOptions) => Layer.Layer<FakeProvider>
} = {
  start,
  make,
  layer: (options) => Layer.scoped(FakeProvider, make(options))
}

/**
 * Options of {@link FakeOpenAi.chatCompletion} and {@link FakeOpenAi.chatCompletionChunks}.
 *
 * @since 0.1.0
 */
export interface FakeOpenAiChatOptions {
  /** Default `gpt-4o-mini`. */
  readonly model?: string
  /** Default `chatcmpl-fake-0`. */
  readonly id?: string
  /** Default: derived from the text like the default route does. */
  readonly promptTokens?: number
  /** Number of content chunks (streaming only). Default 4. */
  readonly chunks?: number
  /** Append the usage chunk and put `"usage": null` on the others (streaming only). Default false. */
  readonly includeUsage?: boolean
  /**
   * Put OpenAI's `obfuscation` padding on every chunk with a delta (streaming only). Default false here; the default
   * route adds it unless the request sends `stream_options.include_obfuscation: false`, as OpenAI does.
   */
  readonly obfuscation?: boolean
}

/**
 * OpenAI wire-format building blocks, to script replies that differ from the default routes
 * (e.g. `FakeReply.stream(FakeOpenAi.chatCompletionChunks("hello"), { cutAfter: 2 })`).
 *
 * @since 0.1.0
 */
export const FakeOpenAi = {
  /** A `chat.completion` body answering `text`. */
  chatCompletion: (text: string, options: FakeOpenAiChatOptions = {}): unknown =>
    FakeOpenAiWire.chatCompletionBody(FakeOpenAiWire.chatSpec(text, options)),
  /** The SSE frames (`data: …\n\n`, ending with `data: [DONE]\n\n`) of a streamed answer of `text`. */
  chatCompletionChunks: (text: string, options: FakeOpenAiChatOptions = {}): ReadonlyArray<string> =>
    FakeOpenAiWire.chatCompletionFrames(FakeOpenAiWire.chatSpec(text, options)),
  /** An OpenAI error reply: `{ error: { message, type, param, code } }` with `status`. */
  error: (
    status: number,
    message: string,
    options: {
      readonly type?: string
      readonly param?: string | null
      readonly code?: string | null
      readonly headers?: Readonly<Record<string, string>>
    } = {}
  ): FakeReply =>
    FakeReply.json(
      FakeOpenAiWire.errorBody(
        message,
        options.type ?? "invalid_request_error",
        options.param ?? null,
        options.code ?? null
      ),
      options.headers === undefined ? { status } : { status, headers: options.headers }
    )
} as const
