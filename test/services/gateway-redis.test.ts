// Needs Redis on 127.0.0.1:6379 (run by `npm run test:services`, which `.ci/run` runs; `npm test` does not).
// Two gateway instances share one key store (a SQLite file) and one Redis: their limits and budgets are one.
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { Redis } from "ioredis"
import {
  type Admission,
  GatewayAuth,
  type GatewayAuthService,
  GatewayStoreError,
  type Principal
} from "../../src/gateway/auth/index.js"

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0"
const folder = mkdtempSync(join(tmpdir(), "agent-adapter-gateway-redis-"))
const runPrefix = `agent-adapter-test:gateway:${randomUUID()}:`

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true })
  const redis = new Redis(redisUrl)
  const keys = await redis.keys(`${runPrefix}*`)
  if (keys.length > 0) await redis.del(...keys)
  await redis.quit()
})

const price = () => ({ inputPerMillion: 1, outputPerMillion: 1 })

// Two instances over one database file and one Redis prefix, each with its own connections and memory.
const twoInstances = (options: { readonly reservationTtl?: Duration.DurationInput } = {}) =>
  Effect.gen(function* () {
    const database = `sqlite:${join(folder, `${randomUUID()}.db`)}`
    const prefix = `${runPrefix}${randomUUID()}:`
    const instance = Effect.map(
      Layer.build(
        GatewayAuth.layer({
          database,
          redis: redisUrl,
          redisPrefix: prefix,
          masterKey: Redacted.make("redis-test-master"),
          price,
          ...options
        })
      ),
      Context.get(GatewayAuth)
    )
    const a = yield* instance
    const b = yield* instance
    return { a, b, prefix }
  })

const keyOn = (auth: GatewayAuthService, input: Parameters<GatewayAuthService["keys"]["create"]>[0]) =>
  Effect.gen(function* () {
    const created = yield* auth.keys.create(input)
    return {
      created,
      principal: yield* auth.authenticate({ authorization: `Bearer ${Redacted.value(created.key)}` })
    }
  })

const settled = (auth: GatewayAuthService, admission: Admission, cost: number) =>
  auth.settle(admission, { cost, latencyMs: 10, status: 200, model: "m", requestId: randomUUID() })

