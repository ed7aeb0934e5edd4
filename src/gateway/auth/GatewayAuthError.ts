/**
 * Why the gateway refused a request before calling any provider: no key, a wrong, expired or revoked key, a model the
 * key may not use, a key over its rate limit or over its budget, or a key store that could not be reached. Each
 * reason has its HTTP status; the server writes the error in the caller's wire format.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * What went wrong, in a word.
 *
 * @since 0.1.0
 */
export const GatewayAuthReason = Schema.Literal(
  "missing-key",
  "invalid-key",
  "revoked",
  "expired",
  "model-not-allowed",
  "rate-limited",
  "budget-exceeded",
  "unavailable"
)

/**
 * @since 0.1.0
 */
export type GatewayAuthReason = typeof GatewayAuthReason.Type

/**
 * The HTTP statuses a refusal may carry: 401 (who are you), 403 (not this model), 402 or 429 (over budget, 402 by
 * default), 429 (over a rate limit, with `retryAfterMs`), 503 (the key store or Redis is unreachable).
 *
 * @since 0.1.0
 */
export const GatewayAuthStatus = Schema.Literal(401, 402, 403, 429, 503)

/**
 * @since 0.1.0
 */
export type GatewayAuthStatus = typeof GatewayAuthStatus.Type

/**
 * A refused request. `message` is safe to send to the caller: it never contains a key.
 *
 * @since 0.1.0
 */
export class GatewayAuthError extends Schema.TaggedError<GatewayAuthError>("@agent-adapter/sdk/GatewayAuthError")(
  "GatewayAuthError",
  {
    reason: GatewayAuthReason,
    message: Schema.String,
    status: GatewayAuthStatus,
    /** For `rate-limited`: when the key's next request fits, in ms (the `retry-after` header, rounded up to seconds). */
    retryAfterMs: Schema.optional(Schema.Number)
  }
) {}

const statusOf: Readonly<Record<Exclude<GatewayAuthReason, "budget-exceeded">, GatewayAuthStatus>> = {
  "missing-key": 401,
  "invalid-key": 401,
  revoked: 401,
  expired: 401,
  "model-not-allowed": 403,
  "rate-limited": 429,
  unavailable: 503
}

/**
 * Builds a refusal with the status its reason implies (`budget-exceeded` takes the configured 402 or 429).
 *
 * @since 0.1.0
 */
export const refuse = (
  reason: GatewayAuthReason,
  message: string,
  extra: { readonly retryAfterMs?: number | undefined; readonly budgetStatus?: 402 | 429 | undefined } = {}
): GatewayAuthError =>
  new GatewayAuthError({
    reason,
    message,
    status: reason === "budget-exceeded" ? (extra.budgetStatus ?? 402) : statusOf[reason],
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs })
  })
