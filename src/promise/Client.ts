/**
 * The promise facade: the SDK for plain TypeScript callers. One `ManagedRuntime` per client runs the same Effect
 * stack an Effect application would use; errors are thrown as the exported `LlmError` classes.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../core/Embedding.js"
import { LlmClient } from "../core/LlmClient.js"
import { AuthenticationError, InvalidRequestError, type LlmError, NotFoundError } from "../core/LlmError.js"
import type { StreamChunk } from "../core/StreamChunk.js"
import { type ProviderEntry, providerNames, providers } from "../providers/registry.js"
import * as HttpTransport from "../transport/HttpTransport.js"

/**
 * A provider the facade can build by name.
 *
 * @since 0.1.0
 */
export type ProviderName =
  | "openai"
  | "openai-compatible"
  | "deepseek"
  | "mistral"
  | "qwen"
  | "groq"
  | "vllm"
  | "lmstudio"
  | "localai"
  | "mock"

/**
 * How to build a client: a provider by name with its connection settings, or any `LlmClient` layer (a composed
 * Effect stack). A key not given is read from the vendor's environment variable (`OPENAI_API_KEY`, ...).
 *
 * @since 0.1.0
 */
export type ClientOptions =
  | {
      readonly provider: ProviderName
      readonly apiKey?: string | Redacted.Redacted<string> | undefined
      readonly baseUrl?: string | undefined
      readonly headers?: Readonly<Record<string, string>> | undefined
      /** OpenAI organisation id (`OpenAI-Organization`). */
      readonly organization?: string | undefined
      /** OpenAI project id (`OpenAI-Project`). */
      readonly project?: string | undefined
      /** The name an `openai-compatible` server reports. */
      readonly name?: string | undefined
      /** The HTTP client to send with; defaults to `HttpTransport.layer` (our lean node:http client, keep-alive). */
      readonly transport?: Layer.Layer<HttpClient.HttpClient> | undefined
    }
  | {
      readonly layer: Layer.Layer<LlmClient, unknown, HttpClient.HttpClient> | Layer.Layer<LlmClient, unknown>
      readonly transport?: Layer.Layer<HttpClient.HttpClient> | undefined
    }

/**
 * Options of one call.
 *
 * @since 0.1.0
 */
export interface CallOptions {
  /** Cancels the call (and the HTTP request); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined
}

/**
 * A chat request of the facade: a `ChatRequest` with `stream` and `signal`.
 *
 * @since 0.1.0
 */
export type ChatParams = ChatRequest & CallOptions & { readonly stream?: boolean | undefined }

const knownKeys = new Set(["provider", "apiKey", "baseUrl", "headers", "organization", "project", "name", "transport"])

const buildLayer = (options: ClientOptions): Layer.Layer<LlmClient, unknown> => {
  if (typeof options !== "object" || options === null) {
    throw new InvalidRequestError({ message: "new Client(options): options must be an object", param: "options" })
  }
  const transport = options.transport ?? HttpTransport.layer
  if ("layer" in options) {
    return Layer.provide(options.layer as Layer.Layer<LlmClient, unknown, HttpClient.HttpClient>, transport)
  }
  for (const key of Object.keys(options)) {
    if (!knownKeys.has(key)) {
      throw new InvalidRequestError({ message: `new Client(options): unknown option "${key}"`, param: key })
    }
  }
  const entry: ProviderEntry | undefined = Object.hasOwn(providers, options.provider)
    ? providers[options.provider]
    : undefined
  if (entry === undefined) {
    throw new NotFoundError({
      message: `unknown provider ${JSON.stringify(options.provider)}; the providers are: ${providerNames().join(", ")}`,
      ...(typeof options.provider === "string" ? { provider: options.provider } : {})
    })
  }
  const envKey = entry.apiKeyEnv === undefined ? undefined : process.env[entry.apiKeyEnv]
  const rawKey = options.apiKey ?? (envKey === "" ? undefined : envKey)
  const apiKey = rawKey === undefined ? undefined : typeof rawKey === "string" ? Redacted.make(rawKey) : rawKey
  if (entry.requiresApiKey && (apiKey === undefined || Redacted.value(apiKey) === "")) {
    throw new AuthenticationError({
      message: `${entry.name} needs an API key: pass apiKey to new Client() or set ${entry.apiKeyEnv}`,
      provider: entry.name
    })
  }
  const envBaseUrl = entry.baseUrlEnv === undefined ? undefined : process.env[entry.baseUrlEnv]
  const baseUrl = options.baseUrl ?? (envBaseUrl === "" ? undefined : envBaseUrl)
  if (entry.requiresBaseUrl && baseUrl === undefined) {
    throw new InvalidRequestError({
      message: `${entry.name} needs a baseUrl, e.g. http://127.0.0.1:8000/v1`,
      provider: entry.name,
      param: "baseUrl"
    })
  }
  const extra: Record<string, unknown> = {}
  if (options.organization !== undefined) extra.organization = options.organization
  if (options.project !== undefined) extra.project = options.project
  if (options.name !== undefined) extra.name = options.name
  return Layer.provide(entry.layer({ apiKey, baseUrl, headers: options.headers, extra }), transport)
}

// A failed Exit becomes what a promise caller expects: the LlmError itself, the abort reason, or the defect.
const toThrowable = (cause: Cause.Cause<unknown>, signal: AbortSignal | undefined): unknown => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return failure.value
  if (Cause.isInterruptedOnly(cause) && signal?.aborted) return abortReason(signal)
  return Cause.squash(cause)
}

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("The operation was aborted.", "AbortError")

