import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { LlmClient } from "../../src/core/LlmClient.js"
import { ProviderError } from "../../src/core/LlmError.js"
import * as Cache from "../../src/reliability/Cache.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"

const ask = (content = "hi", extra: { temperature?: number } = {}) => ({
  model: "m",
  messages: [{ role: "user" as const, content }],
  ...extra
})

const cached = (options: Cache.CacheOptions = {}, mock: Parameters<typeof MockLlm.layer>[0] = {}) =>
  Cache.layer(options).pipe(Layer.provideMerge(MockLlm.layer(mock)))

describe("Cache", () => {
  it.effect("a repeated request is answered from the cache, marked cached; hits and misses are counted", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const cache = yield* Cache.ResponseCaches
      const first = yield* LlmClient.chat(ask("same"))
      const second = yield* LlmClient.chat(ask("same"))
      assert.isUndefined(first.cached)
      assert.isTrue(second.cached)
      assert.strictEqual(second.content, first.content)
      assert.strictEqual(mock.calls().length, 1)
      yield* LlmClient.chat(ask("different"))
      assert.deepStrictEqual(yield* cache.stats, { hits: 1, misses: 2, bypassed: 0 })
    }).pipe(Effect.provide(cached()))
  )

  it("the key ignores the order of fields", () => {
    const a = Cache.keyOf("chat", "openai", { model: "m", messages: [{ role: "user", content: "x" }], topP: 1 })
    const b = Cache.keyOf("chat", "openai", { topP: 1, messages: [{ content: "x", role: "user" }], model: "m" })
    assert.strictEqual(a, b)
    assert.notStrictEqual(
      a,
      Cache.keyOf("chat", "anthropic", { model: "m", messages: [{ role: "user", content: "x" }], topP: 1 })
    )
  })

  it.effect("entries expire after the ttl", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* LlmClient.chat(ask())
      yield* TestClock.adjust("59 seconds")
      yield* LlmClient.chat(ask())
      assert.strictEqual(mock.calls().length, 1)
      yield* TestClock.adjust("1 second")
      yield* LlmClient.chat(ask())
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(Effect.provide(cached({ ttl: "1 minute" })))
  )

  it.effect("the in-memory store keeps the most recently used entries", () =>
    Effect.gen(function* () {
      const store = Cache.memoryStore(2)
      const hour = Duration.hours(1)
      yield* store.set("a", "1", hour)
      yield* store.set("b", "2", hour)
      yield* store.get("a")
      yield* store.set("c", "3", hour)
      assert.isTrue(Option.isSome(yield* store.get("a")))
      assert.isTrue(Option.isNone(yield* store.get("b")))
      assert.isTrue(Option.isSome(yield* store.get("c")))
    })
  )

  it.effect("sampled requests are not cached unless asked", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const cache = yield* Cache.ResponseCaches
      yield* LlmClient.chat(ask("x", { temperature: 0.7 }))
      yield* LlmClient.chat(ask("x", { temperature: 0.7 }))
      assert.strictEqual(mock.calls().length, 2)
      yield* LlmClient.chat(ask("x", { temperature: 0 }))
      yield* LlmClient.chat(ask("x", { temperature: 0 }))
      assert.strictEqual(mock.calls().length, 3)
      assert.deepStrictEqual(yield* cache.stats, { hits: 1, misses: 1, bypassed: 2 })
    }).pipe(Effect.provide(cached()))
  )

  it.effect("cacheNonDeterministic caches sampled requests too", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* LlmClient.chat(ask("x", { temperature: 1 }))
      yield* LlmClient.chat(ask("x", { temperature: 1 }))
      assert.strictEqual(mock.calls().length, 1)
    }).pipe(Effect.provide(cached({ cacheNonDeterministic: true })))
  )

  it.effect("failures are not cached", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* Effect.flip(LlmClient.chat(ask()))
      const answer = yield* LlmClient.chat(ask())
      assert.strictEqual(answer.content, "hi")
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(
      Effect.provide(
        cached({}, { script: [MockReply.fail(new ProviderError({ message: "down" }))], whenEmpty: "echo" })
      )
    )
  )

  it.effect("a cached stream replays as chunks, tool calls included; a stream fills the cache once complete", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const first = yield* Stream.runCollect(LlmClient.stream(ask("call it")))
      const replayed = Chunk.toReadonlyArray(yield* Stream.runCollect(LlmClient.stream(ask("call it"))))
      assert.strictEqual(mock.calls().length, 1)
      assert.isAbove(Chunk.size(first), 2)
      assert.deepStrictEqual(replayed[replayed.length - 1]?.finishReason, "tool_calls")
      const call = replayed.flatMap((chunk) => chunk.toolCallDeltas ?? [])[0]
      assert.strictEqual(call?.name, "lookup")
      assert.strictEqual(call?.argumentsDelta, '{"q":"x"}')
      const asChat = yield* LlmClient.chat(ask("call it"))
      assert.isTrue(asChat.cached)
      assert.strictEqual(asChat.toolCalls[0]?.name, "lookup")
    }).pipe(Effect.provide(cached({}, { script: [MockReply.toolCall("lookup", { q: "x" })], whenEmpty: "echo" })))
  )

  it.effect("a stream left early stores nothing", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      yield* Stream.runDrain(Stream.take(LlmClient.stream(ask("one two three")), 2))
      yield* Stream.runDrain(LlmClient.stream(ask("one two three")))
      assert.strictEqual(mock.calls().length, 2)
    }).pipe(Effect.provide(cached()))
  )

  it.effect("embeddings are cached", () =>
    Effect.gen(function* () {
      const mock = yield* MockLlm
      const a = yield* LlmClient.embed({ model: "e", input: ["x", "y"] })
      const b = yield* LlmClient.embed({ model: "e", input: ["x", "y"] })
      assert.deepStrictEqual(a.embeddings, b.embeddings)
      assert.strictEqual(mock.calls().length, 1)
    }).pipe(Effect.provide(cached()))
  )
})
