import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { LlmClient } from "../../src/core/LlmClient.js"
import type { TimeoutError } from "../../src/core/LlmError.js"
import * as Mock from "../../src/providers/mock/Mock.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as Retry from "../../src/reliability/Retry.js"
import * as Timeout from "../../src/reliability/Timeout.js"
import { FakeOpenAi, FakeProviderServer, FakeReply } from "../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"
import { untilSleeping } from "./helpers.js"

const ask = { model: "gpt-4o", messages: [{ role: "user" as const, content: "hello there" }] }

// An OpenAI client on a fresh fake server, wrapped by the given decorators (outermost first).
const overHttp = (...decorators: ReadonlyArray<(client: LlmClient.Service) => LlmClient.Service>) =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make()
    const transport = yield* Layer.build(HttpTransport.layer)
    const base = yield* OpenAi.make({ apiKey: "sk-test", baseUrl: `${server.url}/v1` }).pipe(Effect.provide(transport))
    const llm = decorators.reduceRight((client, decorator) => decorator(client), base)
    return { server, llm }
  })

describe("Timeout", () => {
  it.effect("a chat over its total deadline fails with TimeoutError(total), not retryable", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flip(LlmClient.chat(ask)))
      yield* untilSleeping(2)
      yield* TestClock.adjust("5 seconds")
      const error = (yield* Fiber.join(fiber)) as TimeoutError
      assert.strictEqual(error._tag, "TimeoutError")
      assert.strictEqual(error.phase, "total")
      assert.isFalse(error.retryable)
      assert.strictEqual(error.provider, "mock")
      assert.include(error.message, "the total deadline ran out after 5s")
    }).pipe(
      Effect.provide(Timeout.layer({ total: "5 seconds" }).pipe(Layer.provide(Mock.layer({ chunkDelay: "1 minute" }))))
    )
  )

  it.effect("a stream whose first byte never comes fails with first_chunk, and its request is cancelled", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, llm } = yield* overHttp(Timeout.decorateClient({ firstChunk: "20 seconds" }))
        server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("late"), { holdFirstByte: true }))
        const fiber = yield* Effect.fork(Effect.flip(Stream.runDrain(llm.stream(ask))))
        yield* Effect.promise(() => server.waitForRequests(1))
        yield* untilSleeping()
        yield* TestClock.adjust("20 seconds")
        const error = (yield* Fiber.join(fiber)) as TimeoutError
        assert.strictEqual(error.phase, "first_chunk")
        assert.isTrue(error.retryable)
        yield* Effect.promise(() => server.waitForClientClose(0))
      })
    )
  )

  it.effect("a slow first byte within the deadline is waited for", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, llm } = yield* overHttp(Timeout.decorateClient({ firstChunk: "20 seconds" }))
        server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("worth the wait"), { holdFirstByte: true }))
        const fiber = yield* Effect.fork(Stream.runCollect(llm.stream(ask)))
        yield* Effect.promise(() => server.waitForRequests(1))
        yield* untilSleeping()
        yield* TestClock.adjust("19 seconds")
        server.release()
        const chunks = yield* Fiber.join(fiber)
        assert.strictEqual(
          Array.from(chunks)
            .map((chunk) => chunk.delta)
            .join(""),
          "worth the wait"
        )
      })
    )
  )

  it.effect("a stream that stalls mid-way fails with idle after the chunks it delivered, and is cancelled", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, llm } = yield* overHttp(Timeout.decorateClient({ idle: "15 seconds" }))
        server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("one two three four"), { stallAfter: 3 }))
        const received: Array<string> = []
        const fiber = yield* Effect.fork(
          Effect.flip(Stream.runForEach(llm.stream(ask), (chunk) => Effect.sync(() => received.push(chunk.delta))))
        )
        yield* untilSleeping()
        yield* TestClock.adjust("15 seconds")
        const error = (yield* Fiber.join(fiber)) as TimeoutError
        assert.strictEqual(error.phase, "idle")
        assert.isAbove(received.join("").length, 0)
        yield* Effect.promise(() => server.waitForClientClose(0))
      })
    )
  )

  it.effect("a stream over its total deadline fails with total even while chunks keep coming", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flip(Stream.runDrain(LlmClient.stream(ask))))
      yield* untilSleeping()
      yield* TestClock.adjust("3 seconds")
      const error = (yield* Fiber.join(fiber)) as TimeoutError
      assert.strictEqual(error.phase, "total")
    }).pipe(
      Effect.provide(
        Timeout.layer({ total: "2500 millis", idle: "2 seconds" }).pipe(
          Layer.provide(Mock.layer({ chunkDelay: "1 second" }))
        )
      )
    )
  )

  it.effect("an attempt deadline inside a retry: the hung attempt is cancelled and the next one answers", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, llm } = yield* overHttp(
          Retry.decorateClient({ maxRetries: 1, jitter: false }),
          Timeout.decorateClient({ attempt: "10 seconds" })
        )
        server.enqueue(FakeReply.hang())
        const fiber = yield* Effect.fork(llm.chat(ask))
        yield* Effect.promise(() => server.waitForRequests(1))
        yield* untilSleeping()
        yield* TestClock.adjust("10 seconds")
        yield* Effect.promise(() => server.waitForClientClose(0))
        yield* untilSleeping()
        yield* TestClock.adjust("1 second")
        const response = yield* Fiber.join(fiber)
        assert.strictEqual(response.content, "hello there")
        assert.strictEqual(response.attempts, 2)
      })
    )
  )
})
