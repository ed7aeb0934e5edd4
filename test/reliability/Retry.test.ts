import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { LlmClient } from "../../src/core/LlmClient.js"
import {
  InvalidRequestError,
  NetworkError,
  ProviderError,
  QuotaExceededError,
  RateLimitError
} from "../../src/core/LlmError.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as Retry from "../../src/reliability/Retry.js"
import { FakeOpenAi, FakeProviderServer } from "../../src/testing/FakeProviderServer.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"
import { untilSleeping } from "./helpers.js"

const ask = { model: "m", messages: [{ role: "user" as const, content: "hi" }] }
const down = (message = "down") => new ProviderError({ message, provider: "mock" })

const withMock = (replies: ReadonlyArray<MockReply.MockReply>, options: Retry.RetryOptions) =>
  Retry.layer(options).pipe(Layer.provideMerge(MockLlm.layer(replies)))

describe("Retry", () => {
  it.effect("retries retryable errors with exponential backoff, then answers, saying how many attempts", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const fiber = yield* Effect.fork(LlmClient.chat(ask))
      yield* untilSleeping()
      assert.strictEqual(mock.calls().length, 1)
      yield* TestClock.adjust("499 millis")
      assert.strictEqual(mock.calls().length, 1)
      yield* TestClock.adjust("1 millis")
      yield* untilSleeping()
      assert.strictEqual(mock.calls().length, 2)
      yield* TestClock.adjust("999 millis")
      assert.strictEqual(mock.calls().length, 2)
      yield* TestClock.adjust("1 millis")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.content, "finally")
      assert.strictEqual(response.attempts, 3)
      assert.strictEqual(mock.calls().length, 3)
    }).pipe(
      Effect.provide(
        withMock([MockReply.fail(down()), MockReply.fail(down()), MockReply.text("finally")], {
          maxRetries: 3,
          jitter: false
        })
      )
    )
  )

  it.effect("the backoff doubles up to maxDelay", () =>
    Effect.gen(function* () {
      const delays = yield* Effect.forEach([0, 1, 2, 3, 4, 5], (retry) =>
        Retry.delayFor({ baseDelay: "1 second", maxDelay: "10 seconds", jitter: false }, down(), retry)
      )
      assert.deepStrictEqual(delays.map(Duration.toMillis), [1000, 2000, 4000, 8000, 10_000, 10_000])
    })
  )

  it.effect("jitter shortens a delay by up to a quarter, from the Random service", () =>
    Effect.gen(function* () {
      const [half, full] = yield* Effect.withRandom(
        Effect.all([
          Retry.delayFor({ baseDelay: "400 millis" }, down(), 0),
          Retry.delayFor({ baseDelay: "400 millis" }, down(), 0)
        ]),
        Random.fixed([0.5, 1])
      )
      assert.strictEqual(Duration.toMillis(half), 350)
      assert.strictEqual(Duration.toMillis(full), 300)
    })
  )

  it.effect("a server-asked wait wins over backoff, up to maxServerDelay", () =>
    Effect.gen(function* () {
      const asked = new RateLimitError({ message: "429", retryAfter: Duration.seconds(20) })
      const honoured = yield* Retry.delayFor({ jitter: false }, asked, 0)
      assert.strictEqual(Duration.toMillis(honoured), 20_000)
      const tooLong = new RateLimitError({ message: "429", retryAfter: Duration.minutes(5) })
      const capped = yield* Retry.delayFor({ jitter: false, maxServerDelay: "60 seconds" }, tooLong, 0)
      assert.strictEqual(Duration.toMillis(capped), 500)
    })
  )

  it.effect("errors that are not retryable are not retried", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const invalid = yield* Effect.flip(LlmClient.chat(ask))
      assert.instanceOf(invalid, InvalidRequestError)
      const quota = yield* Effect.flip(LlmClient.chat(ask))
      assert.instanceOf(quota, QuotaExceededError)
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(
      Effect.provide(
        withMock(
          [
            MockReply.fail(new InvalidRequestError({ message: "bad" })),
            MockReply.fail(new QuotaExceededError({ message: "no credits" }))
          ],
          { maxRetries: 5 }
        )
      )
    )
  )

  it.effect("when retries run out the last error comes back", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const fiber = yield* Effect.fork(Effect.flip(LlmClient.chat(ask)))
      yield* untilSleeping()
      // One adjustment covers both backoff sleeps: the TestClock wakes every sleep that ends within it.
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error.message, "third")
      assert.strictEqual(mock.calls().length, 3)
    }).pipe(
      Effect.provide(
        withMock([MockReply.fail(down("first")), MockReply.fail(down("second")), MockReply.fail(down("third"))], {
          maxRetries: 2
        })
      )
    )
  )

  it.effect("maxRetries: 0 turns retrying off", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* Effect.flip(LlmClient.chat(ask))
      assert.strictEqual(mock.calls().length, 1)
    }).pipe(Effect.provide(withMock([MockReply.fail(down())], { maxRetries: 0 })))
  )

  it.effect("a stream is retried while it fails before its first chunk", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const fiber = yield* Effect.fork(Stream.runCollect(LlmClient.stream(ask)))
      yield* untilSleeping()
      yield* TestClock.adjust("1 second")
      const chunks = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "second try")
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(
      Effect.provide(
        withMock([MockReply.fail(new NetworkError({ message: "reset" })), MockReply.text("second try")], {
          jitter: false
        })
      )
    )
  )

  it.effect("a stream that fails after its first chunk is not retried", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const received: Array<string> = []
      const error = yield* Effect.flip(
        Stream.runForEach(LlmClient.stream(ask), (chunk) => Effect.sync(() => received.push(chunk.delta)))
      )
      assert.strictEqual(error._tag, "ProviderError")
      assert.deepStrictEqual(received, ["", "one "])
      assert.strictEqual(mock.calls().length, 1)
    }).pipe(Effect.provide(withMock([MockReply.failAfter(MockReply.text("one two three"), 2, down("cut"))], {})))
  )

  it.effect("over HTTP: a 429 with retry-after is waited out exactly, then the call succeeds", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      server.enqueue(FakeOpenAi.error(429, "Rate limit reached", { headers: { "retry-after": "2" } }))
      const llm = yield* OpenAi.make({ apiKey: "sk-test", baseUrl: `${server.url}/v1` }).pipe(
        Effect.map(Retry.decorateClient({ maxRetries: 2 })),
        Effect.provide(HttpTransport.layer)
      )
      const fiber = yield* Effect.fork(llm.chat({ ...ask, model: "gpt-4o" }))
      yield* untilSleeping()
      yield* TestClock.adjust("1999 millis")
      assert.strictEqual(server.requests.length, 1)
      yield* TestClock.adjust("1 millis")
      const response = yield* Fiber.join(fiber)
      assert.strictEqual(response.content, "hi")
      assert.strictEqual(response.attempts, 2)
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )
})
