import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { LlmClient } from "../../src/core/LlmClient.js"
import { RateLimitError } from "../../src/core/LlmError.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as RateLimit from "../../src/reliability/RateLimit.js"
import { FakeOpenAi, FakeProviderServer, FakeReply } from "../../src/testing/FakeProviderServer.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"
import { turn, untilSleeping } from "./helpers.js"

const ask = (content = "hi") => ({ model: "m", messages: [{ role: "user" as const, content }] })

const limited = (options: RateLimit.RateLimitOptions, mock: Parameters<typeof MockLlm.layer>[0] = {}) =>
  RateLimit.layer(options).pipe(Layer.provideMerge(MockLlm.layer(mock)))

describe("RateLimit", () => {
  it.effect("requests per window: calls beyond the limit wait for their turn", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* LlmClient.chat(ask())
      yield* LlmClient.chat(ask())
      const third = yield* Effect.fork(LlmClient.chat(ask()))
      yield* untilSleeping()
      assert.strictEqual(mock.calls().length, 2)
      yield* TestClock.adjust("29 seconds")
      assert.strictEqual(mock.calls().length, 2)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(third)
      assert.strictEqual(mock.calls().length, 3)
    }).pipe(Effect.provide(limited({ requestsPerMinute: 2 })))
  )

  it.effect("waiting callers go in the order they came", () =>
    Effect.gen(function* () {
      const order: Array<string> = []
      const call = (name: string) => Effect.tap(LlmClient.chat(ask(name)), () => Effect.sync(() => order.push(name)))
      yield* call("a")
      const fibers = []
      for (const name of ["b", "c", "d"]) {
        fibers.push(yield* Effect.fork(call(name)))
        yield* untilSleeping(fibers.length)
      }
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, ["a", "b", "c", "d"])
    }).pipe(Effect.provide(limited({ requests: { limit: 1, window: "1 second" } })))
  )

  it.effect("past maxWait a caller fails at once with RateLimitError, and gives its turn back", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* LlmClient.chat(ask())
      const error = yield* Effect.flip(LlmClient.chat(ask()))
      assert.instanceOf(error, RateLimitError)
      assert.strictEqual(error.code, "client_rate_limit")
      assert.strictEqual(Duration.toMillis((error as RateLimitError).retryAfter ?? Duration.zero), 60_000)
      assert.include(error.message, "more than maxWait 5s")
      assert.strictEqual(mock.calls().length, 1)
      yield* TestClock.adjust("60 seconds")
      yield* LlmClient.chat(ask())
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(Effect.provide(limited({ requestsPerMinute: 1, maxWait: "5 seconds" })))
  )

  it.effect("tokens: estimated before the call, corrected by the real usage after it", () =>
    Effect.gen(function* () {
      // Each request is estimated at 150 tokens of a 200 per minute budget, but uses only 10.
      yield* LlmClient.chat(ask())
      yield* LlmClient.chat(ask())
      const mock = yield* MockLlm
      assert.strictEqual(mock.calls().length, 2)
      const third = yield* Effect.fork(LlmClient.chat(ask()))
      yield* turn
      yield* Fiber.join(third)
      assert.strictEqual(mock.calls().length, 3)
    }).pipe(
      Effect.provide(
        limited(
          { tokensPerMinute: 200, estimateTokens: () => 150 },
          {
            script: Array.from({ length: 3 }, () =>
              MockReply.text("ok", { usage: { inputTokens: 5, outputTokens: 5, totalTokens: 10 } })
            )
          }
        )
      )
    )
  )

  it.effect("without the correction the same calls would have waited", () =>
    Effect.gen(function* () {
      yield* LlmClient.chat(ask())
      const second = yield* Effect.fork(LlmClient.chat(ask()))
      yield* untilSleeping()
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(second)
    }).pipe(
      Effect.provide(
        limited(
          { tokensPerMinute: 200, estimateTokens: () => 150 },
          {
            script: Array.from({ length: 2 }, () =>
              MockReply.text("ok", { usage: { inputTokens: 75, outputTokens: 75, totalTokens: 150 } })
            )
          }
        )
      )
    )
  )

  it.effect("concurrency: a call waits for a slot; a stream holds its slot until it ends", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const first = yield* Effect.fork(Stream.runDrain(LlmClient.stream(ask("a b"))))
      yield* untilSleeping()
      const second = yield* Effect.fork(LlmClient.chat(ask()))
      yield* turn
      assert.strictEqual(mock.calls().length, 1)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(Effect.provide(limited({ concurrency: 1 }, { chunkDelay: "1 second" })))
  )

  it.effect("concurrency with maxWait: no slot in time fails with RateLimitError", () =>
    Effect.gen(function* () {
      yield* Effect.fork(LlmClient.chat(ask()))
      yield* untilSleeping()
      const waiting = yield* Effect.fork(Effect.flip(LlmClient.chat(ask())))
      yield* untilSleeping(2)
      yield* TestClock.adjust("2 seconds")
      const error = yield* Fiber.join(waiting)
      assert.strictEqual(error.code, "client_concurrency_limit")
    }).pipe(Effect.provide(limited({ concurrency: 1, maxWait: "2 seconds" }, { chunkDelay: "1 minute" })))
  )

  it.effect("adaptive: a provider 429 with a wait pauses the limiter for every caller", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* Effect.flip(LlmClient.chat(ask()))
      const next = yield* Effect.fork(LlmClient.chat(ask()))
      yield* untilSleeping()
      assert.strictEqual(mock.calls().length, 1)
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(next)
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(
      Effect.provide(
        limited(
          { requestsPerMinute: 1000 },
          {
            script: [
              MockReply.fail(new RateLimitError({ message: "429", retryAfter: Duration.seconds(5) })),
              MockReply.text("ok")
            ]
          }
        )
      )
    )
  )

  it.effect("adaptive over HTTP: x-ratelimit-remaining-requests: 0 pauses until the reset", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        server.enqueue(
          FakeReply.json(FakeOpenAi.chatCompletion("last one"), {
            headers: { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s" }
          })
        )
        const limiter = yield* RateLimit.makeLimiter("openai", { requestsPerMinute: 1000 }).pipe(
          Effect.provide(RateLimit.layerStoreMemory)
        )
        const llm = yield* OpenAi.make({ apiKey: "sk-test", baseUrl: `${server.url}/v1` }).pipe(
          Effect.map(RateLimit.decorateClient(limiter)),
          Effect.provide(HttpTransport.layer)
        )
        const first = yield* llm.chat({ ...ask(), model: "gpt-4o" })
        assert.deepStrictEqual(first.rateLimit, { remainingRequests: 0, resetRequestsMs: 2000 })
        const next = yield* Effect.fork(llm.chat({ ...ask(), model: "gpt-4o" }))
        yield* untilSleeping()
        assert.strictEqual(server.requests.length, 1)
        yield* TestClock.adjust("2 seconds")
        yield* Fiber.join(next)
        assert.strictEqual(server.requests.length, 2)
      })
    )
  )
})
