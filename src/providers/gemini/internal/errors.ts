import type * as Duration from "effect/Duration"
import {
  AuthenticationError,
  ContextLengthError,
  type LlmError,
  ProviderError,
  QuotaExceededError,
  RateLimitError
} from "../../../core/LlmError.js"
import { classifyFailure, type ErrorDetails } from "../../internal/classifyStatus.js"
import { parseGoDuration } from "../../internal/retryAfter.js"
import type { HttpFailure } from "../../internal/transport.js"
import type { WireError } from "./wire.js"

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The `error` object of a Google error body: `{ error: { code, message, status, details } }`, also inside a JSON
 * array (the non-SSE stream form answers errors that way).
 *
 * @internal
 */
export const wireErrorOf = (json: unknown): WireError | undefined => {
  const body = Array.isArray(json) ? json[0] : json
  if (!isObject(body) || !isObject(body.error)) return undefined
  return body.error as WireError
}

const detailsOfType = (error: WireError, type: string): ReadonlyArray<Record<string, unknown>> =>
  (error.details ?? []).filter(
    (detail): detail is Record<string, unknown> =>
      isObject(detail) && typeof detail["@type"] === "string" && detail["@type"].endsWith(`/google.rpc.${type}`)
  )

/**
 * The wait `google.rpc.RetryInfo` asks for (`"retryDelay": "34.4s"`, a protobuf Duration).
 *
 * @internal
 */
export const retryDelayOf = (error: WireError): Duration.Duration | undefined => {
  for (const info of detailsOfType(error, "RetryInfo")) {
    if (typeof info.retryDelay === "string") {
      const delay = parseGoDuration(info.retryDelay)
      if (delay !== undefined) return delay
    }
  }
  return undefined
}

/** The `reason` of a `google.rpc.ErrorInfo` detail (`API_KEY_INVALID`, …). */
const reasonOf = (error: WireError): string | undefined => {
  for (const info of detailsOfType(error, "ErrorInfo")) if (typeof info.reason === "string") return info.reason
  return undefined
}

// A project's prepaid credits running out answers 429 RESOURCE_EXHAUSTED like a rate limit, but waiting does not
// help; only the message tells them apart.
const prepayExhausted = /prepayment credits are depleted|credits are depleted|prepaid credits/i
// "The input token count exceeds the maximum number of tokens allowed 1048576."
const contextTooLong = /input token count.*exceeds the maximum|exceeds the maximum number of tokens/i
// A wrong key is a 400 INVALID_ARGUMENT with reason API_KEY_INVALID; a missing one a 403 PERMISSION_DENIED.
const authReasons = new Set(["API_KEY_INVALID", "API_KEY_EXPIRED"])
const missingKey = /unregistered callers|API key not valid|API key expired/i

/**
 * Classifies a Gemini error (an HTTP failure, or an error object inside a 200 answer) by the status of
 * providers.md §10, refined by what Google's body says: the ErrorInfo reason, RetryInfo's delay, the prepaid
 * quota and context-length messages.
 *
 * @internal
 */
export const classifyGemini = (
  failure: HttpFailure,
  error: WireError | undefined,
  fallbackMessage: string
): LlmError => {
  const message = typeof error?.message === "string" && error.message !== "" ? error.message.trim() : fallbackMessage
  const status = typeof error?.status === "string" ? error.status : undefined
  const reason = error === undefined ? undefined : reasonOf(error)
  const details: ErrorDetails = { message, code: reason ?? status }
  const base = classifyFailure(failure, details)
  const fields = {
    message: base.message,
    provider: failure.provider,
    model: failure.model,
    status: failure.reportedStatus ?? failure.status,
    ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
    ...(details.code === undefined ? {} : { code: details.code })
  }
  if ((reason !== undefined && authReasons.has(reason)) || (failure.status < 500 && missingKey.test(message))) {
    return new AuthenticationError(fields)
  }
  if (prepayExhausted.test(message)) return new QuotaExceededError(fields)
  if (failure.status === 400 && contextTooLong.test(message)) return new ContextLengthError(fields)
  if (failure.status === 499) return new ProviderError({ ...fields, retryable: false })
  if (base._tag === "RateLimitError" && base.retryAfter === undefined && error !== undefined) {
    const retryAfter = retryDelayOf(error)
    if (retryAfter !== undefined) return new RateLimitError({ ...fields, retryable: base.retryable, retryAfter })
  }
  return base
}

/**
 * The HTTP status an error object inside a 200 stream stands for: its `code`, else its google.rpc status name.
 *
 * @internal
 */
export const statusOfWireError = (error: WireError): number => {
  if (typeof error.code === "number" && Number.isInteger(error.code) && error.code >= 400 && error.code < 600) {
    return error.code
  }
  switch (error.status) {
    case "INVALID_ARGUMENT":
    case "FAILED_PRECONDITION":
    case "OUT_OF_RANGE":
      return 400
    case "UNAUTHENTICATED":
      return 401
    case "PERMISSION_DENIED":
      return 403
    case "NOT_FOUND":
      return 404
    case "RESOURCE_EXHAUSTED":
      return 429
    case "CANCELLED":
      return 499
    case "UNAVAILABLE":
      return 503
    case "DEADLINE_EXCEEDED":
      return 504
    default:
      return 500
  }
}
