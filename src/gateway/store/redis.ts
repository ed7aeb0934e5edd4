/**
 * Shared counters in Redis, for several gateway instances behind one load balancer: per-key rate limits (the
 * SDK's Redis token bucket, `@agent-adapter/sdk/redis`) and budget reservations (one Lua script per reservation, so
 * check and reserve are one atomic step for every instance). Loaded only when `gateway.redis` is set.
 *
 * Keys (under the prefix, `agent-adapter:gateway:` by default): `ratelimit:<key id>:requests|tokens`, and per key
 * `budget:{<key id>}:spent` (nano-USD spent), `:amounts` (reservation id → nano-USD) and `:leases` (reservation id
 * scored by when its lease ends). The braces keep one key's budget in one Redis Cluster slot.
 *
 * @since 0.1.0
 */
import type * as RateLimiter from "@effect/experimental/RateLimiter"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import * as RedisStore from "../../redis/RedisStore.js"
import { BudgetLedger, type BudgetLedgerService } from "./BudgetLedger.js"
import { GatewayStoreError } from "./GatewayStore.js"

/**
 * Where Redis is and the prefix of every key the gateway writes there.
 *
 * @since 0.1.0
 */
export interface RedisOptions {
  readonly url: Redacted.Redacted<string>
  readonly prefix?: string | undefined
}

const defaultPrefix = "agent-adapter:gateway:"

// A Redis that accepts connections but stops answering must not hold requests forever: admission is uninterruptible.
const commandTimeout = 5000

const reserveScript = `
local budget = tonumber(ARGV[1])
local amount = tonumber(ARGV[3])
local now = tonumber(ARGV[5])
redis.call("SET", KEYS[1], ARGV[2], "NX")
local expired = redis.call("ZRANGEBYSCORE", KEYS[2], "-inf", now)
for i = 1, #expired do redis.call("HDEL", KEYS[3], expired[i]) end
if #expired > 0 then redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now) end
local reserved = 0
local amounts = redis.call("HVALS", KEYS[3])
for i = 1, #amounts do reserved = reserved + tonumber(amounts[i]) end
local spent = tonumber(redis.call("GET", KEYS[1]))
local committed = spent + reserved
if committed < budget and committed + amount <= budget then
  redis.call("HSET", KEYS[3], ARGV[4], ARGV[3])
  redis.call("ZADD", KEYS[2], tonumber(ARGV[6]), ARGV[4])
  return { 1, tostring(spent), tostring(reserved + amount) }
end
return { 0, tostring(spent), tostring(reserved) }
`

const commitScript = `
redis.call("SET", KEYS[1], ARGV[1], "NX")
if ARGV[3] ~= "" then
  redis.call("HDEL", KEYS[3], ARGV[3])
  redis.call("ZREM", KEYS[2], ARGV[3])
end
redis.call("INCRBY", KEYS[1], ARGV[2])
return 1
`

interface LedgerCommands {
  gatewayReserve(...args: ReadonlyArray<string>): Promise<[number, string, string]>
  gatewayCommit(...args: ReadonlyArray<string>): Promise<number>
}

const integer = (value: number): string => Math.round(value).toFixed(0)

const storeError = (what: string) => (cause: unknown) =>
  new GatewayStoreError({
    message: `gateway redis: ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`
  })

/**
 * A budget ledger in Redis. Connects at once and fails when Redis does not answer within five seconds.
 *
 * @since 0.1.0
 */
export const makeLedger = (options: RedisOptions): Effect.Effect<BudgetLedgerService, GatewayStoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const prefix = options.prefix ?? defaultPrefix
    const redis = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const client = new Redis(Redacted.value(options.url), { maxRetriesPerRequest: 1, commandTimeout })
        // Failures reach each command as a rejection; the client's own error event only needs a listener.
        client.on("error", () => {})
        client.defineCommand("gatewayReserve", { numberOfKeys: 3, lua: reserveScript })
        client.defineCommand("gatewayCommit", { numberOfKeys: 3, lua: commitScript })
        return client
      }),
      (client) => Effect.promise(() => client.quit().catch(() => "closed"))
    )
    const commands = redis as unknown as LedgerCommands
    const keysOf = (keyId: string) => {
      const base = `${prefix}budget:{${keyId}}`
      return [`${base}:spent`, `${base}:leases`, `${base}:amounts`] as const
    }
    const ping = Effect.tryPromise({ try: () => redis.ping(), catch: storeError("reaching Redis") }).pipe(Effect.asVoid)
    yield* ping.pipe(
      Effect.timeoutFail({
        duration: Duration.seconds(5),
        onTimeout: () => new GatewayStoreError({ message: "gateway redis: Redis did not answer within 5 seconds" })
      })
    )
    const ledger: BudgetLedgerService = {
      reserve: (request) =>
        Effect.tryPromise({
          try: () =>
            commands.gatewayReserve(
              ...keysOf(request.keyId),
              integer(request.budgetNanos),
              integer(request.knownSpentNanos),
              integer(request.amountNanos),
              request.reservationId,
              integer(request.now),
              integer(request.now + request.leaseMs)
            ),
          catch: storeError("reserving budget")
        }).pipe(
          Effect.map(([admitted, spent, reserved]) => ({
            admitted: admitted === 1,
            spentNanos: Number(spent),
            reservedNanos: Number(reserved)
          }))
        ),
      commit: (request) =>
        Effect.tryPromise({
          try: () =>
            commands.gatewayCommit(
              ...keysOf(request.keyId),
              integer(request.knownSpentNanos),
              integer(request.costNanos),
              request.reservationId ?? ""
            ),
          catch: storeError("recording spend")
        }).pipe(Effect.asVoid),
      ping
    }
    return ledger
  })

/**
 * Rate-limit counts and budget reservations in Redis.
 *
 * @since 0.1.0
 */
export const layer = (
  options: RedisOptions
): Layer.Layer<BudgetLedger | RateLimiter.RateLimiterStore, GatewayStoreError> =>
  // The ledger first: it checks that Redis answers, so an unreachable Redis fails the start before the rate
  // limiter's own client (which has no error listener) starts logging connection errors.
  RedisStore.rateLimiterStore({
    url: Redacted.value(options.url),
    prefix: `${options.prefix ?? defaultPrefix}ratelimit:`,
    maxRetriesPerRequest: 1,
    commandTimeout
  }).pipe(Layer.provideMerge(Layer.scoped(BudgetLedger, makeLedger(options))))
