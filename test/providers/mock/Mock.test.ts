import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { LlmClient } from "../../../src/core/LlmClient.js"
import { ProviderError } from "../../../src/core/LlmError.js"
import * as Mock from "../../../src/providers/mock/Mock.js"
import * as MockReply from "../../../src/providers/mock/MockReply.js"

const ask = (content: string) => ({ model: "mock-1", messages: [{ role: "user" as const, content }] })

describe("mock provider", () => {
  it.effect("echoes the last user message word by word, with id, model, finish and usage", () =>
    Effect.gen(function* () {
      const llm = yield* LlmClient
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(llm.stream(ask("The quick brown fox"))))
      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["", "The ", "quick ", "brown ", "fox", ""]
      )
      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.index),
        [0, 1, 2, 3, 4, 5]
      )
      assert.strictEqual(chunks[0]?.model, "mock-1")
      assert.match(chunks[0]?.id ?? "", /^mock-\d+$/)
      const last = chunks[chunks.length - 1]
      assert.strictEqual(last?.finishReason, "stop")
      assert.deepStrictEqual(last?.usage, { inputTokens: 5, outputTokens: 5, totalTokens: 10 })
      const response = yield* llm.chat(ask("The quick brown fox"))
      assert.strictEqual(response.content, "The quick brown fox")
      assert.strictEqual(response.provider, "mock")
      assert.strictEqual(response.finishReason, "stop")
    }).pipe(Effect.provide(Mock.layer()))
  )

  it.effect("numbers its answers one by one, echoed and computed replies included", () =>
    Effect.gen(function* () {
      const llm = yield* LlmClient
      const first = yield* llm.chat(ask("one"))
      const second = Chunk.toReadonlyArray(yield* Stream.runCollect(llm.stream(ask("two"))))
      const third = yield* llm.chat(ask("three"))
      assert.deepStrictEqual([first.id, second[0]?.id, third.id], ["mock-1", "mock-2", "mock-3"])
    }).pipe(Effect.provide(Mock.layer()))
  )

  it.effect("is deterministic: the same request gives the same answer and usage", () =>
    Effect.gen(function* () {
      const llm = yield* LlmClient
      const a = yield* llm.chat(ask("same question"))
      const b = yield* llm.chat(ask("same question"))
      assert.strictEqual(a.content, b.content)
      assert.deepStrictEqual(a.usage, b.usage)
    }).pipe(Effect.provide(Mock.layer()))
  )

  it.effect("plays a script: text with reasoning, tool calls, raw chunks, errors, a stream broken mid-way", () =>
    Effect.gen(function* () {
      const llm = yield* LlmClient
      const first = yield* llm.chat(ask("q"))
      assert.strictEqual(first.content, "Paris")
      assert.strictEqual(first.reasoning, "It is the capital.")

      const tools = yield* llm.chat(ask("q"))
      assert.strictEqual(tools.finishReason, "tool_calls")
      assert.deepStrictEqual(
        tools.toolCalls.map((call) => ({ name: call.name, args: JSON.parse(call.arguments) as unknown })),
        [{ name: "get_weather", args: { city: "Paris" } }]
      )

      const raw = Chunk.toReadonlyArray(yield* Stream.runCollect(llm.stream(ask("q"))))
      assert.deepStrictEqual(raw, [
        { index: 0, delta: "a" },
        { index: 1, delta: "b", finishReason: "length" }
      ])

      const failed = yield* Effect.flip(llm.chat(ask("q")))
      assert.instanceOf(failed, ProviderError)

      const received: Array<string> = []
      const broken = yield* Effect.flip(
        Stream.runForEach(llm.stream(ask("q")), (chunk) => Effect.sync(() => received.push(chunk.delta)))
      )
      assert.strictEqual(broken._tag, "ProviderError")
      assert.deepStrictEqual(received, ["", "one "])
    }).pipe(
      Effect.provide(
        Mock.layer({
          script: [
            MockReply.text("Paris", { reasoning: "It is the capital." }),
            MockReply.toolCall("get_weather", { city: "Paris" }),
            MockReply.chunks([{ delta: "a" }, { delta: "b", finishReason: "length" }]),
            MockReply.fail(new ProviderError({ message: "down" })),
            MockReply.failAfter(MockReply.text("one two three"), 2, new ProviderError({ message: "cut" }))
          ]
        })
      )
    )
  )

  it.effect("computes replies from the request", () =>
    Effect.gen(function* () {
      const response = yield* LlmClient.chat(ask("shout"))
      assert.strictEqual(response.content, "SHOUT")
    }).pipe(
      Effect.provide(
        Mock.layer({
          script: [
            MockReply.compute((request) => {
              const last = request.messages[request.messages.length - 1]
              return MockReply.text(typeof last?.content === "string" ? last.content.toUpperCase() : "")
            })
          ]
        })
      )
    )
  )

  it.effect("a used-up script dies with a message saying so", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(LlmClient.chat(ask("unexpected")))
      assert.isTrue(exit._tag === "Failure")
      assert.include(String(exit), "no scripted reply left for call #1")
    }).pipe(Effect.provide(Mock.layer({ script: [] })))
  )

  it.effect("paces chunks with chunkDelay on the Effect clock", () =>
    Effect.gen(function* () {
      const received: Array<string> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(LlmClient.stream(ask("a b")), (chunk) => Effect.sync(() => received.push(chunk.delta)))
      )
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(received, [""])
      yield* TestClock.adjust("200 millis")
      assert.deepStrictEqual(received, ["", "a ", "b"])
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(received, ["", "a ", "b", ""])
    }).pipe(Effect.provide(Mock.layer({ chunkDelay: "100 millis" })))
  )

  it.effect("embeds text into stable unit vectors", () =>
    Effect.gen(function* () {
      const llm = yield* LlmClient
      const response = yield* llm.embed({ model: "mock-embed", input: ["alpha", "beta", "alpha"] })
      assert.strictEqual(response.embeddings.length, 3)
      assert.strictEqual(response.embeddings[0]?.length, 8)
      assert.deepStrictEqual(response.embeddings[0], response.embeddings[2])
      assert.notDeepEqual(response.embeddings[0], response.embeddings[1])
      const norm = Math.hypot(...(response.embeddings[1] ?? []))
      assert.closeTo(norm, 1, 1e-9)
      const short = yield* llm.embed({ model: "mock-embed", input: "alpha", dimensions: 3 })
      assert.strictEqual(short.embeddings[0]?.length, 3)
      assert.strictEqual(short.usage.inputTokens, 2)
    }).pipe(Effect.provide(Mock.layer()))
  )
})
