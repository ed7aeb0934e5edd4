import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { LlmClient } from "../../src/core/LlmClient.js"
import { CircuitOpenError, InvalidRequestError, ProviderError } from "../../src/core/LlmError.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as CircuitBreaker from "../../src/reliability/CircuitBreaker.js"
import { FakeOpenAi, FakeProviderServer } from "../../src/testing/FakeProviderServer.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"
import { untilSleeping } from "./helpers.js"

const ask = (model = "m") => ({ model, messages: [{ role: "user" as const, content: "hi" }] })
const down = () => MockReply.fail(new ProviderError({ message: "503" }))

const stack = (options: CircuitBreaker.CircuitBreakerOptions, replies: ReadonlyArray<MockReply.MockReply>) =>
  CircuitBreaker.layer(options).pipe(Layer.provideMerge(MockLlm.layer({ script: replies, whenEmpty: "echo" })))

describe("CircuitBreaker", () => {
  it.effect("opens after N failures within the window, then fails fast without calling the provider", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const breakers = yield* CircuitBreaker.CircuitBreakers
      for (let i = 0; i < 3; i++) yield* Effect.flip(LlmClient.chat(ask()))
      const state = yield* breakers.state("mock")
      assert.strictEqual(state._tag, "Open")
      const error = yield* Effect.flip(LlmClient.chat(ask()))
      assert.instanceOf(error, CircuitOpenError)
      assert.isFalse(error.retryable)
      assert.strictEqual(Duration.toMillis((error as CircuitOpenError).retryAfter ?? Duration.zero), 30_000)
      assert.strictEqual(mock.calls().length, 3)
    }).pipe(Effect.provide(stack({ failureThreshold: 3, resetTimeout: "30 seconds" }, [down(), down(), down()])))
  )

  it.effect("failures older than the window are forgotten", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreaker.CircuitBreakers
      yield* Effect.flip(LlmClient.chat(ask()))
      yield* Effect.flip(LlmClient.chat(ask()))
      yield* TestClock.adjust("11 seconds")
      yield* Effect.flip(LlmClient.chat(ask()))
      const state = yield* breakers.state("mock")
      assert.deepStrictEqual(state, { _tag: "Closed", recentFailures: 1 })
    }).pipe(Effect.provide(stack({ failureThreshold: 3, window: "10 seconds" }, [down(), down(), down()])))
  )

  it.effect("a caller's mistake does not count as the provider failing", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreaker.CircuitBreakers
      for (let i = 0; i < 3; i++) yield* Effect.flip(LlmClient.chat(ask()))
      assert.strictEqual((yield* breakers.state("mock"))._tag, "Closed")
    }).pipe(
      Effect.provide(
        stack(
          { failureThreshold: 2 },
          Array.from({ length: 3 }, () => MockReply.fail(new InvalidRequestError({ message: "bad" })))
        )
      )
    )
  )

  it.effect("half-open after the cool-down: a successful trial closes it; transitions are observable", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreaker.CircuitBreakers
      const subscription = yield* breakers.subscribe
      const seen = yield* Effect.fork(Stream.runCollect(Stream.take(subscription, 3)))
      yield* Effect.flip(LlmClient.chat(ask()))
      yield* Effect.flip(LlmClient.chat(ask()))
      assert.strictEqual((yield* breakers.state("mock"))._tag, "Open")
      yield* TestClock.adjust("59 seconds")
      assert.instanceOf(yield* Effect.flip(LlmClient.chat(ask())), CircuitOpenError)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* breakers.state("mock"))._tag, "HalfOpen")
      const response = yield* LlmClient.chat(ask())
      assert.strictEqual(response.content, "hi")
      assert.strictEqual((yield* breakers.state("mock"))._tag, "Closed")
      const transitions = Chunk.toReadonlyArray(yield* Fiber.join(seen)).map(({ from, to }) => `${from}->${to}`)
      assert.deepStrictEqual(transitions, ["Closed->Open", "Open->HalfOpen", "HalfOpen->Closed"])
    }).pipe(Effect.scoped, Effect.provide(stack({ failureThreshold: 2 }, [down(), down()])))
  )

  it.effect("a failed trial opens it again for another cool-down", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreaker.CircuitBreakers
      yield* Effect.flip(LlmClient.chat(ask()))
      yield* TestClock.adjust("10 seconds")
      yield* Effect.flip(LlmClient.chat(ask()))
      const state = yield* breakers.state("mock")
      assert.strictEqual(state._tag, "Open")
      assert.strictEqual(state._tag === "Open" ? Duration.toMillis(state.retryAfter) : 0, 10_000)
    }).pipe(Effect.provide(stack({ failureThreshold: 1, resetTimeout: "10 seconds" }, [down(), down()])))
  )

  it.effect("half-open lets at most halfOpenMaxCalls trials through at once", () =>
    Effect.gen(function* () {
      yield* Effect.flip(LlmClient.chat(ask()))
      yield* TestClock.adjust("60 seconds")
      // Two slow trials are admitted; a third call meanwhile fails fast.
      const trials = yield* Effect.fork(Effect.all([LlmClient.chat(ask()), LlmClient.chat(ask())], { concurrency: 2 }))
      yield* untilSleeping(2)
      const third = yield* Effect.flip(LlmClient.chat(ask()))
      assert.instanceOf(third, CircuitOpenError)
      yield* TestClock.adjust("1 second")
      const answers = yield* Fiber.join(trials)
      assert.strictEqual(answers.length, 2)
      const breakers = yield* CircuitBreaker.CircuitBreakers
      assert.strictEqual((yield* breakers.state("mock"))._tag, "Closed")
    }).pipe(
      Effect.provide(
        CircuitBreaker.layer({ failureThreshold: 1, halfOpenMaxCalls: 2 }).pipe(
          Layer.provideMerge(
            MockLlm.layer({
              script: [down(), MockReply.text("a"), MockReply.text("b")],
              chunkDelay: "1 second",
              whenEmpty: "echo"
            })
          )
        )
      )
    )
  )

  it.effect("per model: one model's failures leave the others closed", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreaker.CircuitBreakers
      yield* Effect.flip(LlmClient.chat(ask("bad-model")))
      assert.strictEqual((yield* breakers.state("mock/bad-model"))._tag, "Open")
      const ok = yield* LlmClient.chat(ask("good-model"))
      assert.strictEqual(ok.content, "hi")
    }).pipe(Effect.provide(stack({ failureThreshold: 1, per: "model" }, [down()])))
  )

  it.effect("a stream counts: failing before its first chunk is a failure; its first chunk is a success", () =>
    Effect.gen(function* () {
      const breakers = yield* CircuitBreaker.CircuitBreakers
      yield* Effect.flip(Stream.runDrain(LlmClient.stream(ask())))
      assert.strictEqual((yield* breakers.state("mock"))._tag, "Open")
      yield* TestClock.adjust("60 seconds")
      const chunks = yield* Stream.runCollect(Stream.take(LlmClient.stream(ask()), 1))
      assert.strictEqual(Chunk.size(chunks), 1)
      assert.strictEqual((yield* breakers.state("mock"))._tag, "Closed")
    }).pipe(Effect.provide(stack({ failureThreshold: 1 }, [down()])))
  )

  it.effect("over HTTP: 503s open the circuit, nothing reaches the server while open, and it recovers", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        for (let i = 0; i < 3; i++) server.enqueue(FakeOpenAi.error(503, "The engine is currently overloaded"))
        const breaker = yield* CircuitBreaker.make({ failureThreshold: 3, resetTimeout: "30 seconds" })
        const llm = yield* OpenAi.make({ apiKey: "sk-test", baseUrl: `${server.url}/v1` }).pipe(
          Effect.map(CircuitBreaker.decorateClient(breaker)),
          Effect.provide(HttpTransport.layer)
        )
        for (let i = 0; i < 3; i++)
          assert.strictEqual((yield* Effect.flip(llm.chat(ask("gpt-4o"))))._tag, "ProviderError")
        for (let i = 0; i < 5; i++) assert.instanceOf(yield* Effect.flip(llm.chat(ask("gpt-4o"))), CircuitOpenError)
        assert.strictEqual(server.requests.length, 3)
        yield* TestClock.adjust("30 seconds")
        const recovered = yield* llm.chat(ask("gpt-4o"))
        assert.strictEqual(recovered.content, "hi")
        assert.strictEqual((yield* breaker.state("openai"))._tag, "Closed")
        assert.strictEqual(server.requests.length, 4)
      })
    )
  )
})