/**
 * A streamed answer: iterate it with `for await`. It has one consumer; breaking out of the loop or calling
 * `abort()` cancels the HTTP request and ends the iteration quietly.
 *
 * @since 0.1.0
 */
export class ChatStream implements AsyncIterable<StreamChunk> {
  private buffer: Chunk.Chunk<StreamChunk> = Chunk.empty()
  private position = 0
  private finished = false
  private iterating = false
  private readonly accumulator = new Accumulator()

  /** @internal */
  constructor(
    private readonly runtime: ManagedRuntime.ManagedRuntime<LlmClient, unknown>,
    private readonly scope: Scope.CloseableScope,
    private readonly pull: Effect.Effect<Chunk.Chunk<StreamChunk>, Option.Option<LlmError>>,
    private readonly request: ChatRequest,
    private readonly provider: string,
    private readonly signal: AbortSignal | undefined
  ) {}

  /** @internal */
  static async open(
    runtime: ManagedRuntime.ManagedRuntime<LlmClient, unknown>,
    request: ChatRequest,
    signal: AbortSignal | undefined
  ): Promise<ChatStream> {
    const opened = await runtime.runPromiseExit(
      Effect.gen(function* () {
        const client = yield* LlmClient
        const scope = yield* Scope.make()
        const pull = yield* Scope.extend(Stream.toPull(client.stream(request)), scope)
        return { scope, pull, provider: client.provider }
      }),
      signal === undefined ? undefined : { signal }
    )
    if (Exit.isFailure(opened)) throw toThrowable(opened.cause, signal)
    const { scope, pull, provider } = opened.value
    const stream = new ChatStream(runtime, scope, pull, request, provider, signal)
    // Cancel the HTTP request as soon as the signal fires, even while the caller is not pulling.
    signal?.addEventListener("abort", stream.onAbort, { once: true })
    // Wait for the first chunk so that errors before the answer starts (bad key, unknown model) reject the call.
    await stream.fill()
    return stream
  }

  private readonly onAbort = (): void => {
    void this.abort()
  }

  private async close(): Promise<void> {
    if (this.finished) return
    this.finished = true
    this.signal?.removeEventListener("abort", this.onAbort)
    await this.runtime.runPromise(Scope.close(this.scope, Exit.void))
  }

