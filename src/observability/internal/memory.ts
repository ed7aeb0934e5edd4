import type * as OtelResource from "@effect/opentelemetry/Resource"
import { type Attributes, type HrTime, SpanKind, SpanStatusCode } from "@opentelemetry/api"
import { DataPointType, type MetricData, MetricReader } from "@opentelemetry/sdk-metrics"
import type { ReadableSpan, SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Redaction from "../Redaction.js"
import * as Telemetry from "./telemetry.js"

/**
 * A span as the in-memory exporter captured it (after redaction).
 *
 * @since 0.1.0
 */
export interface CapturedSpan {
  readonly name: string
  readonly kind: "internal" | "server" | "client" | "producer" | "consumer"
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly attributes: Readonly<Record<string, unknown>>
  readonly status: { readonly code: "unset" | "ok" | "error"; readonly message: string | undefined }
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>
  /** Milliseconds since the epoch, on the Effect clock. */
  readonly startTime: number
  readonly durationMs: number
}

/**
 * A captured span with the spans started under it, in start order.
 *
 * @since 0.1.0
 */
export interface SpanNode extends CapturedSpan {
  readonly children: ReadonlyArray<SpanNode>
}

/**
 * A histogram data point's value.
 *
 * @since 0.1.0
 */
export interface HistogramValue {
  readonly count: number
  readonly sum: number
  readonly min: number | undefined
  readonly max: number | undefined
  readonly boundaries: ReadonlyArray<number>
  readonly counts: ReadonlyArray<number>
}

/**
 * One series of a metric: its attributes and its current value (cumulative).
 *
 * @since 0.1.0
 */
export interface CapturedPoint {
  readonly attributes: Readonly<Record<string, unknown>>
  readonly value: number | HistogramValue
}

/**
 * A metric as the in-memory reader collected it.
 *
 * @since 0.1.0
 */
export interface CapturedMetric {
  readonly name: string
  readonly unit: string
  readonly description: string
  readonly type: "sum" | "gauge" | "histogram"
  readonly points: ReadonlyArray<CapturedPoint>
}

/**
 * A log entry as the in-memory logger captured it (after redaction), with the JSON line the `json` format writes.
 *
 * @since 0.1.0
 */
export interface CapturedLog {
  readonly level: string
  readonly message: unknown
  readonly annotations: Readonly<Record<string, unknown>>
  /** The cause, rendered; empty when there is none. */
  readonly cause: string
  readonly line: string
}

/**
 * What the in-memory telemetry captured so far.
 *
 * @since 0.1.0
 */
export interface MemoryService {
  /** Ended spans, in the order they ended. */
  readonly spans: Effect.Effect<ReadonlyArray<CapturedSpan>>
  /** Ended spans as trees: roots are spans whose parent was not captured. */
  readonly spanTree: Effect.Effect<ReadonlyArray<SpanNode>>
  /**
   * Every Effect metric of the process, collected now through the OpenTelemetry reader. Metrics are cumulative and
   * process-wide: compare before and after, or use distinct labels (a model name of the test's own).
   */
  readonly metrics: Effect.Effect<ReadonlyArray<CapturedMetric>>
  /** Log entries, in order. */
  readonly logs: Effect.Effect<ReadonlyArray<CapturedLog>>
  /** Forgets the captured spans and logs (metrics stay: they belong to the process). */
  readonly reset: Effect.Effect<void>
}

/**
 * The in-memory telemetry in context.
 *
 * @since 0.1.0
 */
export class Memory extends Context.Tag("@agent-adapter/sdk/observability/Memory")<Memory, MemoryService>() {}

const kinds: Record<number, CapturedSpan["kind"]> = {
  [SpanKind.INTERNAL]: "internal",
  [SpanKind.SERVER]: "server",
  [SpanKind.CLIENT]: "client",
  [SpanKind.PRODUCER]: "producer",
  [SpanKind.CONSUMER]: "consumer"
}

const millis = (time: HrTime): number => time[0] * 1000 + time[1] / 1e6

const plainAttributes = (attributes: Attributes | undefined): Record<string, unknown> => ({ ...attributes })

const capture = (span: ReadableSpan): CapturedSpan => ({
  name: span.name,
  kind: kinds[span.kind] ?? "internal",
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  attributes: plainAttributes(span.attributes),
  status: {
    code: span.status.code === SpanStatusCode.ERROR ? "error" : span.status.code === SpanStatusCode.OK ? "ok" : "unset",
    message: span.status.message
  },
  events: span.events.map((event) => ({ name: event.name, attributes: plainAttributes(event.attributes) })),
  startTime: millis(span.startTime),
  durationMs: millis(span.duration)
})

// Keeps every ended span it is given (redacted upstream), converted for assertions.
class CollectingSpanProcessor implements SpanProcessor {
  readonly spans: Array<CapturedSpan> = []
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(capture(span))
  }
  forceFlush(): Promise<void> {
    return Promise.resolve()
  }
  shutdown(): Promise<void> {
    return Promise.resolve()
  }
}

