/**
 * The promise facade: the SDK for plain TypeScript callers. One `ManagedRuntime` per client runs the same Effect
 * stack an Effect application would use; errors are thrown as the exported `LlmError` classes.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { AdapterConfigSource } from "../config/AdapterConfigSource.js"
import * as Config from "../config/Config.js"
import type { ConfigInput } from "../config/ConfigSchema.js"
import type { ChatRequest } from "../core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../core/Embedding.js"
import * as PullStream from "../core/internal/pullStream.js"
import { LlmClient } from "../core/LlmClient.js"
import { AuthenticationError, InvalidRequestError, type LlmError, NotFoundError } from "../core/LlmError.js"
import type { StreamChunk } from "../core/StreamChunk.js"
import { type ProviderEntry, providerNames, providers, secretSettings } from "../providers/registry.js"
import * as Cache from "../reliability/Cache.js"
import * as Fallback from "../reliability/Fallback.js"
import * as Stack from "../reliability/Stack.js"
import * as Router from "../routing/Router.js"
import * as GenerateObject from "../structured/GenerateObject.js"
import * as AsyncTool from "../tools/AsyncTool.js"
import type * as ToolLoop from "../tools/ToolLoop.js"
import * as HttpTransport from "../transport/HttpTransport.js"

/**
 * A provider the facade can build by name (aliases: `google` for `gemini`, `glm` for `zhipu`, `claude` for
 * `anthropic`, `aws-bedrock` for `bedrock`).
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
  | "anthropic"
  | "claude"
  | "gemini"
  | "google"
  | "zhipu"
  | "glm"
  | "ollama"
  | "azure"
  | "bedrock"
  | "aws-bedrock"
  | "mock"

/**
 * A provider by name with its connection settings. Settings not given are read from the vendor's environment
 * variables (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `AWS_REGION`, ...).
 *
 * @since 0.1.0
 */
export interface ProviderOptions {
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
  /** Anthropic: an OAuth token (`Authorization: Bearer`), the `anthropic-version`, beta flags, a default `max_tokens`. */
  readonly authToken?: string | Redacted.Redacted<string> | undefined
  readonly version?: string | undefined
  readonly betas?: ReadonlyArray<string> | undefined
  readonly defaultMaxTokens?: number | undefined
  /** Azure: the resource, `api-version`, fixed deployments, route, or an Entra ID token (or token function). */
  readonly resourceName?: string | undefined
  readonly apiVersion?: string | undefined
  readonly deployment?: string | undefined
  readonly embeddingDeployment?: string | undefined
  readonly route?: "deployments" | "v1" | undefined
  readonly azureAdToken?:
    | string
    | Redacted.Redacted<string>
    | (() => string | Redacted.Redacted<string> | PromiseLike<string | Redacted.Redacted<string>>)
    | undefined
  /** Bedrock: the region and AWS credentials (default: `AWS_REGION`, `AWS_ACCESS_KEY_ID`, ...). */
  readonly region?: string | undefined
  readonly credentials?:
    | {
        readonly accessKeyId: string
        readonly secretAccessKey: string | Redacted.Redacted<string>
        readonly sessionToken?: string | Redacted.Redacted<string> | undefined
      }
    | undefined
  /** Ollama: how long the model stays loaded (`keep_alive`). */
  readonly keepAlive?: string | number | undefined
}

/**
 * Another provider to fall back to, with the model to ask there.
 *
 * @since 0.1.0
 */
export type FallbackTarget = ProviderOptions & { readonly model?: string | undefined }

/**
 * The reliability stack of a client. Retries (2 by default) and a 10-minute total deadline with a 2-minute idle
 * deadline for streams are on unless turned off; the rest is opt in.
 *
 * @since 0.1.0
 */
