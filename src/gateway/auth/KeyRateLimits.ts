/**
 * Per-key requests and tokens per minute, counted by the SDK's rate limiter (`@effect/experimental`'s token bucket,
 * in memory or in Redis) with no waiting: a request that does not fit now is refused with the time until it would.
 * Tokens are estimated when the request is admitted and corrected by the real usage when it ends.
 *
 * @since 0.1.0
 */
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Usage } from "../../core/Usage.js"
import * as RateLimit from "../../reliability/RateLimit.js"
import { type GatewayAuthError, refuse } from "./GatewayAuthError.js"
import type { KeyLimits } from "./Principal.js"

/**
 * A request that fit: report its real usage when it ends.
 *
 * @since 0.1.0
 */
export interface RateAdmission {
  readonly settle: (usage: Usage | undefined) => Effect.Effect<void>
}

/**
 * The per-key limiters of one gateway instance.
 *
 * @since 0.1.0
 */
export interface KeyRateLimits {
  readonly admit: (
    keyId: string,
    limits: KeyLimits,
    request: { readonly model: string; readonly estimatedTokens: number }
  ) => Effect.Effect<RateAdmission, GatewayAuthError>
}

const unlimited: RateAdmission = { settle: () => Effect.void }

/**
 * Builds the limiters over the `RateLimiterStore` in context.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<KeyRateLimits, never, RateLimiter.RateLimiterStore> = Effect.gen(function* () {
  const context = yield* Effect.context<RateLimiter.RateLimiterStore>()
  // One limiter per key and limit pair; a key's limits never change, so the pair only differs for a new key.
  const limiters = new Map<string, RateLimit.Limiter>()
  const limiterOf = (keyId: string, limits: KeyLimits) => {
    const id = `${keyId}:${limits.requestsPerMinute ?? "-"}:${limits.tokensPerMinute ?? "-"}`
    const existing = limiters.get(id)
    if (existing !== undefined) return Effect.succeed(existing)
    return RateLimit.makeLimiter(`gateway:${keyId}`, {
      requestsPerMinute: limits.requestsPerMinute,
      tokensPerMinute: limits.tokensPerMinute,
      maxWait: Duration.zero,
      adaptive: false
    }).pipe(
      Effect.provide(context),
      Effect.tap((limiter) => Effect.sync(() => limiters.set(id, limiter)))
    )
  }
  return {
    admit: (keyId, limits, request) => {
      if (limits.requestsPerMinute === undefined && limits.tokensPerMinute === undefined) {
        return Effect.succeed(unlimited)
      }
      return limiterOf(keyId, limits).pipe(
        Effect.flatMap((limiter) =>
          limiter.admit({ model: request.model, tokens: request.estimatedTokens }, "gateway")
        ),
        Effect.mapError((error) =>
          error._tag === "RateLimitError" && error.code === "client_rate_limit"
            ? refuse("rate-limited", rateMessage(limits), {
                retryAfterMs: error.retryAfter === undefined ? 1000 : Math.ceil(Duration.toMillis(error.retryAfter))
              })
            : refuse("unavailable", "The gateway's rate-limit store is unavailable; try again shortly.")
        )
      )
    }
  }
})

const rateMessage = (limits: KeyLimits): string => {
  const parts = [
    ...(limits.requestsPerMinute === undefined ? [] : [`${limits.requestsPerMinute} requests`]),
    ...(limits.tokensPerMinute === undefined ? [] : [`${limits.tokensPerMinute} tokens`])
  ]
  return `This API key is over its rate limit (${parts.join(" and ")} per minute).`
}
