/**
 * Observability: every call traced, measured and logged, without a key or a prompt leaking.
 *
 * - Traces follow the OpenTelemetry GenAI semantic conventions: one `chat {model}` (or `embeddings {model}`) span per
 *   call with the request parameters, the response id, model, finish reasons and token usage, and one
 *   `gen_ai.attempt` child span per provider call under it (retry number, fallback target, circuit state, HTTP
 *   status, error type). A stream's span lasts until its last chunk, failure or cancellation.
 * - Metrics use the GenAI names where they exist (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`,
 *   `gen_ai.client.operation.time_to_first_chunk`, `…time_per_output_chunk`) and `agent_adapter.client.*` for
 *   retries, fallbacks, circuit state, rate-limit waits, cache lookups and cost; labels are provider, model,
 *   operation and error type only.
 * - One structured log line per call through Effect's logger (JSON by default), with request id, provider, model,
 *   latency, tokens, cost and outcome.
 * - Redaction everywhere it leaves the process: logs, span names, attributes and events, and the errors calls fail
 *   with. Prompts and completions are recorded only with `captureContent: true`.
 *
 * @since 0.1.0
 */

import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import type { MetricReader } from "@opentelemetry/sdk-metrics"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import { LlmClient } from "../core/LlmClient.js"
import { type InstrumentOptions as Instrument, instrument as instrumentClient } from "./internal/instrument.js"
import * as MemoryInternal from "./internal/memory.js"
import * as Metrics from "./internal/metrics.js"
import * as Telemetry from "./internal/telemetry.js"
import * as Redaction from "./Redaction.js"

export type {
  CapturedLog,
  CapturedMetric,
  CapturedPoint,
  CapturedSpan,
  HistogramValue,
  MemoryService,
  SpanNode
} from "./internal/memory.js"

/**
 * How calls are instrumented: content capture, the per-call log line, extra redaction, and prices for the cost of
 * streams.
 *
 * @since 0.1.0
 */
export type InstrumentOptions = Instrument

/**
 * The log formats: one JSON object per line (default), logfmt, Effect's pretty console format, or none.
 *
 * @since 0.1.0
 */
export type LogFormat = Telemetry.LogFormat

/**
 * Where telemetry goes.
 *
 * @since 0.1.0
 */
export interface TelemetryOptions {
  /** `service.name` of the OpenTelemetry resource. */
  readonly serviceName: string
  readonly serviceVersion?: string | undefined
  /** More resource attributes, e.g. `{ "deployment.environment.name": "production" }`. */
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean>> | undefined
  /**
   * The base URL of an OTLP/HTTP collector, e.g. `http://localhost:4318`: traces go to `/v1/traces`, metrics to
   * `/v1/metrics`. Default: `OTEL_EXPORTER_OTLP_ENDPOINT` when it is set; otherwise nothing is exported over OTLP.
   */
  readonly otlpEndpoint?: string | undefined
  /** Headers of every OTLP request (a collector's API key, for instance: it is never logged). */
  readonly otlpHeaders?: Readonly<Record<string, string>> | undefined
  /** How often metrics are pushed over OTLP. Default 60 seconds. */
  readonly metricExportInterval?: Duration.DurationInput | undefined
  /** More span processors (your own exporters); they receive redacted spans too. */
  readonly spanProcessors?: ReadonlyArray<SpanProcessor> | undefined
  /** More metric readers (a Prometheus exporter, for instance). */
  readonly metricReaders?: ReadonlyArray<MetricReader> | undefined
  /** The format of Effect's logger. Default `json`. */
  readonly logFormat?: LogFormat | undefined
  /** The least severe level logged. Default: Effect's (`Info`). */
  readonly logLevel?: LogLevel.Literal | undefined
  /** Secrets and shapes to remove beside the built-in ones. */
  readonly redaction?: Redaction.RedactionOptions | undefined
}

/**
 * Everything {@link layer} takes: where telemetry goes, and how calls are instrumented.
 *
 * @since 0.1.0
 */
export interface ObservabilityOptions extends TelemetryOptions, InstrumentOptions {
  readonly redaction?: Redaction.RedactionOptions | undefined
}

/**
 * Options of the in-memory telemetry.
 *
 * @since 0.1.0
 */
export interface MemoryOptions extends InstrumentOptions {
  /** Default `agent-adapter-test`. */
  readonly serviceName?: string | undefined
  /** Also write logs to the console in this format. Default `none`. */
  readonly console?: LogFormat | undefined
}

/**
 * The client with its calls traced, measured and logged. Wrap the outermost client (above retries, fallbacks and
 * the cache): its span is the call, the provider calls under it are its attempts.
 *
 * @example
 * ```ts
 * const llm = Observability.instrument({ captureContent: false })(Retry.decorateClient()(openai))
 * ```
 *
 * @since 0.1.0
 */
export const instrument = (options: InstrumentOptions = {}): ((client: LlmClient.Service) => LlmClient.Service) =>
  instrumentClient(options)

/**
 * The instrumentation as a layer over the `LlmClient` below it, without installing any exporter: spans and metrics
 * go to the tracer and metric exporters already in place.
 *
 * @since 0.1.0
 */
export const layerInstrument = (options: InstrumentOptions = {}): Layer.Layer<LlmClient, never, LlmClient> =>
  Layer.effect(LlmClient, Effect.map(LlmClient, instrumentClient(options)))

const trimSlash = (url: string): string => url.replace(/\/+$/, "")