// A reader collected on demand.
class CollectingMetricReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const convertMetric = (metric: MetricData): CapturedMetric => {
  const base = {
    name: metric.descriptor.name,
    unit: metric.descriptor.unit,
    description: metric.descriptor.description
  }
  switch (metric.dataPointType) {
    case DataPointType.HISTOGRAM:
      return {
        ...base,
        type: "histogram",
        points: metric.dataPoints.map((point) => ({
          attributes: plainAttributes(point.attributes),
          value: {
            count: point.value.count,
            sum: point.value.sum ?? 0,
            min: point.value.min,
            max: point.value.max,
            boundaries: point.value.buckets.boundaries,
            counts: point.value.buckets.counts
          }
        }))
      }
    case DataPointType.GAUGE:
      return {
        ...base,
        type: "gauge",
        points: metric.dataPoints.map((point) => ({
          attributes: plainAttributes(point.attributes),
          value: point.value
        }))
      }
    case DataPointType.SUM:
      return {
        ...base,
        type: "sum",
        points: metric.dataPoints.map((point) => ({
          attributes: plainAttributes(point.attributes),
          value: point.value
        }))
      }
    default:
      return { ...base, type: "sum", points: [] }
  }
}

/**
 * Arranges spans into trees by their parent ids.
 *
 * @since 0.1.0
 */
export const toTree = (spans: ReadonlyArray<CapturedSpan>): ReadonlyArray<SpanNode> => {
  const byParent = new Map<string | undefined, Array<CapturedSpan>>()
  const ids = new Set(spans.map((span) => span.spanId))
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined && ids.has(span.parentSpanId) ? span.parentSpanId : undefined
    const siblings = byParent.get(parent) ?? []
    siblings.push(span)
    byParent.set(parent, siblings)
  }
  const build = (span: CapturedSpan): SpanNode => ({
    ...span,
    children: (byParent.get(span.spanId) ?? []).sort((a, b) => a.startTime - b.startTime).map(build)
  })
  return (byParent.get(undefined) ?? []).sort((a, b) => a.startTime - b.startTime).map(build)
}

/**
 * In-memory telemetry: spans, metrics and logs captured for assertions, all redacted like an exporter would see
 * them. With `console`, logs are also written in that format.
 *
 * @internal
 */
export const layer = (options: {
  readonly redactor: Redaction.Redactor
  readonly console?: Telemetry.LogFormat | undefined
}): Layer.Layer<Memory, never, OtelResource.Resource> =>
  Layer.unwrapEffect(
    Effect.sync(() => {
      const processor = new CollectingSpanProcessor()
      const reader = new CollectingMetricReader()
      const logs: Array<CapturedLog> = []
      const redacted = {
        structured: Telemetry.redactingLogger(Logger.structuredLogger, options.redactor),
        json: Telemetry.redactingLogger(Logger.jsonLogger, options.redactor)
      }
      const memoryLogger = Logger.make<unknown, void>((entry) => {
        const structured = redacted.structured.log(entry)
        logs.push({
          level: structured.logLevel,
          message: structured.message,
          annotations: structured.annotations,
          cause: structured.cause ?? "",
          line: options.redactor.text(redacted.json.log(entry))
        })
      })
      const console = options.console ?? "none"
      const loggers =
        console === "none"
          ? Logger.replace(Logger.defaultLogger, memoryLogger)
          : Telemetry.sequence([
              Logger.replace(Logger.defaultLogger, memoryLogger),
              Logger.add(Telemetry.consoleLogger(console, options.redactor))
            ])
      const service: MemoryService = {
        spans: Effect.sync(() => [...processor.spans]),
        spanTree: Effect.sync(() => toTree(processor.spans)),
        metrics: Effect.map(
          Effect.promise(() => reader.collect()),
          (result) => result.resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics.map(convertMetric))
        ),
        logs: Effect.sync(() => [...logs]),
        reset: Effect.sync(() => {
          processor.spans.length = 0
          logs.length = 0
        })
      }
      return Layer.succeed(Memory, service).pipe(
        Layer.provideMerge(
          Telemetry.sequence([
            Telemetry.tracerLayer([processor], options.redactor),
            Telemetry.metricsLayer([reader]),
            loggers
          ])
        )
      )
    })
  )