  /** Pulls the next batch of chunks; false when the stream has ended. */
  private async fill(): Promise<boolean> {
    if (this.finished) return false
    const exit = await this.runtime.runPromiseExit(
      this.pull,
      this.signal === undefined ? undefined : { signal: this.signal }
    )
    if (Exit.isSuccess(exit)) {
      this.buffer = exit.value
      this.position = 0
      return true
    }
    await this.close()
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      const value: unknown = failure.value
      // The pull fails with None at the end and Some(error) on failure; anything else is a layer build error.
      if (!Option.isOption(value)) throw value
      if (Option.isNone(value)) return false
      throw value.value
    }
    throw toThrowable(exit.cause, this.signal)
  }

  private async nextChunk(): Promise<IteratorResult<StreamChunk, undefined>> {
    if (this.signal?.aborted) {
      await this.close()
      throw abortReason(this.signal)
    }
    while (this.position >= this.buffer.length) {
      if (!(await this.fill())) return { done: true, value: undefined }
    }
    const chunk = Chunk.unsafeGet(this.buffer, this.position++)
    this.accumulator.add(chunk)
    return { done: false, value: chunk }
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamChunk, undefined> {
    if (this.iterating) throw new TypeError("a ChatStream can be iterated only once")
    this.iterating = true
    return {
      next: () => this.nextChunk(),
      return: async () => {
        await this.abort()
        return { done: true, value: undefined }
      }
    }
  }

  /** Stops the stream and cancels its HTTP request. Iteration ends without an error. */
  async abort(): Promise<void> {
    await this.close()
  }

  /** Reads the rest of the stream and returns the whole answer (including the chunks already iterated). */
  async toResponse(): Promise<ChatResponse> {
    this.iterating = true
    while ((await this.nextChunk()).done !== true) {
      // each chunk is folded as it is read
    }
    return this.accumulator.toResponse({ provider: this.provider, model: this.request.model })
  }
}

/**
 * A client for one provider (or one composed `LlmClient` stack).
 *
 * @example
 * ```ts
 * const client = new Client({ provider: "openai", apiKey: process.env.OPENAI_API_KEY })
 * const reply = await client.chat({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] })
 * const stream = await client.chat({ model: "gpt-4o-mini", messages, stream: true })
 * for await (const chunk of stream) process.stdout.write(chunk.delta)
 * await client.close()
 * ```
 *
 * @since 0.1.0
 */
export class Client {
  private readonly runtime: ManagedRuntime.ManagedRuntime<LlmClient, unknown>
  private closed = false

  constructor(options: ClientOptions) {
    this.runtime = ManagedRuntime.make(buildLayer(options))
  }

  /** Streams the answer: resolves once the first chunk arrived, to an async iterable of chunks. */
  chat(request: ChatParams & { readonly stream: true }): Promise<ChatStream>
  /** One complete answer. */
  chat(request: ChatParams & { readonly stream?: false | undefined }): Promise<ChatResponse>
  chat(request: ChatParams): Promise<ChatResponse | ChatStream>
  async chat(request: ChatParams): Promise<ChatResponse | ChatStream> {
    this.assertOpen()
    const { stream, signal, ...chatRequest } = request
    if (stream === true) return ChatStream.open(this.runtime, chatRequest, signal)
    return this.run(
      Effect.flatMap(LlmClient, (client) => client.chat(chatRequest)),
      signal
    )
  }

  /** One vector per input text. */
  async embed(request: EmbeddingRequest & CallOptions): Promise<EmbeddingResponse> {
    this.assertOpen()
    const { signal, ...embeddingRequest } = request
    return this.run(
      Effect.flatMap(LlmClient, (client) => client.embed(embeddingRequest)),
      signal
    )
  }

  /** Releases the client's resources (connections, runtime). Calls after `close` fail. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.runtime.dispose()
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new InvalidRequestError({ message: "this Client is closed: create a new Client to make more calls" })
    }
  }

  private async run<A>(effect: Effect.Effect<A, LlmError, LlmClient>, signal: AbortSignal | undefined): Promise<A> {
    const exit = await this.runtime.runPromiseExit(effect, signal === undefined ? undefined : { signal })
    if (Exit.isSuccess(exit)) return exit.value
    throw toThrowable(exit.cause, signal)
  }
}