const otlpEndpointOf = (options: TelemetryOptions): Effect.Effect<Option.Option<string>> =>
  options.otlpEndpoint !== undefined
    ? Effect.succeed(Option.some(options.otlpEndpoint))
    : Config.option(Config.nonEmptyString("OTEL_EXPORTER_OTLP_ENDPOINT")).pipe(
        Effect.orElseSucceed(() => Option.none<string>())
      )

/**
 * The exporters and the logger, without instrumenting a client: OTLP export of traces and metrics (when an
 * endpoint is given or `OTEL_EXPORTER_OTLP_ENDPOINT` is set), your span processors and metric readers, Effect's
 * logger in the chosen format, all redacted. Spans are flushed when the layer's scope closes.
 *
 * @since 0.1.0
 */
export const layerTelemetry = (options: TelemetryOptions): Layer.Layer<never> =>
  Layer.unwrapEffect(
    Effect.map(otlpEndpointOf(options), (endpoint) => {
      const redactor = Redaction.make(options.redaction)
      const headers = options.otlpHeaders === undefined ? {} : { headers: { ...options.otlpHeaders } }
      const processors: Array<SpanProcessor> = [...(options.spanProcessors ?? [])]
      const readers: Array<MetricReader> = [...(options.metricReaders ?? [])]
      if (Option.isSome(endpoint)) {
        const base = trimSlash(endpoint.value)
        processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces`, ...headers })))
        readers.push(
          new PeriodicExportingMetricReader({
            exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics`, ...headers }),
            exportIntervalMillis: Duration.toMillis(Duration.decode(options.metricExportInterval ?? "60 seconds"))
          })
        )
      }
      const exporters = Telemetry.sequence([
        processors.length === 0 ? Layer.empty : Telemetry.tracerLayer(processors, redactor),
        Telemetry.metricsLayer(readers)
      ]).pipe(Layer.provide(Telemetry.resourceLayer(options)))
      return Telemetry.sequence([
        exporters,
        Telemetry.loggerLayer(options.logFormat ?? "json", redactor),
        options.logLevel === undefined ? Layer.empty : Logger.minimumLogLevel(LogLevel.fromLiteral(options.logLevel)),
        Telemetry.headersLayer
      ])
    })
  )

/**
 * One call to wire it up: the instrumentation over the `LlmClient` below it, and the telemetry it goes to (OTLP
 * export, the logger, redaction).
 *
 * @example
 * ```ts
 * const Live = Observability.layer({ serviceName: "checkout", otlpEndpoint: "http://otel-collector:4318" }).pipe(
 *   Layer.provide(Retry.layer()),
 *   Layer.provide(OpenAi.layerConfig()),
 *   Layer.provide(HttpTransport.layer)
 * )
 * ```
 *
 * @since 0.1.0
 */
export const layer = (options: ObservabilityOptions): Layer.Layer<LlmClient, never, LlmClient> =>
  layerInstrument(options).pipe(Layer.provideMerge(layerTelemetry(options)))

/**
 * The in-memory telemetry in context, to read what was captured.
 *
 * @since 0.1.0
 */
export const Memory = MemoryInternal.Memory

/**
 * @since 0.1.0
 */
export type Memory = MemoryInternal.Memory

/**
 * Arranges captured spans into trees by their parent ids.
 *
 * @since 0.1.0
 */
export const toTree = MemoryInternal.toTree

/**
 * In-memory telemetry only (no instrumentation): spans, metrics and logs captured and redacted as an exporter
 * would see them, readable through {@link Memory}.
 *
 * @since 0.1.0
 */
export const layerMemoryTelemetry = (
  options: Pick<MemoryOptions, "serviceName" | "console" | "redaction"> = {}
): Layer.Layer<MemoryInternal.Memory> =>
  MemoryInternal.layer({ redactor: Redaction.make(options.redaction), console: options.console }).pipe(
    Layer.provideMerge(Telemetry.headersLayer),
    Layer.provide(Telemetry.resourceLayer({ serviceName: options.serviceName ?? "agent-adapter-test" }))
  )

/**
 * The instrumentation over the `LlmClient` below it with in-memory telemetry, for tests: read the captured spans,
 * metrics and logs through {@link Memory}.
 *
 * @example
 * ```ts
 * const program = Effect.gen(function* () {
 *   yield* LlmClient.chat(request)
 *   const memory = yield* Observability.Memory
 *   const [call] = yield* memory.spanTree
 * }).pipe(Effect.provide(Observability.layerMemory().pipe(Layer.provideMerge(MockLlm.layer()))))
 * ```
 *
 * @since 0.1.0
 */
export const layerMemory = (
  options: MemoryOptions = {}
): Layer.Layer<LlmClient | MemoryInternal.Memory, never, LlmClient> =>
  layerInstrument(options).pipe(Layer.provideMerge(layerMemoryTelemetry(options)))

/**
 * The metrics the instrumentation records, as Effect metrics (for a Prometheus endpoint or your own exporter).
 *
 * @since 0.1.0
 */
export const metrics = {
  operationDuration: Metrics.operationDuration,
  tokenUsage: Metrics.tokenUsage,
  timeToFirstChunk: Metrics.timeToFirstChunk,
  timePerOutputChunk: Metrics.timePerOutputChunk,
  chunkRate: Metrics.chunkRate,
  cost: Metrics.cost,
  retries: Metrics.retries,
  fallbacks: Metrics.fallbacks,
  circuitState: Metrics.circuitState,
  circuitRejections: Metrics.circuitRejections,
  rateLimitWait: Metrics.rateLimitWait,
  cacheRequests: Metrics.cacheRequests
} as const
