/**
 * The errors of every call: a closed union of tagged classes. Each says which provider and model failed, the HTTP
 * status and request id when known, a message for humans, and whether trying again may help (`retryable`).
 *
 * The same classes are thrown by the promise facade, so `error instanceof RateLimitError` works there too.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const fields = (retryable: boolean) => ({
  message: Schema.String,
  provider: Schema.optional(Schema.String),
  model: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Number),
  requestId: Schema.optional(Schema.String),
  /** The provider's own error code or type, e.g. `insufficient_quota`. */
  code: Schema.optional(Schema.String),
  retryable: Schema.optionalWith(Schema.Boolean, { default: () => retryable })
})

/**
 * The request is wrong: rejected by the provider (400, 422) or by validation before any network call. `param`
 * names the field at fault when known.
 *
 * @since 0.1.0
 */
export class InvalidRequestError extends Schema.TaggedError<InvalidRequestError>(
  "@agent-adapter/sdk/InvalidRequestError"
)("InvalidRequestError", { ...fields(false), param: Schema.optional(Schema.String) }) {}

/**
 * The key is missing, wrong, expired or revoked (401).
 *
 * @since 0.1.0
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>(
  "@agent-adapter/sdk/AuthenticationError"
)("AuthenticationError", fields(false)) {}

/**
 * The key is valid but may not do this: model access, region, organisation (403).
 *
 * @since 0.1.0
 */
export class PermissionError extends Schema.TaggedError<PermissionError>("@agent-adapter/sdk/PermissionError")(
  "PermissionError",
  fields(false)
) {}

/**
 * The model, deployment, route or provider does not exist (404, or an unknown name in configuration).
 *
 * @since 0.1.0
 */
export class NotFoundError extends Schema.TaggedError<NotFoundError>("@agent-adapter/sdk/NotFoundError")(
  "NotFoundError",
  fields(false)
) {}

/**
 * The conversation does not fit the model's context window.
 *
 * @since 0.1.0
 */
export class ContextLengthError extends Schema.TaggedError<ContextLengthError>("@agent-adapter/sdk/ContextLengthError")(
  "ContextLengthError",
  fields(false)
) {}

/**
 * A safety system refused the prompt or the answer.
 *
 * @since 0.1.0
 */
export class ContentFilterError extends Schema.TaggedError<ContentFilterError>("@agent-adapter/sdk/ContentFilterError")(
  "ContentFilterError",
  fields(false)
) {}

/**
 * Too many requests or tokens for now (429). `retryAfter` is the wait the provider asked for, when it said one.
 *
 * @since 0.1.0
 */
export class RateLimitError extends Schema.TaggedError<RateLimitError>("@agent-adapter/sdk/RateLimitError")(
  "RateLimitError",
  { ...fields(true), retryAfter: Schema.optional(Schema.DurationFromSelf) }
) {
  /** `retryAfter` in milliseconds, for callers outside Effect. */
  get retryAfterMs(): number | undefined {
    return this.retryAfter === undefined ? undefined : Duration.toMillis(this.retryAfter)
  }
}

/**
 * Credits, balance or spend limit exhausted (OpenAI `insufficient_quota`, 402). Waiting does not help.
 *
 * @since 0.1.0
 */
export class QuotaExceededError extends Schema.TaggedError<QuotaExceededError>("@agent-adapter/sdk/QuotaExceededError")(
  "QuotaExceededError",
  fields(false)
) {}

/**
 * Which deadline ran out: connecting, the first chunk of a stream, the gap between two chunks, one attempt, or the
 * whole call including retries.
 *
 * @since 0.1.0
 */
export const TimeoutPhase = Schema.Literal("connect", "first_chunk", "idle", "attempt", "total")

/**
 * @since 0.1.0
 */
export type TimeoutPhase = typeof TimeoutPhase.Type

/**
 * A deadline ran out; `phase` says which.
 *
 * @since 0.1.0
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>("@agent-adapter/sdk/TimeoutError")("TimeoutError", {
  ...fields(true),
  phase: TimeoutPhase,
  timeout: Schema.optional(Schema.DurationFromSelf)
}) {}

/**
 * The connection failed or broke: refused, reset, DNS, TLS, or a stream that ended before it was complete.
 *
 * @since 0.1.0
 */
export class NetworkError extends Schema.TaggedError<NetworkError>("@agent-adapter/sdk/NetworkError")(
  "NetworkError",
  fields(true)
) {}

/**
 * The provider failed on its side (5xx, Anthropic's 529 overloaded, an error event inside a stream).
 *
 * @since 0.1.0
 */
export class ProviderError extends Schema.TaggedError<ProviderError>("@agent-adapter/sdk/ProviderError")(
  "ProviderError",
  fields(true)
) {}

/**
 * The provider answered something that cannot be read: malformed JSON, a broken stream frame, an unexpected shape.
 *
 * @since 0.1.0
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>(
  "@agent-adapter/sdk/ResponseDecodeError"
)("ResponseDecodeError", fields(false)) {}

/**
 * A circuit breaker is open for this provider or model: the call failed fast without reaching the network.
 *
 * @since 0.1.0
 */
export class CircuitOpenError extends Schema.TaggedError<CircuitOpenError>("@agent-adapter/sdk/CircuitOpenError")(
  "CircuitOpenError",
  { ...fields(false), retryAfter: Schema.optional(Schema.DurationFromSelf) }
) {}

/**
 * The provider or model cannot do what was asked (embeddings on a chat-only provider, images to a text model).
 *
 * @since 0.1.0
 */
export class UnsupportedError extends Schema.TaggedError<UnsupportedError>("@agent-adapter/sdk/UnsupportedError")(
  "UnsupportedError",
  { ...fields(false), feature: Schema.optional(Schema.String) }
) {}

/**
 * Every error a call can fail with.
 *
 * @since 0.1.0
 */
export type LlmError =
  | InvalidRequestError
  | AuthenticationError
  | PermissionError
  | NotFoundError
  | ContextLengthError
  | ContentFilterError
  | RateLimitError
  | QuotaExceededError
  | TimeoutError
  | NetworkError
  | ProviderError
  | ResponseDecodeError
  | CircuitOpenError
  | UnsupportedError

/**
 * The schema of the union, to encode errors (for example across a process boundary) and decode them back.
 *
 * @since 0.1.0
 */
export const LlmError = Schema.Union(
  InvalidRequestError,
  AuthenticationError,
  PermissionError,
  NotFoundError,
  ContextLengthError,
  ContentFilterError,
  RateLimitError,
  QuotaExceededError,
  TimeoutError,
  NetworkError,
  ProviderError,
  ResponseDecodeError,
  CircuitOpenError,
  UnsupportedError
)

const tags: ReadonlySet<string> = new Set([
  "InvalidRequestError",
  "AuthenticationError",
  "PermissionError",
  "NotFoundError",
  "ContextLengthError",
  "ContentFilterError",
  "RateLimitError",
  "QuotaExceededError",
  "TimeoutError",
  "NetworkError",
  "ProviderError",
  "ResponseDecodeError",
  "CircuitOpenError",
  "UnsupportedError"
])

/**
 * Whether a value is one of the `LlmError` classes.
 *
 * @since 0.1.0
 */
export const isLlmError = (u: unknown): u is LlmError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag) && u instanceof Error

/**
 * The tag of each member of the union.
 *
 * @since 0.1.0
 */
export type LlmErrorTag = LlmError["_tag"]