export interface ReliabilityOptions {
  /** `false` or `maxRetries: 0` turns retrying off. */
  readonly retry?:
    | false
    | {
        readonly maxRetries?: number
        readonly baseDelayMs?: number
        readonly maxDelayMs?: number
        readonly jitter?: boolean
        readonly maxServerDelayMs?: number
      }
    | undefined
  /** `false` turns the default deadlines off. */
  readonly timeout?:
    | false
    | {
        readonly totalMs?: number
        readonly attemptMs?: number
        readonly firstChunkMs?: number
        readonly idleMs?: number
      }
    | undefined
  readonly circuitBreaker?:
    | {
        readonly failureThreshold?: number
        readonly windowMs?: number
        readonly resetTimeoutMs?: number
        readonly halfOpenMaxCalls?: number
        readonly per?: "provider" | "model"
      }
    | undefined
  readonly rateLimit?:
    | {
        readonly requestsPerMinute?: number
        readonly tokensPerMinute?: number
        readonly concurrency?: number
        readonly maxWaitMs?: number
      }
    | undefined
  /** Tried in order when a call fails in a way another provider or model may not. */
  readonly fallbacks?: ReadonlyArray<FallbackTarget> | undefined
  readonly cache?:
    | { readonly ttlMs?: number; readonly maxEntries?: number; readonly cacheNonDeterministic?: boolean }
    | undefined
}

/**
 * How to build a client: a provider by name, or any `LlmClient` layer (a composed Effect stack), with the
 * reliability options of the facade.
 *
 * @since 0.1.0
 */
export type ClientOptions =
  | (ProviderOptions &
      ReliabilityOptions & {
        /** The HTTP client to send with; defaults to `HttpTransport.layer` (our lean node:http client, keep-alive). */
        readonly transport?: Layer.Layer<HttpClient.HttpClient> | undefined
      })
  | (ReliabilityOptions & {
      readonly layer: Layer.Layer<LlmClient, unknown, HttpClient.HttpClient> | Layer.Layer<LlmClient, unknown>
      readonly transport?: Layer.Layer<HttpClient.HttpClient> | undefined
    })
  | ConfigClientOptions

/**
 * A client over a whole configuration (see docs/configuration.md and docs/routing.md): requests name their model as
 * `provider/model`, an alias or a model group, and the configuration's reliability settings apply. A file is watched
 * and reloaded unless `watch: false`; an invalid file makes the first call throw `ConfigError` listing every problem.
 *
 * @since 0.1.0
 */
export interface ConfigClientOptions {
  /** A `.yaml`, `.yml` or `.json` file, or a configuration object in the file's shape. */
  readonly config: string | ConfigInput
  /** Where `${VAR}` and provider keys are read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /** Reload the file when it changes. Default true. */
  readonly watch?: boolean | undefined
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

const providerKeys = [
  "provider",
  "apiKey",
  "baseUrl",
  "headers",
  "organization",
  "project",
  "name",
  "authToken",
  "version",
  "betas",
  "defaultMaxTokens",
  "resourceName",
  "apiVersion",
  "deployment",
  "embeddingDeployment",
  "route",
  "azureAdToken",
  "region",
  "credentials",
  "keepAlive"
] as const
const reliabilityKeys = ["retry", "timeout", "circuitBreaker", "rateLimit", "fallbacks", "cache"] as const
const knownKeys = new Set<string>([...providerKeys, ...reliabilityKeys, "transport"])
const knownTargetKeys = new Set<string>([...providerKeys, "model"])
const extraKeys = providerKeys.filter(
  (key) => !["provider", "apiKey", "baseUrl", "headers", "credentials"].includes(key)
)

const fromEnv = (names: ReadonlyArray<string> | undefined): string | undefined => {
  for (const name of names ?? []) {
    const value = process.env[name]
    if (value !== undefined && value !== "") return value
  }
  return undefined
}

const checkKeys = (options: object, known: ReadonlySet<string>, where: string): void => {
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new InvalidRequestError({ message: `${where}: unknown option "${key}"`, param: key })
    }
  }
}

// A provider's layer from its options, with settings not given read from the vendor's environment variables.
const providerLayer = (
  options: ProviderOptions,
  where: string
): Layer.Layer<LlmClient, never, HttpClient.HttpClient> => {
  const entry: ProviderEntry | undefined = Object.hasOwn(providers, options.provider)
    ? providers[options.provider]
    : undefined
  if (entry === undefined) {
    throw new NotFoundError({
      message: `${where}: unknown provider ${JSON.stringify(options.provider)}; the providers are: ${providerNames().join(", ")}`,
      ...(typeof options.provider === "string" ? { provider: options.provider } : {})
    })
  }
  const rawKey = options.apiKey ?? fromEnv(entry.apiKeyEnv)
  const apiKey = rawKey === undefined ? undefined : typeof rawKey === "string" ? Redacted.make(rawKey) : rawKey
  if (entry.requiresApiKey && (apiKey === undefined || Redacted.value(apiKey) === "")) {
    throw new AuthenticationError({
      message: `${entry.name} needs an API key: pass apiKey to new Client() or set ${(entry.apiKeyEnv ?? []).join(" or ")}`,
      provider: entry.name
    })
  }
  const baseUrl = options.baseUrl ?? fromEnv(entry.baseUrlEnv)
  if (entry.requiresBaseUrl && baseUrl === undefined) {
    throw new InvalidRequestError({
      message: `${entry.name} needs a baseUrl, e.g. http://127.0.0.1:8000/v1`,
      provider: entry.name,
      param: "baseUrl"
    })
  }
  const extra: Record<string, unknown> = {}
  for (const key of extraKeys) {
    const value = options[key] ?? fromEnv(entry.extraEnv?.[key])
    if (value !== undefined)
      extra[key] = secretSettings.has(key) && typeof value === "string" ? Redacted.make(value) : value
  }
  if (options.credentials !== undefined) {
    extra.accessKeyId = options.credentials.accessKeyId
    extra.secretAccessKey = options.credentials.secretAccessKey
    if (options.credentials.sessionToken !== undefined) extra.sessionToken = options.credentials.sessionToken
  } else {
    for (const key of ["accessKeyId", "secretAccessKey", "sessionToken"] as const) {
      const value = fromEnv(entry.extraEnv?.[key])
      if (value !== undefined) extra[key] = key === "accessKeyId" ? value : Redacted.make(value)
    }
  }
  const settings = { apiKey, baseUrl, headers: options.headers, extra }
  const problem = entry.check?.(settings)
  if (problem !== undefined) throw problem
  return entry.layer(settings)
}

const millis = (value: number | undefined) => (value === undefined ? undefined : Duration.millis(value))

const defined = <A extends object>(value: A): A =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as A

