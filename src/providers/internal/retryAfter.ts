import type * as Headers from "@effect/platform/Headers"
import * as Duration from "effect/Duration"

/**
 * The wait a server asked for: `retry-after-ms` (milliseconds, OpenAI and Azure), then `retry-after` in seconds or
 * as an HTTP date. Capping belongs to the retry policy, not here.
 *
 * @internal
 */
export const retryAfterFromHeaders = (headers: Headers.Headers, nowMillis: number): Duration.Duration | undefined => {
  const milliseconds = headers["retry-after-ms"]
  if (milliseconds !== undefined) {
    const value = Number.parseFloat(milliseconds)
    if (Number.isFinite(value) && value >= 0) return Duration.millis(value)
  }
  const retryAfter = headers["retry-after"]
  if (retryAfter === undefined) return undefined
  const trimmed = retryAfter.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.millis(Number.parseFloat(trimmed) * 1000)
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Duration.millis(Math.max(0, date - nowMillis))
}

/**
 * Parses Go-style durations such as `1s`, `6m0s`, `12ms`, `1h2m3.5s` (OpenAI and Groq `x-ratelimit-reset-*`).
 *
 * @internal
 */
export const parseGoDuration = (text: string): Duration.Duration | undefined => {
  const pattern = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g
  let total = 0
  let matched = ""
  for (const match of text.matchAll(pattern)) {
    const value = Number.parseFloat(match[1] ?? "0")
    const unit = match[2]
    matched += match[0]
    total +=
      unit === "h"
        ? value * 3_600_000
        : unit === "m"
          ? value * 60_000
          : unit === "s"
            ? value * 1000
            : unit === "ms"
              ? value
              : unit === "ns"
                ? value / 1_000_000
                : value / 1000
  }
  return matched.length > 0 && matched.length === text.trim().length ? Duration.millis(total) : undefined
}
