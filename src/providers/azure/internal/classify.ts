// Azure's own reading of an error, before the common status mapping (providers.md §6, §10).
import * as Duration from "effect/Duration"
import { type LlmError, RateLimitError } from "../../../core/LlmError.js"
import { type ClassifyRules, classifyFailure, type ErrorDetails } from "../../internal/classifyStatus.js"
import type { HttpFailure } from "../../internal/transport.js"

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// Azure's gateway names the wait only in its message when no header does: "Please retry after 6 seconds." (429 from
// the rate limiter, and the high-demand form) or APIM's "Try again in 2 seconds."
const retryPhrase = /(?:retry after|try again in)\s+(\d+(?:\.\d+)?)\s*(milliseconds?|ms|seconds?|secs?|s)\b/i

/** @internal */
export const retryAfterFromMessage = (message: string): Duration.Duration | undefined => {
  const match = retryPhrase.exec(message)
  if (match === null) return undefined
  const value = Number.parseFloat(match[1] ?? "")
  if (!Number.isFinite(value)) return undefined
  return /^m/i.test(match[2] ?? "") ? Duration.millis(value) : Duration.millis(value * 1000)
}

/**
 * The categories a content filter blocked, from `error.innererror.content_filter_result` (400 on the prompt), e.g.
 * `violence (medium), jailbreak`.
 *
 * @internal
 */
export const filteredCategories = (json: unknown): ReadonlyArray<string> => {
  if (!isObject(json) || !isObject(json.error)) return []
  const inner = json.error.innererror ?? json.error.inner_error
  if (!isObject(inner)) return []
  const result = inner.content_filter_result ?? inner.content_filter_results
  if (!isObject(result)) return []
  const out: Array<string> = []
  for (const [category, verdict] of Object.entries(result)) {
    if (Array.isArray(verdict)) {
      // custom_blocklists: [{ filtered, id }]
      for (const item of verdict) {
        if (isObject(item) && item.filtered === true) {
          out.push(typeof item.id === "string" ? `${category} ${item.id}` : category)
        }
      }
    } else if (isObject(verdict) && verdict.filtered === true) {
      out.push(typeof verdict.severity === "string" ? `${category} (${verdict.severity})` : category)
    }
  }
  return out
}

/** @internal */
export const azureClassifyRules: ClassifyRules = {
  quotaCodes: new Set(["insufficient_quota"]),
  contextLengthCodes: new Set(["context_length_exceeded", "string_above_max_length"]),
  contentFilterCodes: new Set(["content_filter", "ResponsibleAIPolicyViolation"])
}

const NOT_FOUND_HINT = "check the endpoint, the deployment name and the api-version"

/**
 * Classifies an Azure failure: the common mapping, with the filtered categories of a content-filter refusal in the
 * message, a hint on the gateway's bare 404 (a missing api-version answers "Resource not found" too), and the wait a
 * 429 names only in its message.
 *
 * @internal
 */
export const classifyAzureFailure = (failure: HttpFailure, details: ErrorDetails): LlmError => {
  let message = details.message
  if (details.code === "content_filter" || details.code === "ResponsibleAIPolicyViolation") {
    const categories = filteredCategories(failure.json)
    if (categories.length > 0) message = `${message} [filtered: ${categories.join(", ")}]`
  } else if (failure.status === 404 && /^resource not found$/i.test(message.trim())) {
    message = `${message} (${NOT_FOUND_HINT})`
  }
  const error = classifyFailure(failure, { ...details, message }, azureClassifyRules)
  if (error._tag !== "RateLimitError" || error.retryAfter !== undefined) return error
  const retryAfter = retryAfterFromMessage(details.message)
  if (retryAfter === undefined) return error
  return new RateLimitError({
    message: error.message,
    retryable: error.retryable,
    retryAfter,
    ...(error.provider === undefined ? {} : { provider: error.provider }),
    ...(error.model === undefined ? {} : { model: error.model }),
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
    ...(error.code === undefined ? {} : { code: error.code })
  })
}
