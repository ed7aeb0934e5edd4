import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import { Adapter, Common, GenAi, providerName } from "./attributes.js"

// Effect metrics live in one process-wide registry; `@effect/opentelemetry` exports them and reads the unit from the
// `unit` tag. Bucket boundaries follow the GenAI conventions' advice where they give one.
//
// The unit is part of each metric's key, and label arrays are interned per label set: Effect caches a metric's
// registry entry by the identity of the label array, so a recurring label set costs a map lookup, not a hash.

const histogram = (
  name: string,
  unit: string,
  description: string,
  boundaries: ReadonlyArray<number>
): Metric.Metric.Histogram<number> =>
  Metric.fromMetricKey(
    MetricKey.histogram(name, MetricBoundaries.fromIterable(boundaries), description).pipe(
      MetricKey.tagged("unit", unit)
    )
  )

const counter = (name: string, unit: string, description: string): Metric.Metric.Counter<number> =>
  Metric.fromMetricKey(MetricKey.counter(name, { description, incremental: true }).pipe(MetricKey.tagged("unit", unit)))

/** @internal */
export const operationDuration = histogram(
  "gen_ai.client.operation.duration",
  "s",
  "Duration of a GenAI call, retries and fallbacks included (a stream: until its last chunk)",
  [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
)

/** @internal */
export const tokenUsage = histogram(
  "gen_ai.client.token.usage",
  "{token}",
  "Input and output tokens of a call, by gen_ai.token.type",
  [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]
)

/** @internal */
export const timeToFirstChunk = histogram(
  "gen_ai.client.operation.time_to_first_chunk",
  "s",
  "Time from the call to the first chunk of a stream",
  [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
)

/** @internal */
export const timePerOutputChunk = histogram(
  "gen_ai.client.operation.time_per_output_chunk",
  "s",
  "Time between two chunks of a stream, for each chunk after the first",
  [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5]
)

/** @internal */
export const chunkRate = histogram(
  "agent_adapter.client.stream.chunk_rate",
  "{chunk}/s",
  "Chunks per second of a stream, from its first chunk to its last",
  [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
)

/** @internal */
export const cost = counter("agent_adapter.client.cost", "USD", "Cost of the answered calls, when the price is known")

/** @internal */
export const retries = counter("agent_adapter.client.retries", "{retry}", "Retries, by the error that caused them")

/** @internal */
export const fallbacks = counter(
  "agent_adapter.client.fallbacks",
  "{fallback}",
  "Moves to the next fallback target, by the target that failed and its error"
)

/** @internal */
export const circuitState: Metric.Metric.Gauge<number> = Metric.fromMetricKey(
  MetricKey.gauge("agent_adapter.client.circuit.state", {
    description: "State of a circuit: 0 closed, 1 half-open, 2 open"
  }).pipe(MetricKey.tagged("unit", "1"))
)

/** @internal */
export const circuitRejections = counter(
  "agent_adapter.client.circuit.rejections",
  "{call}",
  "Calls failed fast by an open circuit"
)

/** @internal */
export const rateLimitWait = histogram(
  "agent_adapter.client.rate_limit.wait",
  "s",
  "Time a call waited for its turn in the client-side rate limiter",
  [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
)

/** @internal */
export const cacheRequests = counter(
  "agent_adapter.client.cache.requests",
  "{request}",
  "Response cache lookups, by agent_adapter.cache.result (hit or miss)"
)

const interned = new Map<string, ReadonlyArray<MetricLabel.MetricLabel>>()

// The same array for the same labels, so that Effect's per-array cache finds the metric's entry.
const intern = (pairs: ReadonlyArray<string>): ReadonlyArray<MetricLabel.MetricLabel> => {
  const key = pairs.join("\u0000")
  let labels = interned.get(key)
  if (labels === undefined) {
    const made: Array<MetricLabel.MetricLabel> = []
    for (let i = 0; i < pairs.length; i += 2) made.push(MetricLabel.make(pairs[i]!, pairs[i + 1]!))
    labels = made
    interned.set(key, labels)
  }
  return labels
}

/**
 * The labels every call metric carries, with `extra` key-value pairs after them.
 *
 * @internal
 */
export const callLabels = (
  operation: string,
  provider: string,
  model: string,
  errorType?: string | undefined,
  ...extra: ReadonlyArray<string>
): ReadonlyArray<MetricLabel.MetricLabel> => {
  const pairs = [GenAi.operationName, operation, GenAi.providerName, providerName(provider), GenAi.requestModel, model]
  if (errorType !== undefined) pairs.push(Common.errorType, errorType)
  pairs.push(...extra)
  return intern(pairs)
}

/** @internal */
export const circuitLabels = (key: string): ReadonlyArray<MetricLabel.MetricLabel> => intern([Adapter.circuit, key])
