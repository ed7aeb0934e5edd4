import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { LlmClient } from "../../src/core/LlmClient.js"
import {
  AuthenticationError,
  CircuitOpenError,
  ContextLengthError,
  ProviderError,
  TimeoutError
} from "../../src/core/LlmError.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as Fallback from "../../src/reliability/Fallback.js"
import * as Retry from "../../src/reliability/Retry.js"
import { FakeOpenAi, FakeProviderServer } from "../../src/testing/FakeProviderServer.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

const ask = { model: "primary-model", messages: [{ role: "user" as const, content: "hello" }] }
const mock = (name: string, script: ReadonlyArray<MockReply.MockReply>) =>
  MockLlm.make({ name, script, whenEmpty: "echo" })

describe("Fallback", () => {
  it.effect("falls back in order on retryable errors, timeouts and open circuits; says who answered", () =>
    Effect.gen(function* () {
      const primary = mock("openai", [MockReply.fail(new ProviderError({ message: "503" }))])
      const second = mock("anthropic", [MockReply.fail(new TimeoutError({ message: "slow", phase: "attempt" }))])
      const third = mock("gemini", [MockReply.fail(new CircuitOpenError({ message: "open" }))])
      const last = mock("local", [MockReply.text("from the last one")])
      const llm = Fallback.decorateClient([
        { client: second.client, model: "claude-haiku-4-5" },
        { client: third.client },
        { client: last.client, model: "llama3.2" }
      ])(primary.client)
      const response = yield* llm.chat(ask)
      assert.strictEqual(response.content, "from the last one")
      assert.strictEqual(response.provider, "local")
      assert.strictEqual(response.model, "llama3.2")
      assert.strictEqual(response.attempts, 4)
      assert.strictEqual(second.controls.requests()[0]?.model, "claude-haiku-4-5")
      assert.strictEqual(third.controls.requests()[0]?.model, "primary-model")
    })
  )

  it.effect("a ContextLengthError moves on to the next (larger) model; a caller's mistake does not", () =>
    Effect.gen(function* () {
      const primary = mock("openai", [
        MockReply.fail(new ContextLengthError({ message: "too long" })),
        MockReply.text("fits in the larger window"),
        MockReply.fail(new AuthenticationError({ message: "bad key" }))
      ])
      const llm = Fallback.decorateClient([{ model: "gpt-4.1" }])(primary.client)
      const response = yield* llm.chat(ask)
      assert.strictEqual(response.model, "gpt-4.1")
      assert.strictEqual(response.content, "fits in the larger window")
      const error = yield* Effect.flip(llm.chat(ask))
      assert.instanceOf(error, AuthenticationError)
      assert.strictEqual(primary.controls.requests().length, 3)
    })
  )

  it.effect("when every target fails, the last error comes back", () =>
    Effect.gen(function* () {
      const primary = mock("a", [MockReply.fail(new ProviderError({ message: "first" }))])
      const second = mock("b", [MockReply.fail(new ProviderError({ message: "second" }))])
      const error = yield* Effect.flip(Fallback.decorateClient([{ client: second.client }])(primary.client).chat(ask))
      assert.strictEqual(error.message, "second")
    })
  )

  it.effect("a custom predicate decides", () =>
    Effect.gen(function* () {
      const primary = mock("a", [MockReply.fail(new AuthenticationError({ message: "revoked" }))])
      const second = mock("b", [MockReply.text("ok")])
      const llm = Fallback.decorateClient([{ client: second.client }], { when: () => true })(primary.client)
      assert.strictEqual((yield* llm.chat(ask)).content, "ok")
    })
  )

  it.effect("a stream falls back only before its first chunk", () =>
    Effect.gen(function* () {
      const primary = mock("a", [
        MockReply.fail(new ProviderError({ message: "down" })),
        MockReply.failAfter(MockReply.text("partial answer here"), 2, new ProviderError({ message: "cut" }))
      ])
      const second = mock("b", [MockReply.text("second says hi"), MockReply.text("never used")])
      const llm = Fallback.decorateClient([{ client: second.client }])(primary.client)
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(llm.stream(ask)))
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "second says hi")
      const error = yield* Effect.flip(Stream.runDrain(llm.stream(ask)))
      assert.strictEqual(error.message, "cut")
      assert.strictEqual(second.controls.requests().length, 1)
    })
  )

  it.effect("as a layer, with a model of the same client and a target layer", () =>
    Effect.gen(function* () {
      const response = yield* LlmClient.chat(ask)
      assert.strictEqual(response.provider, "backup")
      assert.strictEqual(response.model, "backup-model")
    }).pipe(
      Effect.provide(
        Fallback.layer([
          { model: "cheaper-model" },
          { layer: MockLlm.layer({ name: "backup", script: [MockReply.text("saved")] }), model: "backup-model" }
        ]).pipe(
          Layer.provide(
            MockLlm.layer({
              name: "primary",
              script: [
                MockReply.fail(new ProviderError({ message: "down" })),
                MockReply.fail(new ProviderError({ message: "down too" }))
              ]
            })
          )
        )
      )
    )
  )

  it.effect("over HTTP: 503 three times (retries exhausted), then the fallback provider answers", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const primaryServer = yield* FakeProviderServer.make()
        const backupServer = yield* FakeProviderServer.make()
        for (let i = 0; i < 3; i++) primaryServer.enqueue(FakeOpenAi.error(503, "overloaded"))
        const transport = yield* Layer.build(HttpTransport.layer)
        const primary = yield* OpenAi.make({ apiKey: "sk-a", baseUrl: `${primaryServer.url}/v1` }).pipe(
          Effect.provide(transport)
        )
        const backup = yield* OpenAi.make({ apiKey: "sk-b", baseUrl: `${backupServer.url}/v1` }).pipe(
          Effect.provide(transport)
        )
        const llm = Fallback.decorateClient([{ client: backup, model: "gpt-4o-mini" }])(
          Retry.decorateClient({ maxRetries: 2, baseDelay: "0 millis", jitter: false })(primary)
        )
        const response = yield* llm.chat({ ...ask, model: "gpt-4o" })
        assert.strictEqual(response.content, "hello")
        assert.strictEqual(response.model, "gpt-4o-mini")
        assert.strictEqual(response.attempts, 4)
        assert.strictEqual(primaryServer.requests.length, 3)
        assert.strictEqual(backupServer.requests.length, 1)
      })
    )
  )
})
