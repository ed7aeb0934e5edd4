import {
  AuthenticationError,
  ContentFilterError,
  ContextLengthError,
  InvalidRequestError,
  type LlmError,
  NotFoundError,
  PermissionError,
  ProviderError,
  QuotaExceededError,
  RateLimitError
} from "../../core/LlmError.js"
import { retryAfterFromHeaders } from "./retryAfter.js"
import type { HttpFailure } from "./transport.js"

/**
 * What a vendor's error body says, read by the provider's own reader.
 *
 * @internal
 */
export interface ErrorDetails {
  readonly message: string
  readonly code?: string | undefined
  readonly type?: string | undefined
  readonly param?: string | undefined
}

/**
 * How a provider refines the common status mapping.
 *
 * @internal
 */
export interface ClassifyRules {
  /** Codes or types that mean credits or billing are exhausted: never worth a retry. */
  readonly quotaCodes?: ReadonlySet<string>
  /** Codes or types that mean the prompt does not fit the context window. */
  readonly contextLengthCodes?: ReadonlySet<string>
  /** Codes or types that mean a safety filter refused. */
  readonly contentFilterCodes?: ReadonlySet<string>
}

const contextLengthText = /maximum context length|context length|context window|too many tokens|prompt is too long/i

const has = (set: ReadonlySet<string> | undefined, details: ErrorDetails): boolean =>
  set !== undefined &&
  ((details.code !== undefined && set.has(details.code)) || (details.type !== undefined && set.has(details.type)))

/**
 * The common mapping of an HTTP failure to an `LlmError` (providers.md §10): 400/413/422 invalid request,
 * 401 authentication, 402 quota, 403 permission, 404 not found, 429 rate limit (quota codes excepted),
 * 408/409/≥500 provider errors worth a retry. An `x-should-retry` header overrides `retryable` either way.
 *
 * @internal
 */
export const classifyFailure = (failure: HttpFailure, details: ErrorDetails, rules: ClassifyRules = {}): LlmError => {
  const { status } = failure
  const where = failure.reportedStatus === undefined ? String(status) : "error inside the stream"
  const message = `${failure.provider} ${where}: ${details.message || "no error message"}`
  const common = {
    message,
    provider: failure.provider,
    model: failure.model,
    status: failure.reportedStatus ?? status,
    ...(failure.requestId === undefined ? {} : { requestId: failure.requestId }),
    ...(details.code === undefined && details.type === undefined ? {} : { code: details.code ?? details.type })
  }
  const shouldRetry = failure.headers["x-should-retry"]
  const retryable = shouldRetry === "true" ? { retryable: true } : shouldRetry === "false" ? { retryable: false } : {}
  const withRetry = { ...common, ...retryable }

  if (has(rules.quotaCodes, details)) return new QuotaExceededError(withRetry)
  if (has(rules.contextLengthCodes, details)) return new ContextLengthError(withRetry)
  if (has(rules.contentFilterCodes, details)) return new ContentFilterError(withRetry)

  switch (status) {
    case 400:
    case 413:
    case 422:
      if (contextLengthText.test(details.message)) return new ContextLengthError(withRetry)
      return new InvalidRequestError({
        ...withRetry,
        ...(details.param === undefined ? {} : { param: details.param })
      })
    case 401:
      return new AuthenticationError(withRetry)
    case 402:
      return new QuotaExceededError(withRetry)
    case 403:
      return new PermissionError(withRetry)
    case 404:
      return new NotFoundError(withRetry)
    case 429: {
      const retryAfter = retryAfterFromHeaders(failure.headers, failure.nowMillis)
      return new RateLimitError({ ...withRetry, ...(retryAfter === undefined ? {} : { retryAfter }) })
    }
    case 408:
    case 409:
      return new ProviderError({ ...common, retryable: shouldRetry !== "false" })
    default:
      if (status >= 500) return new ProviderError(withRetry)
      return new InvalidRequestError({
        ...withRetry,
        ...(details.param === undefined ? {} : { param: details.param })
      })
  }
}

interface ValidationItem {
  readonly loc?: ReadonlyArray<unknown>
  readonly msg?: unknown
}

// FastAPI-style validation details (`[{ loc: ["body", "messages", 0], msg }]`), as Mistral and vLLM send them.
const readValidation = (items: ReadonlyArray<ValidationItem>): { message: string; param: string | undefined } => {
  const paths: Array<string> = []
  const parts = items.map((item) => {
    const loc = Array.isArray(item.loc) ? item.loc.filter((key) => key !== "body").map(String) : []
    const path = loc.join(".")
    if (path !== "") paths.push(path)
    const msg = typeof item.msg === "string" ? item.msg : JSON.stringify(item.msg)
    return path === "" ? msg : `${path}: ${msg}`
  })
  return { message: parts.join("; "), param: paths[0] }
}

const isValidationList = (value: unknown): value is ReadonlyArray<ValidationItem> =>
  Array.isArray(value) && value.every((item) => typeof item === "object" && item !== null)

const messageOf = (value: unknown): { message: string; param: string | undefined } | undefined => {
  if (typeof value === "string") return { message: value, param: undefined }
  if (isValidationList(value)) return readValidation(value)
  if (typeof value === "object" && value !== null) {
    const detail = (value as { detail?: unknown }).detail
    if (typeof detail === "string") return { message: detail, param: undefined }
    if (isValidationList(detail)) return readValidation(detail)
  }
  return undefined
}

/**
 * Reads the error body shapes of the OpenAI family: `{ error: { message, type, param, code } }` (OpenAI, Groq,
 * DeepSeek, Qwen, vLLM ≥ 0.10.1), flat `{ object: "error", message, type, code }` (Mistral, older vLLM) where
 * `message` may itself be FastAPI validation details, `{ detail }` (FastAPI servers), `{ error: "text" }` (Ollama),
 * or plain text.
 *
 * @internal
 */
export const readOpenAiErrorDetails = (failure: HttpFailure): ErrorDetails => {
  const json = failure.json
  const fromObject = (value: Record<string, unknown>): ErrorDetails | undefined => {
    const read = messageOf(value.message) ?? messageOf(value.detail)
    if (read === undefined) return undefined
    return {
      message: read.message,
      code: scalar(value.code),
      type: scalar(value.type),
      param: scalar(value.param) ?? read.param
    }
  }
  if (typeof json === "object" && json !== null) {
    const body = json as Record<string, unknown>
    if (typeof body.error === "object" && body.error !== null) {
      const details = fromObject(body.error as Record<string, unknown>)
      if (details !== undefined) return details
    }
    if (typeof body.error === "string") return { message: body.error }
    const details = fromObject(body)
    if (details !== undefined) return details
  }
  return { message: failure.body.trim().slice(0, 500) }
}

const scalar = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined
