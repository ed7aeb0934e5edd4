import * as Headers from "@effect/platform/Headers"
import type { LlmError } from "../../../core/LlmError.js"
import { classifyFailure, type ErrorDetails } from "../../internal/classifyStatus.js"
import type { HttpFailure } from "../../internal/transport.js"
import type { WireErrorObject } from "./wire.js"

/**
 * The HTTP status each error type comes with (Anthropic's errors page): what an `error` event inside a 200 stream is
 * classified as.
 *
 * @internal
 */
export const statusOfType: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  conflict_error: 409,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529
}

/** What an Anthropic error object says, with its `details.error_code` when it has one. */
export interface AnthropicErrorDetails extends ErrorDetails {
  readonly errorCode?: string | undefined
}

/**
 * Reads `{ type: "error", error: { type, message, details? }, request_id }`; anything else (a proxy's HTML page,
 * Cloudflare's 413) by its text.
 *
 * @internal
 */
export const readErrorObject = (error: WireErrorObject | undefined, fallback: string): AnthropicErrorDetails => {
  if (typeof error !== "object" || error === null) return { message: fallback }
  const errorCode = typeof error.details?.error_code === "string" ? error.details.error_code : undefined
  return {
    message: typeof error.message === "string" ? error.message : fallback,
    type: typeof error.type === "string" ? error.type : undefined,
    // The most specific code: the spend-limit 429 says `enforced_spend_limit_reached` under a rate_limit_error type.
    code: errorCode ?? (typeof error.type === "string" ? error.type : undefined),
    errorCode
  }
}

/** @internal */
export const readErrorDetails = (failure: HttpFailure): AnthropicErrorDetails => {
  const json = failure.json
  const error =
    typeof json === "object" && json !== null ? (json as { readonly error?: WireErrorObject }).error : undefined
  return readErrorObject(error, failure.body.trim().slice(0, 500))
}

// Spend and credit problems look like rate limits (429) or bad requests (400) but waiting does not help:
// the tier's monthly cap (429 with `enforced_spend_limit_reached`), a spend limit the organisation set (400
// "You have reached your specified API usage limits"), no credits left (400 "Your credit balance is too low").
const quotaText = /credit balance is too low|reached your specified (?:workspace )?API usage limits/i

const rules = {
  quotaCodes: new Set(["billing_error", "enforced_spend_limit_reached"]),
  contentFilterCodes: new Set<string>()
}

// Without `retry-after`, a 429 still says when capacity comes back: the `reset` time (RFC 3339) of each exhausted
// `anthropic-ratelimit-*` dimension. The latest of them is the wait.
const retryAfterFromRateLimitHeaders = (headers: Headers.Headers, nowMillis: number): number | undefined => {
  let latest: number | undefined
  for (const name of Object.keys(headers)) {
    const match = /^anthropic-ratelimit-(.+)-remaining$/.exec(name)
    if (match === null || headers[name]?.trim() !== "0") continue
    const reset = Date.parse(headers[`anthropic-ratelimit-${match[1]}-reset`] ?? "")
    if (Number.isNaN(reset)) continue
    latest = latest === undefined ? reset : Math.max(latest, reset)
  }
  return latest === undefined ? undefined : Math.max(0, Math.ceil((latest - nowMillis) / 1000))
}

/**
 * Classifies an Anthropic failure, over HTTP or inside a stream (providers.md §2, §10): the common status mapping,
 * with billing and spend limits as `QuotaExceededError`, 529 overloaded as a retryable `ProviderError`, and a 429
 * without `retry-after` waiting until its exhausted limit resets.
 *
 * @internal
 */
export const classifyAnthropic = (failure: HttpFailure, details: AnthropicErrorDetails): LlmError => {
  const quota = quotaText.test(details.message)
  let classified = failure
  if (failure.status === 429 && failure.headers["retry-after"] === undefined && !quota) {
    const seconds = retryAfterFromRateLimitHeaders(failure.headers, failure.nowMillis)
    if (seconds !== undefined) {
      classified = { ...failure, headers: Headers.set(failure.headers, "retry-after", String(seconds)) }
    }
  }
  const withQuota = quota ? { ...details, code: details.code ?? "billing_error", type: "billing_error" } : details
  return classifyFailure(classified, withQuota, rules)
}
