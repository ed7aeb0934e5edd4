// Shared helpers of the observability tests: run a program against an instrumented client with in-memory telemetry,
// and project captured spans and metrics onto what a test compares.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LlmClient } from "../../src/core/LlmClient.js"
import * as Observability from "../../src/observability/Observability.js"

/**
 * Runs `program` with `client` instrumented and in-memory telemetry (tracer, metrics, logger) installed.
 */
export const observed = <A, E>(
  client: LlmClient.Service,
  program: Effect.Effect<A, E, LlmClient | Observability.Memory>,
  options: Observability.MemoryOptions = {}
): Effect.Effect<A, E> =>
  Effect.provide(program, Observability.layerMemory(options).pipe(Layer.provide(Layer.succeed(LlmClient, client))))

/** A span tree with only what a test compares: name, kind, status code, attributes, event names, children. */
export interface Shape {
  readonly name: string
  readonly kind: string
  readonly status: string
  readonly attributes: Record<string, unknown>
  readonly events: ReadonlyArray<string>
  readonly children: ReadonlyArray<Shape>
}

/** Projects a tree, dropping the attributes named in `volatile`. */
export const shapeOf = (node: Observability.SpanNode, volatile: ReadonlyArray<string> = []): Shape => {
  const attributes: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node.attributes)) {
    if (!volatile.includes(key)) attributes[key] = value
  }
  return {
    name: node.name,
    kind: node.kind,
    status: node.status.code,
    attributes,
    events: node.events.map((event) => event.name),
    children: node.children.map((child) => shapeOf(child, volatile))
  }
}

/** The value of a counter or gauge series whose attributes include `labels` (0 when there is none). */
export const sumOf = (
  metrics: ReadonlyArray<Observability.CapturedMetric>,
  name: string,
  labels: Readonly<Record<string, unknown>>
): number => {
  let total = 0
  for (const point of pointsOf(metrics, name, labels)) {
    if (typeof point.value === "number") total += point.value
  }
  return total
}

/** The series of a metric whose attributes include `labels`. */
export const pointsOf = (
  metrics: ReadonlyArray<Observability.CapturedMetric>,
  name: string,
  labels: Readonly<Record<string, unknown>>
): ReadonlyArray<Observability.CapturedPoint> =>
  metrics
    .filter((metric) => metric.name === name)
    .flatMap((metric) => metric.points)
    .filter((point) => Object.entries(labels).every(([key, value]) => point.attributes[key] === value))

/** The histogram series of a metric whose attributes include `labels`, or fails the test. */
export const histogramOf = (
  metrics: ReadonlyArray<Observability.CapturedMetric>,
  name: string,
  labels: Readonly<Record<string, unknown>>
): Observability.HistogramValue => {
  const points = pointsOf(metrics, name, labels)
  if (points.length !== 1)
    throw new Error(`expected one ${name} series for ${JSON.stringify(labels)}, got ${points.length}`)
  const value = points[0]!.value
  if (typeof value === "number") throw new Error(`${name} is not a histogram`)
  return value
}
