// One description of a failed gateway request, written out in the caller's wire format (OpenAI or Anthropic) by
// each format's error encoder. Everything that can go wrong (a body too large, bad JSON, a refused key, a provider
// error) becomes one of these first, so both formats agree on statuses.
import * as Duration from "effect/Duration"
import type { LlmError } from "../../core/LlmError.js"
import type { GatewayAuthError } from "../auth/GatewayAuthError.js"

/** What kind of failure it is; each wire format names it in its own vocabulary. */
export type FailureKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "too_large"
  | "rate_limit"
  | "quota"
  | "timeout"
  | "overloaded"
  | "upstream"
  | "unavailable"
  | "internal"

/** @internal */
export interface Failure {
  readonly status: number
  readonly kind: FailureKind
  readonly message: string
  /** The request field at fault, in the wire's own names (`messages[0].content`). */
  readonly param?: string | undefined
  /** A machine-readable code (`invalid_api_key`, `model_not_found`, `context_length_exceeded`...). */
  readonly code?: string | undefined
  /** Seconds, for the `retry-after` header. */
  readonly retryAfterSeconds?: number | undefined
  /** What went wrong in a word, for usage records and metrics (`invalid_request`, `RateLimitError`...). */
  readonly errorType: string
}

/** @internal */
export const failure = (
  status: number,
  kind: FailureKind,
  message: string,
  extra: { readonly param?: string | undefined; readonly code?: string | undefined; readonly errorType?: string } = {}
): Failure => ({
  status,
  kind,
  message,
  param: extra.param,
  code: extra.code,
  errorType: extra.errorType ?? kind
})

const seconds = (duration: Duration.Duration | undefined): number | undefined =>
  duration === undefined ? undefined : Math.max(0, Math.ceil(Duration.toMillis(duration) / 1000))

const who = (error: LlmError): string => {
  const provider = error.provider === undefined ? "the provider" : error.provider
  return error.model === undefined ? provider : `${provider} (${error.model})`
}

/**
 * The gateway's answer to a provider's failure. The caller's own mistakes keep their 4xx; a provider that rejected
 * the gateway's own credentials is the operator's problem, so the caller sees 502 rather than a 401 that would make it
 * doubt its gateway key.
 *
 * @internal
 */
export const fromLlmError = (error: LlmError, availableModels?: ReadonlyArray<string>): Failure => {
  const errorType = error._tag
  switch (error._tag) {
    case "InvalidRequestError":
      return {
        status: 400,
        kind: "invalid_request",
        message: error.message,
        param: error.param,
        code: error.code,
        errorType
      }
    case "AuthenticationError":
      return {
        status: 502,
        kind: "upstream",
        message: `${who(error)} rejected the gateway's credentials: ${error.message}`,
        code: "upstream_authentication_error",
        errorType
      }
    case "PermissionError":
      return { status: 403, kind: "permission", message: error.message, code: error.code, errorType }
    case "NotFoundError": {
      // The router's own "unknown model" has no status; a provider's 404 (an unknown model upstream) has one.
      const list =
        availableModels !== undefined && availableModels.length > 0
          ? ` Available models: ${availableModels.join(", ")}.`
          : ""
      return {
        status: 404,
        kind: "not_found",
        message: `${error.message}${error.message.endsWith(".") ? "" : "."}${list}`,
        param: "model",
        code: "model_not_found",
        errorType
      }
    }
    case "ContextLengthError":
      return {
        status: 400,
        kind: "invalid_request",
        message: error.message,
        param: "messages",
        code: "context_length_exceeded",
        errorType
      }
    case "ContentFilterError":
      return { status: 400, kind: "invalid_request", message: error.message, code: "content_filter", errorType }
    case "RateLimitError":
      return {
        status: 429,
        kind: "rate_limit",
        message: error.message,
        code: error.code ?? "rate_limit_exceeded",
        retryAfterSeconds: seconds(error.retryAfter),
        errorType
      }
    case "QuotaExceededError":
      return { status: 429, kind: "quota", message: error.message, code: "insufficient_quota", errorType }
    case "TimeoutError":
      return {
        status: 504,
        kind: "timeout",
        message: error.message,
        code: `timeout_${error.phase}`,
        errorType
      }
    case "NetworkError":
    case "ResponseDecodeError":
      return { status: 502, kind: "upstream", message: error.message, code: error.code, errorType }
    case "ProviderError":
      return {
        status: error.status === 503 || error.status === 529 ? 503 : 502,
        kind: error.status === 503 || error.status === 529 ? "overloaded" : "upstream",
        message: error.message,
        code: error.code,
        errorType
      }
    case "CircuitOpenError":
      return {
        status: 503,
        kind: "unavailable",
        message: error.message,
        code: "circuit_open",
        retryAfterSeconds: seconds(error.retryAfter),
        errorType
      }
    case "UnsupportedError":
      return {
        status: 400,
        kind: "invalid_request",
        message: error.message,
        param: error.feature,
        code: "unsupported",
        errorType
      }
  }
}

const authKinds: Readonly<Record<GatewayAuthError["reason"], FailureKind>> = {
  "missing-key": "authentication",
  "invalid-key": "authentication",
  revoked: "authentication",
  expired: "authentication",
  "model-not-allowed": "permission",
  "rate-limited": "rate_limit",
  "budget-exceeded": "quota",
  unavailable: "unavailable"
}

const authCodes: Readonly<Record<GatewayAuthError["reason"], string>> = {
  "missing-key": "missing_api_key",
  "invalid-key": "invalid_api_key",
  revoked: "invalid_api_key",
  expired: "invalid_api_key",
  "model-not-allowed": "model_not_allowed",
  "rate-limited": "rate_limit_exceeded",
  "budget-exceeded": "budget_exceeded",
  unavailable: "service_unavailable"
}

/** @internal */
export const fromAuthError = (error: GatewayAuthError): Failure => ({
  status: error.status,
  kind: authKinds[error.reason],
  message: error.message,
  param: error.reason === "model-not-allowed" ? "model" : undefined,
  code: authCodes[error.reason],
  retryAfterSeconds: error.retryAfterMs === undefined ? undefined : Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
  errorType: error.reason
})

/** @internal */
export const internalFailure = (message = "The gateway failed while handling the request."): Failure =>
  failure(500, "internal", message, { errorType: "internal" })