const buildLayer = (options: ClientOptions): Layer.Layer<LlmClient, unknown> => {
  if (typeof options !== "object" || options === null) {
    throw new InvalidRequestError({ message: "new Client(options): options must be an object", param: "options" })
  }
  const transport = options.transport ?? HttpTransport.layer
  if ("config" in options) {
    checkKeys(options, new Set(["config", "env", "watch", "transport"]), "new Client(options)")
    const env = options.env ?? process.env
    const source =
      typeof options.config === "string"
        ? Config.layerFile(options.config, { env, watch: options.watch ?? true })
        : Layer.effect(
            AdapterConfigSource,
            Effect.flatMap(Config.decode(options.config, { env }), (config) => Config.make(config))
          )
    return Router.layerFromSource({ env }).pipe(Layer.provide(source), Layer.provide(transport))
  }
  let primary: Layer.Layer<LlmClient, unknown, HttpClient.HttpClient>
  if ("layer" in options) {
    checkKeys(options, new Set([...reliabilityKeys, "layer", "transport"]), "new Client(options)")
    primary = options.layer as Layer.Layer<LlmClient, unknown, HttpClient.HttpClient>
  } else {
    checkKeys(options, knownKeys, "new Client(options)")
    primary = providerLayer(options, "new Client(options)")
  }
  const fallbacks = (options.fallbacks ?? []).map((target, i) => {
    const where = `new Client(options).fallbacks[${i}]`
    if (typeof target !== "object" || target === null) {
      throw new InvalidRequestError({ message: `${where} must be an object`, param: `fallbacks[${i}]` })
    }
    checkKeys(target, knownTargetKeys, where)
    return { layer: providerLayer(target, where), model: target.model }
  })
  const stack = Effect.gen(function* () {
    const breaker = options.circuitBreaker === undefined ? undefined : yield* Stack.breaker(options.circuitBreaker)
    const wrap = Stack.perTarget({
      retry: options.retry,
      timeout: options.timeout,
      rateLimit: options.rateLimit,
      breaker
    })
    let client = yield* Effect.flatMap(LlmClient, wrap)
    if (fallbacks.length > 0) {
      const targets = yield* Effect.forEach(fallbacks, (target) =>
        Effect.map(
          Effect.flatMap(
            Effect.map(Layer.build(target.layer), (context) => Context.get(context, LlmClient)),
            wrap
          ),
          (built) => ({ client: built, model: target.model })
        )
      )
      client = Fallback.decorateClient(targets)(client)
    }
    client = Stack.around(options.timeout)(client)
    if (options.cache !== undefined) {
      const cache = yield* Cache.make(
        defined({
          ttl: millis(options.cache.ttlMs),
          maxEntries: options.cache.maxEntries,
          cacheNonDeterministic: options.cache.cacheNonDeterministic
        })
      )
      client = cache.decorateClient(client)
    }
    return client
  })
  return Layer.scoped(LlmClient, stack).pipe(Layer.provide(primary), Layer.provide(transport))
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
    private readonly reader: PullStream.Reader<StreamChunk, LlmError>,
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
        // The stream's reader, pulled batch by batch from the caller's awaits: no channel, no scope.
        const reader = yield* Effect.uninterruptible(PullStream.openOf(client.stream(request)))
        return { reader, provider: client.provider }
      }),
      signal === undefined ? undefined : { signal }
    )
    if (Exit.isFailure(opened)) throw toThrowable(opened.cause, signal)
    const { reader, provider } = opened.value
    const stream = new ChatStream(runtime, reader, request, provider, signal)
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
    await this.runtime.runPromise(this.reader.close)
  }

  /** Pulls the next batch of chunks; false when the stream has ended. */
  private async fill(): Promise<boolean> {
    if (this.finished) return false
    const exit = await this.runtime.runPromiseExit(
      this.reader.pull,
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

  /**
   * A value decoded by an Effect Schema: JSON Schema output where the provider has it, a forced tool where not, one
   * repair attempt on a bad answer, then `ObjectDecodeError` holding the raw text (see docs/structured-output.md).
   */
  async generateObject<A, I>(
    options: GenerateObject.GenerateObjectOptions<A, I> & CallOptions
  ): Promise<GenerateObject.GenerateObjectResult<A>> {
    this.assertOpen()
    const { signal, ...rest } = options
    return this.run(GenerateObject.generateObject(rest as GenerateObject.GenerateObjectOptions<A, I>), signal)
  }

  /**
   * Runs the model with tools until it answers: tool calls run in parallel (bounded), results go back, up to
   * `maxSteps` model calls (see docs/tools.md). Tools come from `AsyncTool.make` or `Toolkit.tool`.
   */
  async runTools(params: AsyncTool.RunToolsParams): Promise<ToolLoop.ToolLoopResult> {
    this.assertOpen()
    return AsyncTool.runTools((effect, signal) => this.run(effect, signal), params)
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

  private async run<A, E = LlmError>(
    effect: Effect.Effect<A, E, LlmClient>,
    signal: AbortSignal | undefined
  ): Promise<A> {
    const exit = await this.runtime.runPromiseExit(effect, signal === undefined ? undefined : { signal })
    if (Exit.isSuccess(exit)) return exit.value
    throw toThrowable(exit.cause, signal)
  }
}
