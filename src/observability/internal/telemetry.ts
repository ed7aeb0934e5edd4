import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as OtelResource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import * as Headers from "@effect/platform/Headers"
import type { Attributes, Context as OtelContext } from "@opentelemetry/api"
import type { MetricReader } from "@opentelemetry/sdk-metrics"
import { BasicTracerProvider, type ReadableSpan, type Span, type SpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import type * as Redaction from "../Redaction.js"

/**
 * Hands every ended span to the next processor with secrets removed from its name, attributes, events, links and
 * status message: what exporters see is already clean.
 *
 * @internal
 */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(
    readonly next: SpanProcessor,
    readonly redactor: Redaction.Redactor
  ) {}

  onStart(span: Span, parentContext: OtelContext): void {
    this.next.onStart(span, parentContext)
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(redactSpan(span, this.redactor))
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush()
  }

  shutdown(): Promise<void> {
    return this.next.shutdown()
  }
}

const redactSpan = (span: ReadableSpan, redactor: Redaction.Redactor): ReadableSpan => {
  const attributes = (input: Attributes | undefined): Attributes | undefined =>
    input === undefined ? undefined : (redactor.attributes(input) as Attributes)
  return {
    name: redactor.text(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext === undefined ? {} : { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status:
      span.status.message === undefined ? span.status : { ...span.status, message: redactor.text(span.status.message) },
    attributes: attributes(span.attributes) ?? {},
    links: span.links.map((link) => {
      const redacted = attributes(link.attributes)
      return redacted === undefined ? link : { ...link, attributes: redacted }
    }),
    events: span.events.map((event) => {
      const redacted = attributes(event.attributes)
      return redacted === undefined
        ? { ...event, name: redactor.text(event.name) }
        : { ...event, name: redactor.text(event.name), attributes: redacted }
    }),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount
  }
}

/**
 * The layers built one after another, in this fiber. Layers that set fiber-wide things (the tracer, the logger, the
 * minimum log level) must not be merged in parallel: a parallel build runs them in child fibers whose settings are
 * joined into the caller and never undone when the layer's scope closes.
 *
 * @internal
 */
export const sequence = <R>(layers: ReadonlyArray<Layer.Layer<never, never, R>>): Layer.Layer<never, never, R> =>
  layers.reduce<Layer.Layer<never, never, R>>((built, next) => built.pipe(Layer.provideMerge(next)), Layer.empty)

/**
 * The OpenTelemetry resource of the service.
 *
 * @internal
 */
export const resourceLayer = (options: {
  readonly serviceName: string
  readonly serviceVersion?: string | undefined
  readonly resourceAttributes?: Attributes | undefined
}): Layer.Layer<OtelResource.Resource> =>
  OtelResource.layer({
    serviceName: options.serviceName,
    ...(options.serviceVersion === undefined ? {} : { serviceVersion: options.serviceVersion }),
    ...(options.resourceAttributes === undefined ? {} : { attributes: options.resourceAttributes })
  })

/**
 * Effect's tracer backed by an OpenTelemetry tracer provider whose processors all see redacted spans. The provider
 * flushes and shuts down when the layer's scope closes.
 *
 * @internal
 */
export const tracerLayer = (
  processors: ReadonlyArray<SpanProcessor>,
  redactor: Redaction.Redactor
): Layer.Layer<never, never, OtelResource.Resource> =>
  Layer.discard(OtelTracer.layer).pipe(
    Layer.provide(
      Layer.scoped(
        OtelTracer.OtelTracerProvider,
        Effect.flatMap(OtelResource.Resource, (resource) =>
          Effect.acquireRelease(
            Effect.sync(
              () =>
                new BasicTracerProvider({
                  resource,
                  spanProcessors: processors.map((processor) => new RedactingSpanProcessor(processor, redactor))
                })
            ),
            (provider) =>
              Effect.tryPromise(() => provider.forceFlush().then(() => provider.shutdown())).pipe(
                Effect.ignore,
                Effect.interruptible
              )
          )
        )
      )
    )
  )

/**
 * Effect's metrics exported through the readers (OTLP, in memory, or yours).
 *
 * @internal
 */
export const metricsLayer = (
  readers: ReadonlyArray<MetricReader>
): Layer.Layer<never, never, OtelResource.Resource> => {
  const [first, ...rest] = readers
  return first === undefined ? Layer.empty : OtelMetrics.layer(() => [first, ...rest])
}

/**
 * The log formats Effect's logger can write.
 *
 * @internal
 */
export type LogFormat = "json" | "logfmt" | "pretty" | "none"

/**
 * A logger that sees every entry with secrets removed from its message, annotations and cause.
 *
 * @internal
 */
export const redactingLogger = <A>(logger: Logger.Logger<unknown, A>, redactor: Redaction.Redactor) =>
  Logger.mapInputOptions(logger, (options) => {
    const annotations: Record<string, unknown> = {}
    for (const [key, value] of options.annotations) annotations[key] = value
    const redacted = redactor.attributes(annotations)
    return {
      ...options,
      message: redactor.value(options.message),
      annotations: HashMap.fromIterable(Object.entries(redacted)),
      cause: redactor.cause(options.cause)
    }
  })

/**
 * The console logger of a format, redacted.
 *
 * @internal
 */
export const consoleLogger = (
  format: Exclude<LogFormat, "none">,
  redactor: Redaction.Redactor
): Logger.Logger<unknown, void> => {
  switch (format) {
    case "json":
      return redactingLogger(Logger.jsonLogger, redactor).pipe(Logger.map(redactor.text), Logger.withConsoleLog)
    case "logfmt":
      return redactingLogger(Logger.logfmtLogger, redactor).pipe(Logger.map(redactor.text), Logger.withConsoleLog)
    case "pretty":
      return redactingLogger(Logger.prettyLogger(), redactor)
  }
}

/**
 * Replaces Effect's default logger with the format's redacted logger ("none": no console logs at all).
 *
 * @internal
 */
export const loggerLayer = (format: LogFormat, redactor: Redaction.Redactor): Layer.Layer<never> =>
  format === "none"
    ? Logger.remove(Logger.defaultLogger)
    : Logger.replace(Logger.defaultLogger, consoleLogger(format, redactor))

// Header names whose values `@effect/platform`'s HTTP client spans must not record (it knows the first four).
const redactedHeaderNames = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
  "x-amz-security-token",
  "proxy-authorization"
]

/**
 * Keeps key headers out of the HTTP spans of `@effect/platform` clients (`HttpTransport.layerPlatform`, undici,
 * fetch), which record request and response headers.
 *
 * @internal
 */
export const headersLayer: Layer.Layer<never> = Layer.scopedDiscard(
  Effect.locallyScopedWith(Headers.currentRedactedNames, (names) => [
    ...new Set([...names.map((name) => (typeof name === "string" ? name.toLowerCase() : name)), ...redactedHeaderNames])
  ])
)
