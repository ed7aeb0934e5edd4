/**
 * The reliability stack as plain settings (milliseconds, numbers): what the promise facade and the router build from
 * their options and configuration files. Per provider: retry → circuit breaker → rate limit → per-attempt deadlines;
 * around the whole call: the total and idle deadlines.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { LlmClient } from "../core/LlmClient.js"
import * as CircuitBreaker from "./CircuitBreaker.js"
import * as RateLimit from "./RateLimit.js"
import * as Retry from "./Retry.js"
import * as Timeout from "./Timeout.js"

/**
 * Retry settings; `maxRetries: 0` turns retrying off.
 *
 * @since 0.1.0
 */
export interface RetrySettings {
  readonly maxRetries?: number | undefined
  readonly baseDelayMs?: number | undefined
  readonly maxDelayMs?: number | undefined
  readonly jitter?: boolean | undefined
  readonly maxServerDelayMs?: number | undefined
}

/**
 * Deadlines.
 *
 * @since 0.1.0
 */
export interface TimeoutSettings {
  readonly totalMs?: number | undefined
  readonly attemptMs?: number | undefined
  readonly firstChunkMs?: number | undefined
  readonly idleMs?: number | undefined
}

/**
 * Circuit breaker settings.
 *
 * @since 0.1.0
 */
export interface CircuitBreakerSettings {
  readonly failureThreshold?: number | undefined
  readonly windowMs?: number | undefined
  readonly resetTimeoutMs?: number | undefined
  readonly halfOpenMaxCalls?: number | undefined
  readonly per?: "provider" | "model" | undefined
}

/**
 * Client-side limits.
 *
 * @since 0.1.0
 */
export interface RateLimitSettings {
  readonly requestsPerMinute?: number | undefined
  readonly tokensPerMinute?: number | undefined
  readonly concurrency?: number | undefined
  readonly maxWaitMs?: number | undefined
}

/**
 * Default deadlines: a call may take 10 minutes in all, and a stream may be silent for 2 minutes between chunks.
 *
 * @since 0.1.0
 */
export const defaultTotalMs = 600_000

/**
 * @since 0.1.0
 */
export const defaultIdleMs = 120_000

const millis = (value: number | undefined) => (value === undefined ? undefined : Duration.millis(value))

const defined = <A extends object>(value: A): A =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as A

/**
 * A circuit breaker from settings.
 *
 * @since 0.1.0
 */
export const breaker = (settings: CircuitBreakerSettings): Effect.Effect<CircuitBreaker.CircuitBreaker> =>
  CircuitBreaker.make(
    defined({
      failureThreshold: settings.failureThreshold,
      window: millis(settings.windowMs),
      resetTimeout: millis(settings.resetTimeoutMs),
      halfOpenMaxCalls: settings.halfOpenMaxCalls,
      per: settings.per
    })
  )

/**
 * One provider's stack: retry → circuit breaker → rate limit → per-attempt deadlines. Retries are on (2) unless
 * `retry` is `false` or `maxRetries` is 0. `limiterKey` names the rate limiter (default: the client's provider).
 *
 * @since 0.1.0
 */
export const perTarget = (options: {
  readonly retry?: false | RetrySettings | undefined
  readonly timeout?: false | TimeoutSettings | undefined
  readonly rateLimit?: RateLimitSettings | undefined
  readonly breaker?: CircuitBreaker.CircuitBreaker | undefined
  readonly limiterKey?: string | undefined
}): ((client: LlmClient.Service) => Effect.Effect<LlmClient.Service>) => {
  const timeout = options.timeout === false ? undefined : options.timeout
  return (client) =>
    Effect.gen(function* () {
      let out = client
      // The idle deadline only runs after a stream's first chunk, when retries and fallbacks can no longer help:
      // it sits outside with the total deadline (see `around`).
      const attempt = defined({ attempt: millis(timeout?.attemptMs), firstChunk: millis(timeout?.firstChunkMs) })
      if (Object.keys(attempt).length > 0) out = Timeout.decorateClient(attempt)(out)
      if (options.rateLimit !== undefined) {
        const limits = defined({
          requestsPerMinute: options.rateLimit.requestsPerMinute,
          tokensPerMinute: options.rateLimit.tokensPerMinute,
          concurrency: options.rateLimit.concurrency,
          maxWait: millis(options.rateLimit.maxWaitMs)
        })
        const limiter = yield* RateLimit.makeLimiter(options.limiterKey ?? client.provider, limits).pipe(
          Effect.provide(RateLimit.layerStoreMemory)
        )
        out = RateLimit.decorateClient(limiter, limits)(out)
      }
      if (options.breaker !== undefined) out = CircuitBreaker.decorateClient(options.breaker)(out)
      const retry = options.retry === false ? { maxRetries: 0 } : (options.retry ?? {})
      if (retry.maxRetries !== 0) {
        out = Retry.decorateClient(
          defined({
            maxRetries: retry.maxRetries,
            baseDelay: millis(retry.baseDelayMs),
            maxDelay: millis(retry.maxDelayMs),
            jitter: retry.jitter,
            maxServerDelay: millis(retry.maxServerDelayMs)
          })
        )(out)
      }
      return out
    })
}

/**
 * The deadlines around a whole call (fallbacks included): total (default 10 minutes) and idle between chunks
 * (default 2 minutes). `false` turns both off.
 *
 * @since 0.1.0
 */
export const around = (
  timeout: false | TimeoutSettings | undefined
): ((client: LlmClient.Service) => LlmClient.Service) => {
  if (timeout === false) return (client) => client
  const total = millis(timeout?.totalMs ?? defaultTotalMs)
  const idle = millis(timeout?.idleMs ?? defaultIdleMs)
  return Timeout.decorateClient(defined({ total, idle }))
}
