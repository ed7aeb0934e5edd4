import * as OtelTracer from "@effect/opentelemetry/Tracer"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import type { ChatRequest } from "../../core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../../core/ChatResponse.js"
import type { EmbeddingRequest, EmbeddingResponse } from "../../core/Embedding.js"
import type { LlmClient } from "../../core/LlmClient.js"
import type { LlmError } from "../../core/LlmError.js"
import type { StreamChunk } from "../../core/StreamChunk.js"
import type { Usage } from "../../core/Usage.js"
import { attemptClient, markDecorated } from "../../reliability/internal/decorate.js"
import * as Redaction from "../Redaction.js"
import { Adapter, Common, GenAi, providerName, systemName } from "./attributes.js"
import * as Content from "./content.js"
import * as Hooks from "./hooks.js"
import * as Metrics from "./metrics.js"

/**
 * How calls are instrumented.
 *
 * @internal
 */
export interface InstrumentOptions {
  /** Record prompts and completions on the call's span (`gen_ai.input.messages`, `gen_ai.output.messages`). */
  readonly captureContent?: boolean | undefined
  /** Write one log line per call through Effect's logger. Default true. */
  readonly logCalls?: boolean | undefined
  /** Secrets and shapes to remove from the errors calls fail with, beside the built-in ones. */
  readonly redaction?: Redaction.RedactionOptions | undefined
  /** The cost in USD of a call whose response does not carry one (a stream's, or a provider without prices). */
  readonly cost?: ((usage: Usage, model: string, provider: string) => number | undefined) | undefined
}

type Outcome = "success" | "error" | "cancelled"

// Everything one call's span, metrics and log line say, gathered as it ends.
interface Report {
  readonly operation: "chat" | "embeddings"
  readonly kind: "chat" | "stream" | "embed"
  provider: string
  readonly requestModel: string
  responseModel: string | undefined
  responseId: string | undefined
  requestId: string | undefined
  finishReason: string | undefined
  usage: Usage | undefined
  cost: number | undefined
  cached: boolean | undefined
  ttfcSeconds: number | undefined
  chunks: number | undefined
  chunkRate: number | undefined
  outcome: Outcome
  error: unknown
  durationSeconds: number
}

const newCall = (operation: string): Hooks.CallState => ({
  operation,
  attempts: 0,
  retries: 0,
  fallbacks: 0,
  cacheHit: undefined,
  rateLimitWaitMs: 0,
  answeredProvider: undefined,
  answeredModel: undefined
})

const newReport = (
  operation: Report["operation"],
  kind: Report["kind"],
  provider: string,
  requestModel: string
): Report => ({
  operation,
  kind,
  provider,
  requestModel,
  responseModel: undefined,
  responseId: undefined,
  requestId: undefined,
  finishReason: undefined,
  usage: undefined,
  cost: undefined,
  cached: undefined,
  ttfcSeconds: undefined,
  chunks: undefined,
  chunkRate: undefined,
  outcome: "success",
  error: undefined,
  durationSeconds: 0
})

const set = (attributes: Record<string, unknown>, key: string, value: unknown): void => {
  if (value !== undefined) attributes[key] = value
}

type ArrayAttributes = ReadonlyArray<readonly [string, ReadonlyArray<string>]>

// Effect's span attributes are rendered as strings by `@effect/opentelemetry`; the conventions want arrays for
// finish reasons, stop sequences and encoding formats, so those go to the OpenTelemetry span itself.
const setArrays = (span: Tracer.Span, entries: ArrayAttributes): Effect.Effect<void> =>
  entries.length === 0
    ? Effect.void
    : Effect.withParentSpan(
        Effect.map(OtelTracer.currentOtelSpan, (otel) => {
          for (const [key, values] of entries) otel.setAttribute(key, [...values])
        }),
        span
      ).pipe(Effect.ignore)