describe("gateway limits and budgets in Redis", () => {
  it.scoped("requests per minute are counted once for both instances", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoInstances()
      const { principal, created } = yield* keyOn(a, { name: "k", rpm: 2 })
      const onB: Principal = yield* b.authenticate({ "x-api-key": Redacted.value(created.key) })
      const request = { model: "m", estimatedTokens: 1 }
      yield* a.admit(principal, request)
      yield* b.admit(onB, request)
      for (const auth of [a, b]) {
        const error = yield* Effect.flip(auth.admit(principal, request))
        assert.strictEqual(error.reason, "rate-limited")
        assert.strictEqual(error.retryAfterMs, 30_000)
      }
      yield* TestClock.adjust("30 seconds")
      yield* b.admit(principal, request)
      assert.strictEqual((yield* Effect.flip(a.admit(principal, request))).reason, "rate-limited")
    })
  )

  it.scoped("tokens per minute: one instance's correction at settle frees room on the other", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoInstances()
      const { principal } = yield* keyOn(a, { name: "k", tpm: 1000 })
      const first = yield* a.admit(principal, { model: "m", estimatedTokens: 800 })
      assert.strictEqual(
        (yield* Effect.flip(b.admit(principal, { model: "m", estimatedTokens: 800 }))).reason,
        "rate-limited"
      )
      yield* a.settle(first, {
        usage: { inputTokens: 50, outputTokens: 50, totalTokens: 100 },
        latencyMs: 5,
        status: 200,
        model: "m",
        requestId: "t"
      })
      yield* b.admit(principal, { model: "m", estimatedTokens: 800 })
    })
  )

  it.scoped("budget race: 40 parallel admissions on two instances against a budget that fits 5 admit exactly 5", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoInstances()
      const { principal, created } = yield* keyOn(a, { name: "k", budgetUsd: 0.005 })
      const attempts = Array.from({ length: 40 }, (_, index) =>
        Effect.either((index % 2 === 0 ? a : b).admit(principal, { model: "m", estimatedTokens: 1000 }))
      )
      const results = yield* Effect.all(attempts, { concurrency: "unbounded" })
      const admitted = results.flatMap((result, index) =>
        result._tag === "Right" ? [[index % 2 === 0 ? a : b, result.right] as const] : []
      )
      const refused = results.flatMap((result) => (result._tag === "Left" ? [result.left] : []))
      assert.strictEqual(admitted.length, 5)
      assert.isTrue(refused.every((error) => error.reason === "budget-exceeded" && error.status === 402))

      // Settled at $0.0004 each ($0.002 spent), on whichever instance admitted them: three more fit, on either.
      yield* Effect.forEach(admitted, ([auth, admission]) => settled(auth, admission, 0.0004))
      const again = yield* Effect.all(
        Array.from({ length: 10 }, (_, index) =>
          Effect.either((index % 2 === 0 ? b : a).admit(principal, { model: "m", estimatedTokens: 1000 }))
        ),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(again.filter((result) => result._tag === "Right").length, 3)
      // Each instance writes its usage (and spend) to SQL in batches; reading keys writes that instance's queue
      // first. Once both have, SQL holds the spend of both, whichever instance reads it.
      yield* a.keys.list
      const spent = (yield* b.keys.list).find((key) => key.id === created.info.id)?.spentUsd ?? 0
      assert.closeTo(spent, 0.002, 1e-12)
    })
  )

  it.scoped("a reservation whose instance never settles stops counting after its lease", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoInstances({ reservationTtl: "5 minutes" })
      const { principal } = yield* keyOn(a, { name: "k", budgetUsd: 0.001 })
      yield* a.admit(principal, { model: "m", estimatedTokens: 1000 })
      assert.strictEqual(
        (yield* Effect.flip(b.admit(principal, { model: "m", estimatedTokens: 1000 }))).reason,
        "budget-exceeded"
      )
      yield* TestClock.adjust("5 minutes")
      yield* b.admit(principal, { model: "m", estimatedTokens: 1000 })
    })
  )

  it.scoped("the budget counts live under the configured prefix, one Redis Cluster slot per key", () =>
    Effect.gen(function* () {
      const { a, prefix } = yield* twoInstances()
      const { principal, created } = yield* keyOn(a, { name: "k", budgetUsd: 1, rpm: 100 })
      const admission = yield* a.admit(principal, { model: "m", estimatedTokens: 1000 })
      const redis = new Redis(redisUrl)
      yield* Effect.addFinalizer(() => Effect.promise(() => redis.quit()))
      const keys = (yield* Effect.promise(() => redis.keys(`${prefix}*`))).sort()
      assert.includeMembers(keys, [
        `${prefix}budget:{${created.info.id}}:amounts`,
        `${prefix}budget:{${created.info.id}}:leases`,
        `${prefix}budget:{${created.info.id}}:spent`
      ])
      assert.isTrue(keys.some((key) => key.startsWith(`${prefix}ratelimit:gateway:${created.info.id}:requests`)))
      yield* settled(a, admission, 0.25)
      assert.strictEqual(
        yield* Effect.promise(() => redis.get(`${prefix}budget:{${created.info.id}}:spent`)),
        "250000000"
      )
      assert.strictEqual(yield* Effect.promise(() => redis.hlen(`${prefix}budget:{${created.info.id}}:amounts`)), 0)
      assert.isTrue(yield* a.ready)
    })
  )

  it.live("an unreachable Redis fails the start with a store error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.scoped(
          Layer.build(GatewayAuth.layer({ database: "sqlite::memory:", redis: "redis://:hunter2@127.0.0.1:1/0" }))
        )
      )
      assert.instanceOf(error, GatewayStoreError)
      assert.include(error.message, "Redis")
      assert.notInclude(error.message, "hunter2")
    })
  )
})
