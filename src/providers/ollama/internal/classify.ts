import {
  ContextLengthError,
  type LlmError,
  NotFoundError,
  QuotaExceededError,
  RateLimitError,
  UnsupportedError
} from "../../../core/LlmError.js"
import { classifyFailure, type ErrorDetails } from "../../internal/classifyStatus.js"
import type { HttpFailure } from "../../internal/transport.js"

/**
 * Reads Ollama's error body: `{"error": "text"}` (the server, ollama.com), `{"error": {"message"}}` (proxies that
 * speak OpenAI's shape), or plain text (gin's "404 page not found", an HTML page from a gateway).
 *
 * @internal
 */
export const readErrorDetails = (failure: HttpFailure): ErrorDetails => {
  const message = errorMessageOf(failure.json)
  return { message: message ?? failure.body.trim().slice(0, 500) }
}

/** The message of an `{"error": …}` value, or undefined when it has none. */
export const errorMessageOf = (json: unknown): string | undefined => {
  if (typeof json !== "object" || json === null) return undefined
  const error = (json as { error?: unknown }).error
  if (typeof error === "string") return error
  if (typeof error === "object" && error !== null) {
    const message = (error as { message?: unknown }).message
    if (typeof message === "string") return message
  }
  return undefined
}

// `"llava" does not support tools`, `… does not support thinking` (server/images.go capability checks).
const unsupported = /does not support (tools|thinking|vision|insert|completion|embedding)/i
// ollama.com: "you (name) have reached your weekly usage limit, upgrade for higher limits: …". A session or hourly
// window comes back within hours; a weekly or monthly one does not, so waiting is no use.
const longQuota = /(weekly|monthly) usage limit/i
const rateLimited = /usage limit|rate limit|too many requests/i

/**
 * The common status mapping (providers.md §10), refined by what Ollama's messages say.
 *
 * @internal
 */
export const classifyOllama = (failure: HttpFailure, details: ErrorDetails): LlmError => {
  const common = {
    message: `${failure.provider} ${failure.reportedStatus === undefined ? String(failure.status) : "error inside the stream"}: ${details.message || "no error message"}`,
    provider: failure.provider,
    model: failure.model,
    status: failure.reportedStatus ?? failure.status,
    ...(failure.requestId === undefined ? {} : { requestId: failure.requestId })
  }
  const feature = unsupported.exec(details.message)?.[1]
  if (feature !== undefined && failure.status === 400) {
    return new UnsupportedError({ ...common, feature: feature.toLowerCase() })
  }
  if (failure.status === 429 && longQuota.test(details.message)) return new QuotaExceededError(common)
  // An error line inside a 200 stream has no status of its own: its text decides.
  if (failure.reportedStatus !== undefined) {
    if (longQuota.test(details.message)) return new QuotaExceededError(common)
    if (rateLimited.test(details.message)) return new RateLimitError(common)
    if (/not found/i.test(details.message) && /model/i.test(details.message)) return new NotFoundError(common)
    if (/context length|context window/i.test(details.message)) return new ContextLengthError(common)
  }
  return classifyFailure(failure, details)
}