const chatAttributes = (
  provider: string,
  request: ChatRequest,
  stream: boolean,
  captureContent: boolean
): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    [GenAi.operationName]: "chat",
    [GenAi.providerName]: providerName(provider),
    [GenAi.system]: systemName(provider),
    [Adapter.provider]: provider,
    [Adapter.operation]: stream ? "stream" : "chat",
    [GenAi.requestModel]: request.model,
    [GenAi.requestStream]: stream
  }
  set(attributes, GenAi.requestTemperature, request.temperature)
  set(attributes, GenAi.requestTopP, request.topP)
  set(attributes, GenAi.requestMaxTokens, request.maxTokens)
  set(attributes, GenAi.requestFrequencyPenalty, request.frequencyPenalty)
  set(attributes, GenAi.requestPresencePenalty, request.presencePenalty)
  set(attributes, GenAi.requestSeed, request.seed)
  if (request.responseFormat !== undefined) {
    attributes[GenAi.outputType] = request.responseFormat.type === "text" ? "text" : "json"
  }
  if (captureContent) {
    const input = Content.inputOf(request)
    attributes[GenAi.inputMessages] = input.messages
    set(attributes, GenAi.systemInstructions, input.system)
  }
  return attributes
}

const embedAttributes = (
  provider: string,
  request: EmbeddingRequest,
  captureContent: boolean
): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {
    [GenAi.operationName]: "embeddings",
    [GenAi.providerName]: providerName(provider),
    [GenAi.system]: systemName(provider),
    [Adapter.provider]: provider,
    [Adapter.operation]: "embed",
    [GenAi.requestModel]: request.model
  }
  set(attributes, GenAi.embeddingsDimensionCount, request.dimensions)
  if (captureContent) attributes[GenAi.inputMessages] = Content.embeddingInputOf(request)
  return attributes
}

const chatArrays = (request: ChatRequest): ArrayAttributes =>
  request.stop === undefined
    ? []
    : [[GenAi.requestStopSequences, typeof request.stop === "string" ? [request.stop] : request.stop]]

const embedArrays = (request: EmbeddingRequest): ArrayAttributes =>
  request.encodingFormat === undefined ? [] : [[GenAi.requestEncodingFormats, [request.encodingFormat]]]

const endArrays = (report: Report): ArrayAttributes =>
  report.finishReason === undefined ? [] : [[GenAi.responseFinishReasons, [report.finishReason]]]

const findFailure = (cause: Cause.Cause<unknown>): unknown => {
  switch (cause._tag) {
    case "Fail":
      return cause.error
    case "Die":
      return cause.defect
    case "Sequential":
    case "Parallel":
      return findFailure(cause.left) ?? findFailure(cause.right)
    default:
      return undefined
  }
}

const errorTypeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : "_OTHER"

// The outcome of a call from its exit: a failure, a cancellation (interrupted, or left by its consumer), or success.
const settleOutcome = (report: Report, exit: Exit.Exit<unknown, unknown>): void => {
  if (Exit.isSuccess(exit)) return
  if (Cause.isInterruptedOnly(exit.cause)) {
    report.outcome = "cancelled"
    return
  }
  report.outcome = "error"
  report.error = findFailure(exit.cause)
}

const annotateEnd = (span: Tracer.Span, report: Report, call: Hooks.CallState): void => {
  span.attribute(GenAi.providerName, providerName(report.provider))
  span.attribute(GenAi.system, systemName(report.provider))
  span.attribute(Adapter.provider, report.provider)
  span.attribute(Adapter.outcome, report.outcome)
  span.attribute(Adapter.attempts, call.attempts)
  if (call.retries > 0) span.attribute(Adapter.retries, call.retries)
  if (call.fallbacks > 0) span.attribute(Adapter.fallbacks, call.fallbacks)
  if (report.cached !== undefined) span.attribute(Adapter.cacheHit, report.cached)
  if (call.rateLimitWaitMs > 0) span.attribute(Adapter.rateLimitWait, call.rateLimitWaitMs / 1000)
  if (report.responseId !== undefined) span.attribute(GenAi.responseId, report.responseId)
  if (report.responseModel !== undefined) span.attribute(GenAi.responseModel, report.responseModel)
  if (report.requestId !== undefined) span.attribute(Adapter.requestId, report.requestId)
  if (report.usage !== undefined) {
    const usage = report.usage
    span.attribute(GenAi.usageInputTokens, usage.inputTokens)
    span.attribute(GenAi.usageOutputTokens, usage.outputTokens)
    if (usage.cacheReadTokens !== undefined) span.attribute(GenAi.usageCacheReadInputTokens, usage.cacheReadTokens)
    if (usage.cacheWriteTokens !== undefined) {
      span.attribute(GenAi.usageCacheCreationInputTokens, usage.cacheWriteTokens)
    }
    if (usage.reasoningTokens !== undefined) span.attribute(GenAi.usageReasoningOutputTokens, usage.reasoningTokens)
  }
  if (report.cost !== undefined) span.attribute(Adapter.costUsd, report.cost)
  if (report.ttfcSeconds !== undefined) span.attribute(GenAi.responseTimeToFirstChunk, report.ttfcSeconds)
  if (report.chunks !== undefined) span.attribute(Adapter.streamChunks, report.chunks)
  if (report.outcome === "error") {
    const error = report.error
    span.attribute(Common.errorType, errorTypeOf(error))
    if (typeof error === "object" && error !== null) {
      if ("status" in error && typeof error.status === "number") span.attribute(Common.httpStatus, error.status)
      if ("retryable" in error && typeof error.retryable === "boolean") {
        span.attribute(Adapter.errorRetryable, error.retryable)
      }
    }
  }
}

