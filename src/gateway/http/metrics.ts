// The gateway's metrics, as Effect metrics in the process's registry (so `/metrics` shows them beside any other
// Effect metric the application defines). Labels stay low-cardinality: the route (a fixed list), the status code,
// the provider instance (configured, so bounded) and the error class; never the model a caller typed or a key.
//
// These are updated on every request, so each labelled series is made once and kept: an update is then one
// registry hook call, without building keys or hashing labels.
import type * as Metric from "effect/Metric"
import * as MetricModule from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricKey from "effect/MetricKey"
import * as MetricLabel from "effect/MetricLabel"
import type { Usage } from "../../core/Usage.js"

/** @internal */
export const names = {
  requests: "agent_adapter_gateway_requests_total",
  duration: "agent_adapter_gateway_request_duration_seconds",
  inFlight: "agent_adapter_gateway_requests_in_flight",
  tokens: "agent_adapter_gateway_tokens_total",
  cost: "agent_adapter_gateway_cost_usd_total",
  upstreamErrors: "agent_adapter_gateway_upstream_errors_total",
  firstChunk: "agent_adapter_gateway_time_to_first_chunk_seconds"
} as const

const noTags: ReadonlyArray<MetricLabel.MetricLabel> = []

const durationBoundaries = MetricBoundaries.fromIterable([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
])

type Counter = Metric.Metric.Counter<number>

const cached = <M>(make: (labels: ReadonlyArray<readonly [string, string]>) => M) => {
  const series = new Map<string, M>()
  return (...labels: ReadonlyArray<readonly [string, string]>): M => {
    let id = ""
    for (const [, value] of labels) id += `${value}\u0000`
    let found = series.get(id)
    if (found === undefined) {
      found = make(labels)
      series.set(id, found)
    }
    return found
  }
}

const tagged = <K extends MetricKey.MetricKey.Untyped>(key: K, labels: ReadonlyArray<readonly [string, string]>): K =>
  MetricKey.taggedWithLabels(
    key,
    labels.map(([name, value]) => MetricLabel.make(name, value))
  ) as K

const counter = (name: string, description: string) =>
  cached((labels) => MetricModule.fromMetricKey(tagged(MetricKey.counter(name, { description }), labels)) as Counter)

const gauge = (name: string, description: string) =>
  cached((labels) => MetricModule.fromMetricKey(tagged(MetricKey.gauge(name, { description }), labels)))

const histogram = (name: string, description: string) =>
  cached((labels) =>
    MetricModule.fromMetricKey(tagged(MetricKey.histogram(name, durationBoundaries, description), labels))
  )

/**
 * The metrics the gateway updates.
 *
 * @internal
 */
export interface GatewayMetrics {
  readonly requestStarted: (route: string) => void
  readonly requestEnded: (route: string, status: number, seconds: number) => void
  readonly usage: (provider: string, usage: Usage, cost: number | undefined) => void
  readonly upstreamError: (provider: string, error: string) => void
  readonly firstChunk: (route: string, seconds: number) => void
}

const requests = counter(names.requests, "Requests answered, by route and HTTP status (499: the client left first).")
const duration = histogram(names.duration, "Time from request to the end of the response (streams: their last byte).")
const inFlight = gauge(names.inFlight, "Requests being answered now.")
const tokens = counter(names.tokens, "Tokens read (input) and written (output) by the providers, by provider instance.")
const cost = counter(names.cost, "Cost in USD of the answered requests whose price is known, by provider instance.")
const upstreamErrors = counter(names.upstreamErrors, "Failed provider calls, by provider instance and error class.")
const firstChunk = histogram(names.firstChunk, "Time from request to the first streamed chunk.")

/**
 * The metrics, shared by every gateway of the process (they live in the process's registry).
 *
 * @internal
 */
export const gatewayMetrics: GatewayMetrics = {
  requestStarted: (route) => inFlight(["route", route]).unsafeModify(1, noTags),
  requestEnded: (route, status, seconds) => {
    inFlight(["route", route]).unsafeModify(-1, noTags)
    requests(["route", route], ["status", String(status)]).unsafeUpdate(1, noTags)
    duration(["route", route]).unsafeUpdate(seconds, noTags)
  },
  usage: (provider, usage, usd) => {
    if (usage.inputTokens > 0) tokens(["provider", provider], ["type", "input"]).unsafeUpdate(usage.inputTokens, noTags)
    if (usage.outputTokens > 0) {
      tokens(["provider", provider], ["type", "output"]).unsafeUpdate(usage.outputTokens, noTags)
    }
    if (usd !== undefined && usd > 0) cost(["provider", provider]).unsafeUpdate(usd, noTags)
  },
  upstreamError: (provider, error) => upstreamErrors(["provider", provider], ["error", error]).unsafeUpdate(1, noTags),
  firstChunk: (route, seconds) => firstChunk(["route", route]).unsafeUpdate(seconds, noTags)
}

/**
 * The route label of a path: one of a fixed list, whatever the caller sent.
 *
 * @internal
 */
export const routeOf = (url: string): string => {
  const query = url.indexOf("?")
  const path = query === -1 ? url : url.slice(0, query)
  switch (path) {
    case "/v1/chat/completions":
      return "chat_completions"
    case "/v1/messages":
      return "messages"
    case "/v1/embeddings":
      return "embeddings"
    case "/v1/chat/completions/ws":
      return "chat_completions_ws"
    case "/metrics":
      return "metrics"
    case "/health/live":
    case "/health/ready":
      return "health"
    default:
      if (path === "/v1/models" || path.startsWith("/v1/models/")) return "models"
      if (path.startsWith("/admin/")) return "admin"
      return "other"
  }
}
