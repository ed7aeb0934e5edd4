// Needs Redis on 127.0.0.1:6379 (run by `npm run test:services`, which `.ci/run` runs; `npm test` does not).
import { randomUUID } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { Redis } from "ioredis"
import { LlmClient } from "../../src/core/LlmClient.js"
import { RedisStore } from "../../src/redis/index.js"
import * as Cache from "../../src/reliability/Cache.js"
import * as RateLimit from "../../src/reliability/RateLimit.js"
import { MockLlm } from "../../src/testing/index.js"

const connection = { url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0" }
const ask = { model: "m", messages: [{ role: "user" as const, content: "hi" }] }

// Two "processes": separate limiters and clients, one Redis, one key.
const processWith = (key: string, prefix: string) =>
  Effect.gen(function* () {
    const context = yield* Layer.build(
      RateLimit.layerWithStore({ requestsPerMinute: 2, key }).pipe(
        Layer.provideMerge(MockLlm.layer()),
        Layer.provide(RedisStore.rateLimiterStore({ ...connection, prefix }))
      )
    )
    return yield* Effect.provide(LlmClient, context)
  })

describe("Redis stores", () => {
  it.scoped("two processes share one rate limit", () =>
    Effect.gen(function* () {
      const key = `test-${randomUUID()}`
      const prefix = "agent-adapter-test:ratelimit:"
      const first = yield* processWith(key, prefix)
      const second = yield* processWith(key, prefix)
      yield* first.chat(ask)
      yield* second.chat(ask)
      // The third call, from either process, waits for the shared bucket to refill.
      const third = yield* Effect.fork(first.chat(ask))
      yield* TestClock.adjust("29 seconds")
      assert.isNull(third.unsafePoll())
      yield* TestClock.adjust("1 second")
      const answer = yield* Fiber.join(third)
      assert.strictEqual(answer.content, "hi")
    })
  )

  it.scoped("a response cache in Redis serves another client, and its entries carry the ttl", () =>
    Effect.gen(function* () {
      const prefix = `agent-adapter-test:cache:${randomUUID()}:`
      const store = yield* RedisStore.cacheStore({ ...connection, prefix })
      const a = MockLlm.make()
      const b = MockLlm.make()
      const first = (yield* Cache.make({ store, ttl: "1 minute" })).decorateClient(a.client)
      const second = (yield* Cache.make({ store, ttl: "1 minute" })).decorateClient(b.client)
      yield* first.chat(ask)
      const hit = yield* second.chat(ask)
      assert.isTrue(hit.cached)
      assert.strictEqual(b.controls.requests().length, 0)
      const redis = new Redis({ host: "127.0.0.1", port: 6379 })
      yield* Effect.addFinalizer(() => Effect.promise(() => redis.quit()))
      const keys = yield* Effect.promise(() => redis.keys(`${prefix}*`))
      assert.strictEqual(keys.length, 1)
      const ttl = yield* Effect.promise(() => redis.pttl(keys[0]!))
      assert.isAbove(ttl, 0)
      assert.isAtMost(ttl, 60_000)
      yield* store.set("direct", "value", Duration.seconds(5))
      assert.deepStrictEqual(yield* store.get("direct"), Option.some("value"))
    })
  )

  it.scoped("an unreachable Redis is a cache miss, not a failed call", () =>
    Effect.gen(function* () {
      const store = yield* RedisStore.cacheStore({ host: "127.0.0.1", port: 1, retryStrategy: () => null })
      const mock = MockLlm.make()
      const client = (yield* Cache.make({ store })).decorateClient(mock.client)
      const answer = yield* client.chat(ask)
      assert.strictEqual(answer.content, "hi")
    })
  )
})
