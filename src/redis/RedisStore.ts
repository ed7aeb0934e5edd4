/**
 * Redis-backed stores, so that several processes (several gateway instances behind a load balancer) share one rate
 * limit and one response cache. Needs a Redis server; the rest of the SDK does not.
 *
 * @since 0.1.0
 */
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import * as RedisRateLimiter from "@effect/experimental/RateLimiter/Redis"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { Redis, type RedisOptions } from "ioredis"
import type { LlmClient } from "../core/LlmClient.js"
import type { CacheStore } from "../reliability/Cache.js"
import * as RateLimit from "../reliability/RateLimit.js"

/**
 * Where Redis is: a URL (`redis://127.0.0.1:6379/0`) or ioredis options, and a key prefix for this application.
 *
 * @since 0.1.0
 */
export type RedisConnection = (RedisOptions & { readonly url?: string | undefined }) & {
  readonly prefix?: string | undefined
}

const optionsOf = (connection: RedisConnection): RedisOptions => {
  const { url, prefix: _prefix, ...rest } = connection
  if (url === undefined) return rest
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    ...(parsed.password === "" ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.username === "" ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    ...rest
  }
}

/**
 * The rate limiter's store in Redis (`@effect/experimental`'s token bucket, one Lua script per call): processes that
 * use the same key share the limit.
 *
 * @since 0.1.0
 */
export const rateLimiterStore = (connection: RedisConnection): Layer.Layer<RateLimiter.RateLimiterStore> =>
  RedisRateLimiter.layerStore({ ...optionsOf(connection), prefix: connection.prefix ?? "agent-adapter:ratelimit:" })

/**
 * The rate limiter as a layer whose counts live in Redis.
 *
 * @since 0.1.0
 */
export const rateLimitLayer = (
  options: RateLimit.RateLimitOptions,
  connection: RedisConnection
): Layer.Layer<LlmClient, never, LlmClient> =>
  RateLimit.layerWithStore(options).pipe(Layer.provide(rateLimiterStore(connection)))

/**
 * A response-cache store in Redis: entries expire with Redis's own TTL. A failing Redis is a cache miss, never a
 * failed call.
 *
 * @since 0.1.0
 */
export const cacheStore = (connection: RedisConnection): Effect.Effect<CacheStore, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const redis = new Redis({ maxRetriesPerRequest: 1, ...optionsOf(connection) })
        // Connection errors reach each command as a rejection (a cache miss); the event itself needs a listener.
        redis.on("error", () => {})
        return redis
      }),
      (redis) => Effect.promise(() => redis.quit().catch(() => "closed"))
    ),
    (redis): CacheStore => {
      const prefix = connection.prefix ?? "agent-adapter:cache:"
      return {
        get: (key) =>
          Effect.tryPromise(() => redis.get(prefix + key)).pipe(
            Effect.map((value) => Option.fromNullable(value)),
            Effect.orElseSucceed(() => Option.none())
          ),
        set: (key, value, ttl) =>
          Effect.tryPromise(() =>
            redis.set(prefix + key, value, "PX", Math.max(1, Math.round(Duration.toMillis(ttl))))
          ).pipe(Effect.ignore)
      }
    }
  )
