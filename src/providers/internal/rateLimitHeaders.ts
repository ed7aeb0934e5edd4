import type * as Headers from "@effect/platform/Headers"
import * as Duration from "effect/Duration"
import type { RateLimitInfo } from "../../core/RateLimitInfo.js"
import { parseGoDuration } from "./retryAfter.js"

const count = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const parsed = Number.parseInt(value, 10)
  return Number.isFinite(parsed) ? parsed : undefined
}

const resetMs = (value: string | undefined, nowMillis: number): number | undefined => {
  if (value === undefined) return undefined
  const duration = parseGoDuration(value)
  if (duration !== undefined) return Duration.toMillis(duration)
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000
  // Anthropic sends RFC 3339 timestamps.
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMillis)
}

/**
 * Reads the rate-limit headers of a successful answer: OpenAI, Azure and Groq (`x-ratelimit-*`, resets as Go
 * durations) and Anthropic (`anthropic-ratelimit-*`, resets as timestamps). Undefined when none is present.
 *
 * @internal
 */
export const rateLimitFromHeaders = (headers: Headers.Headers, nowMillis: number): RateLimitInfo | undefined => {
  const info: { -readonly [K in keyof RateLimitInfo]: RateLimitInfo[K] } = {}
  const set = <K extends keyof RateLimitInfo>(key: K, value: RateLimitInfo[K]) => {
    if (value !== undefined) info[key] = value
  }
  set("limitRequests", count(headers["x-ratelimit-limit-requests"] ?? headers["anthropic-ratelimit-requests-limit"]))
  set("limitTokens", count(headers["x-ratelimit-limit-tokens"] ?? headers["anthropic-ratelimit-tokens-limit"]))
  set(
    "remainingRequests",
    count(headers["x-ratelimit-remaining-requests"] ?? headers["anthropic-ratelimit-requests-remaining"])
  )
  set(
    "remainingTokens",
    count(headers["x-ratelimit-remaining-tokens"] ?? headers["anthropic-ratelimit-tokens-remaining"])
  )
  set(
    "resetRequestsMs",
    resetMs(headers["x-ratelimit-reset-requests"] ?? headers["anthropic-ratelimit-requests-reset"], nowMillis)
  )
  set(
    "resetTokensMs",
    resetMs(headers["x-ratelimit-reset-tokens"] ?? headers["anthropic-ratelimit-tokens-reset"], nowMillis)
  )
  return Object.keys(info).length === 0 ? undefined : info
}