const record = (report: Report): void => {
  const errorType = report.outcome === "error" ? errorTypeOf(report.error) : undefined
  const labels = Metrics.callLabels(report.operation, report.provider, report.requestModel, errorType)
  Metrics.operationDuration.unsafeUpdate(report.durationSeconds, labels)
  if (report.usage !== undefined) {
    const tokens = (type: string) =>
      Metrics.callLabels(report.operation, report.provider, report.requestModel, undefined, GenAi.tokenType, type)
    Metrics.tokenUsage.unsafeUpdate(report.usage.inputTokens, tokens("input"))
    if (report.operation === "chat") Metrics.tokenUsage.unsafeUpdate(report.usage.outputTokens, tokens("output"))
  }
  if (report.ttfcSeconds !== undefined) Metrics.timeToFirstChunk.unsafeUpdate(report.ttfcSeconds, labels)
  if (report.chunkRate !== undefined) Metrics.chunkRate.unsafeUpdate(report.chunkRate, labels)
  if (report.cost !== undefined && report.cost > 0) Metrics.cost.unsafeUpdate(report.cost, labels)
}

const messageOfError = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : undefined

const round = (value: number, digits: number): number => {
  const scale = 10 ** digits
  return Math.round(value * scale) / scale
}

// One structured line per call. Logged outside any span, so that it does not become an event of the caller's span.
const logLine = (report: Report, call: Hooks.CallState, span: Tracer.Span): Effect.Effect<void> => {
  const annotations: Record<string, unknown> = {
    "gen_ai.operation.name": report.operation,
    operation: report.kind,
    provider: report.provider,
    model: report.requestModel,
    outcome: report.outcome,
    latency_ms: round(report.durationSeconds * 1000, 3),
    attempts: call.attempts,
    trace_id: span.traceId,
    span_id: span.spanId
  }
  set(annotations, "response_model", report.responseModel)
  set(annotations, "response_id", report.responseId)
  set(annotations, "request_id", report.requestId)
  set(annotations, "finish_reason", report.finishReason)
  if (report.usage !== undefined) {
    annotations.input_tokens = report.usage.inputTokens
    annotations.output_tokens = report.usage.outputTokens
  }
  set(annotations, "cost_usd", report.cost)
  if (report.ttfcSeconds !== undefined) annotations.ttfc_ms = round(report.ttfcSeconds * 1000, 3)
  set(annotations, "chunks", report.chunks)
  if (call.retries > 0) annotations.retries = call.retries
  if (call.fallbacks > 0) annotations.fallbacks = call.fallbacks
  if (report.cached !== undefined) annotations.cached = report.cached
  if (call.rateLimitWaitMs > 0) annotations.rate_limit_wait_ms = call.rateLimitWaitMs
  if (report.outcome === "error") {
    annotations["error.type"] = errorTypeOf(report.error)
    set(annotations, "error.message", messageOfError(report.error))
  }
  const level =
    report.outcome === "error" ? LogLevel.Warning : report.outcome === "cancelled" ? LogLevel.Info : LogLevel.Info
  const message = `${report.kind} ${report.requestModel} ${report.outcome}`
  return Effect.logWithLevel(level, message).pipe(
    Effect.annotateLogs(annotations),
    Effect.mapInputContext((context: Context.Context<never>) => Context.omit(Tracer.ParentSpan)(context))
  )
}

const withCall = (context: Context.Context<never>, span: Tracer.Span, call: Hooks.CallState): Context.Context<never> =>
  Context.add(Context.add(context, Tracer.ParentSpan, span), Hooks.CurrentCall, call)

const secondsBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e9

