// Effect's metric registry in the Prometheus text exposition format (version 0.0.4): counters, gauges, histograms
// (cumulative `_bucket` series with `le`, then `_sum` and `_count`), summaries (quantiles, `_sum`, `_count`) and
// frequencies (one series per value, as a counter). Names and label names are made valid Prometheus identifiers;
// label values are escaped.
import * as Metric from "effect/Metric"
import type * as MetricKey from "effect/MetricKey"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"

/**
 * The content type of the text format.
 *
 * @internal
 */
export const contentType = "text/plain; version=0.0.4; charset=utf-8"

const metricName = (name: string): string => {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, "_")
  return /^[a-zA-Z_:]/.test(cleaned) ? cleaned : `_${cleaned}`
}

const labelName = (name: string): string => {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, "_")
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`
}

const escapeValue = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')

const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const number = (value: number | bigint): string => {
  if (typeof value === "bigint") return value.toString()
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  if (Number.isNaN(value)) return "NaN"
  return String(value)
}

const labels = (pairs: ReadonlyArray<readonly [string, string]>): string =>
  pairs.length === 0 ? "" : `{${pairs.map(([key, value]) => `${labelName(key)}="${escapeValue(value)}"`).join(",")}}`

interface Family {
  type: "counter" | "gauge" | "histogram" | "summary"
  help: string | undefined
  readonly lines: Array<string>
}

/**
 * Renders metric pairs (what `Metric.snapshot` returns) as exposition text, one family per metric name.
 *
 * @internal
 */
export const render = (
  pairs: ReadonlyArray<{
    readonly metricKey: MetricKey.MetricKey.Untyped
    readonly metricState: MetricState.MetricState.Untyped
  }>
): string => {
  const families = new Map<string, Family>()
  const family = (name: string, type: Family["type"], help: string | undefined): Family => {
    let existing = families.get(name)
    if (existing === undefined) {
      existing = { type, help, lines: [] }
      families.set(name, existing)
    }
    if (existing.help === undefined && help !== undefined) existing.help = help
    return existing
  }
  for (const { metricKey, metricState } of pairs) {
    const name = metricName(metricKey.name)
    const help = Option.getOrUndefined(metricKey.description)
    const tags: Array<readonly [string, string]> = metricKey.tags.map((tag) => [tag.key, tag.value] as const)
    if (MetricState.isCounterState(metricState)) {
      family(name, "counter", help).lines.push(`${name}${labels(tags)} ${number(metricState.count)}`)
    } else if (MetricState.isGaugeState(metricState)) {
      family(name, "gauge", help).lines.push(`${name}${labels(tags)} ${number(metricState.value)}`)
    } else if (MetricState.isHistogramState(metricState)) {
      const lines = family(name, "histogram", help).lines
      let sawInfinity = false
      for (const [boundary, count] of metricState.buckets) {
        if (boundary === Number.POSITIVE_INFINITY) sawInfinity = true
        lines.push(`${name}_bucket${labels([...tags, ["le", number(boundary)]])} ${count}`)
      }
      if (!sawInfinity) lines.push(`${name}_bucket${labels([...tags, ["le", "+Inf"]])} ${metricState.count}`)
      lines.push(`${name}_sum${labels(tags)} ${number(metricState.sum)}`)
      lines.push(`${name}_count${labels(tags)} ${metricState.count}`)
    } else if (MetricState.isSummaryState(metricState)) {
      const lines = family(name, "summary", help).lines
      for (const [quantile, value] of metricState.quantiles) {
        lines.push(
          `${name}${labels([...tags, ["quantile", String(quantile)]])} ${Option.isSome(value) ? number(value.value) : "NaN"}`
        )
      }
      lines.push(`${name}_sum${labels(tags)} ${number(metricState.sum)}`)
      lines.push(`${name}_count${labels(tags)} ${metricState.count}`)
    } else if (MetricState.isFrequencyState(metricState)) {
      const lines = family(name, "counter", help).lines
      for (const [value, count] of metricState.occurrences) {
        lines.push(`${name}${labels([...tags, ["value", value]])} ${count}`)
      }
    }
  }
  let out = ""
  for (const [name, entry] of [...families.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (entry.help !== undefined) out += `# HELP ${name} ${escapeHelp(entry.help)}\n`
    out += `# TYPE ${name} ${entry.type}\n`
    for (const line of entry.lines) out += `${line}\n`
  }
  return out
}

/**
 * Every metric of the process's registry, rendered.
 *
 * @internal
 */
export const renderRegistry = (): string => render(Metric.unsafeSnapshot())
