import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { AuthenticationError, type LlmError, ProviderError } from "../../src/core/LlmError.js"
import * as Cache from "../../src/reliability/Cache.js"
import * as Fallback from "../../src/reliability/Fallback.js"
import * as RateLimit from "../../src/reliability/RateLimit.js"
import { untilSleeping } from "./helpers.js"

// The combinator forms, over plain effects and streams rather than clients.
describe("policy combinators", () => {
  it.effect("Fallback.firstOf tries effects in order while the error allows", () =>
    Effect.gen(function* () {
      const down = Effect.fail<LlmError>(new ProviderError({ message: "down" }))
      assert.strictEqual(yield* Fallback.firstOf([down, down, Effect.succeed("third")]), "third")
      const denied = Effect.fail<LlmError>(new AuthenticationError({ message: "no" }))
      const error = yield* Effect.flip(Fallback.firstOf([denied, Effect.succeed("never")]))
      assert.instanceOf(error, AuthenticationError)
    })
  )

  it.effect("Fallback.firstOfStreams moves on only before the first element", () =>
    Effect.gen(function* () {
      const broken = Stream.fail<LlmError>(new ProviderError({ message: "down" }))
      const good = Stream.make("a", "b")
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Stream.runCollect(Fallback.firstOfStreams([broken, good]))), [
        "a",
        "b"
      ])
      const midway = Stream.concat(Stream.make("x"), Stream.fail<LlmError>(new ProviderError({ message: "cut" })))
      const error = yield* Effect.flip(Stream.runDrain(Fallback.firstOfStreams([midway, good])))
      assert.strictEqual(error.message, "cut")
    })
  )

  it.effect("RateLimit.limit and limitStream wait for their turn", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimit.makeLimiter("combinator", { requests: { limit: 1, window: "10 seconds" } }).pipe(
        Effect.provide(RateLimit.layerStoreMemory)
      )
      const who = { provider: "p", model: "m" }
      yield* RateLimit.limit(limiter, who)(Effect.succeed(1))
      const second = yield* Effect.fork(Stream.runCollect(RateLimit.limitStream(limiter, who)(Stream.make(2))))
      yield* untilSleeping()
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Fiber.join(second)), [2])
    })
  )

  it.effect("Cache.cached memoizes an effect in a store", () =>
    Effect.gen(function* () {
      const store = Cache.memoryStore()
      let runs = 0
      const work = Effect.sync(() => ({ value: ++runs }))
      const first = yield* Cache.cached(store, "k", "1 minute")(work)
      const second = yield* Cache.cached(store, "k", "1 minute")(work)
      assert.deepStrictEqual([first, second], [{ value: 1 }, { value: 1 }])
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* Cache.cached(store, "k", "1 minute")(work), { value: 2 })
    })
  )
})