// What a stream's chunks say, read as they pass.
class StreamTracker {
  chunks = 0
  firstAt: bigint | undefined
  lastAt: bigint | undefined
  id: string | undefined
  model: string | undefined
  requestId: string | undefined
  finishReason: string | undefined
  usage: Usage | undefined
  // Gaps between chunks, recorded when the stream ends: only then is it known which provider answered.
  readonly gaps: Array<number> = []

  constructor(readonly accumulator: Accumulator | undefined) {}

  add(batch: Iterable<StreamChunk>, size: number, now: bigint): void {
    if (size === 0) return
    if (this.lastAt !== undefined) {
      // Chunks of one read arrive together: the gap since the previous read is shared among them.
      const gap = secondsBetween(this.lastAt, now) / size
      for (let i = 0; i < size; i++) this.gaps.push(gap)
    } else {
      this.firstAt = now
    }
    this.lastAt = now
    this.chunks += size
    for (const chunk of batch) {
      if (this.id === undefined && chunk.id !== undefined && chunk.id !== "") this.id = chunk.id
      if (this.model === undefined && chunk.model !== undefined && chunk.model !== "") this.model = chunk.model
      if (this.requestId === undefined && chunk.requestId !== undefined) this.requestId = chunk.requestId
      if (chunk.finishReason !== undefined) this.finishReason = chunk.finishReason
      if (chunk.usage !== undefined) this.usage = chunk.usage
      this.accumulator?.add(chunk)
    }
  }
}

/**
 * A client whose calls are traced, measured and logged.
 *
 * @internal
 */
export const instrument =
  (options: InstrumentOptions = {}) =>
  (client: LlmClient.Service): LlmClient.Service => {
    Hooks.enable()
    const redactor = Redaction.make(options.redaction)
    const captureContent = options.captureContent === true
    const logCalls = options.logCalls !== false
    const inner = attemptClient(client)
    const provider = client.provider
    const priced = (report: Report, response: { readonly cost?: number | undefined } | undefined): void => {
      if (response?.cost !== undefined) report.cost = response.cost
      else if (options.cost !== undefined && report.usage !== undefined) {
        report.cost = options.cost(report.usage, report.responseModel ?? report.requestModel, report.provider)
      }
    }

    // Runs one call of an effect operation under its span; nested instrumented calls pass through.
    const observe = <A>(
      name: string,
      attributes: Record<string, unknown>,
      arrays: ArrayAttributes,
      report: Report,
      run: Effect.Effect<A, LlmError>,
      describe: (report: Report, value: A, span: Tracer.Span) => void
    ): Effect.Effect<A, LlmError> =>
      Effect.clockWith((clock) =>
        Effect.withFiberRuntime((fiber: Fiber.RuntimeFiber<A, LlmError>) => {
          const context = fiber.currentContext
          if (Context.getOrElse(context, Hooks.CurrentCall, () => undefined) !== undefined) return run
          const call = newCall(report.operation)
          const started = clock.unsafeCurrentTimeNanos()
          let span: Tracer.Span | undefined
          const traced = Effect.useSpan(name, { kind: "client", attributes, captureStackTrace: false }, (opened) => {
            span = opened
            const traced = run.pipe(
              Effect.mapInputContext((inner: Context.Context<never>) => withCall(inner, opened, call)),
              Effect.mapErrorCause((cause: Cause.Cause<LlmError>) => redactor.cause(cause)),
              Effect.onExit((exit) =>
                Effect.suspend(() => {
                  report.durationSeconds = secondsBetween(started, clock.unsafeCurrentTimeNanos())
                  settleOutcome(report, exit)
                  if (Exit.isSuccess(exit)) describe(report, exit.value, opened)
                  if (report.cached === undefined && call.cacheHit !== undefined) report.cached = call.cacheHit
                  annotateEnd(opened, report, call)
                  record(report)
                  return setArrays(opened, endArrays(report))
                })
              )
            )
            return arrays.length === 0 ? traced : Effect.zipRight(setArrays(opened, arrays), traced)
          })
          return logCalls
            ? Effect.onExit(traced, () => (span === undefined ? Effect.void : logLine(report, call, span)))
            : traced
        })
      )

    const describeChat = (report: Report, response: ChatResponse, span: Tracer.Span): void => {
      report.provider = response.provider
      report.responseModel = response.model
      report.responseId = response.id
      report.requestId = response.requestId
      report.finishReason = response.finishReason
      report.usage = response.usage
      if (response.cached !== undefined) report.cached = response.cached
      priced(report, response)
      if (captureContent) span.attribute(GenAi.outputMessages, Content.outputOf(response))
    }

    const describeEmbed = (report: Report, response: EmbeddingResponse): void => {
      report.provider = response.provider
      report.responseModel = response.model
      report.requestId = response.requestId
      report.usage = response.usage
      priced(report, undefined)
    }

    const chat = (request: ChatRequest): Effect.Effect<ChatResponse, LlmError> =>
      observe(
        `chat ${request.model}`,
        chatAttributes(provider, request, false, captureContent),
        chatArrays(request),
        newReport("chat", "chat", provider, request.model),
        inner.chat(request),
        describeChat
      )

    const embed = (request: EmbeddingRequest): Effect.Effect<EmbeddingResponse, LlmError> =>
      observe(
        `embeddings ${request.model}`,
        embedAttributes(provider, request, captureContent),
        embedArrays(request),
        newReport("embeddings", "embed", provider, request.model),
        inner.embed(request),
        describeEmbed
      )

    const stream = (request: ChatRequest): Stream.Stream<StreamChunk, LlmError> =>
      Stream.unwrap(
        Effect.clockWith((clock: Clock.Clock) =>
          Effect.withFiberRuntime((fiber: Fiber.RuntimeFiber<Stream.Stream<StreamChunk, LlmError>, never>) => {
            const context = fiber.currentContext
            if (Context.getOrElse(context, Hooks.CurrentCall, () => undefined) !== undefined) {
              return Effect.succeed(inner.stream(request))
            }
            const call = newCall("chat")
            const report = newReport("chat", "stream", provider, request.model)
            const started = clock.unsafeCurrentTimeNanos()
            const attributes = chatAttributes(provider, request, true, captureContent)
            const name = `chat ${request.model}`
            return Effect.flatMap(
              Effect.makeSpan(name, { kind: "client", attributes, captureStackTrace: false }),
              (span) => {
                const tracker = new StreamTracker(captureContent ? new Accumulator() : undefined)
                const finish = (exit: Exit.Exit<unknown, LlmError>): Effect.Effect<void> =>
                  Effect.suspend(() => {
                    const now = clock.unsafeCurrentTimeNanos()
                    report.durationSeconds = secondsBetween(started, now)
                    settleOutcome(report, exit)
                    report.provider = call.answeredProvider ?? provider
                    report.responseModel = tracker.model ?? call.answeredModel
                    report.responseId = tracker.id
                    report.requestId = tracker.requestId
                    report.finishReason = tracker.finishReason
                    report.usage = tracker.usage
                    report.chunks = tracker.chunks
                    report.cached = call.cacheHit
                    if (tracker.firstAt !== undefined) {
                      report.ttfcSeconds = secondsBetween(started, tracker.firstAt)
                      const streaming =
                        tracker.lastAt === undefined ? 0 : secondsBetween(tracker.firstAt, tracker.lastAt)
                      if (tracker.chunks > 1 && streaming > 0) report.chunkRate = (tracker.chunks - 1) / streaming
                    }
                    priced(report, undefined)
                    if (tracker.gaps.length > 0) {
                      const labels = Metrics.callLabels("chat", report.provider, request.model)
                      for (const gap of tracker.gaps) Metrics.timePerOutputChunk.unsafeUpdate(gap, labels)
                    }
                    annotateEnd(span, report, call)
                    if (tracker.accumulator !== undefined && report.outcome === "success") {
                      const folded = tracker.accumulator.toResponse({ provider: report.provider, model: request.model })
                      span.attribute(GenAi.outputMessages, Content.outputOf(folded))
                    }
                    record(report)
                    return Effect.zipRight(
                      setArrays(span, endArrays(report)),
                      Effect.suspend(() => {
                        span.end(now, exit)
                        return logCalls ? logLine(report, call, span) : Effect.void
                      })
                    )
                  })
                const arrays = chatArrays(request)
                const traced = Stream.provideContext(inner.stream(request), withCall(context, span, call)).pipe(
                  Stream.mapChunks((chunks) => {
                    tracker.add(chunks, chunks.length, clock.unsafeCurrentTimeNanos())
                    return chunks
                  }),
                  Stream.mapErrorCause((cause: Cause.Cause<LlmError>) => redactor.cause(cause)),
                  Stream.ensuringWith(finish)
                )
                return arrays.length === 0 ? Effect.succeed(traced) : Effect.as(setArrays(span, arrays), traced)
              }
            )
          })
        )
      )

    return markDecorated({ provider, capabilities: client.capabilities, chat, stream, embed })
  }
