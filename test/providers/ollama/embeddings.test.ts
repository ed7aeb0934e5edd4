import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { fixtureText, harness, onlyBody, onlyRequest } from "./helpers.js"

const norm = (vector: ReadonlyArray<number>): number => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0))

describe("Ollama embeddings", () => {
  it.effect("POST /api/embed with an array input: one vector per text, in order, usage from prompt_eval_count", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.text(fixtureText("embed.json"), { contentType: "application/json; charset=utf-8" }))

      const response = yield* llm.embed({
        model: "all-minilm",
        input: ["Why is the sky blue?", "Why is the grass green?"]
      })

      assert.strictEqual(response.provider, "ollama")
      assert.strictEqual(response.model, "all-minilm")
      assert.deepStrictEqual(response.embeddings, [
        [0.010071029, -0.0017594862, 0.05007221, 0.04692972, 0.054916814, 0.008599704],
        [-0.0098027075, 0.06042469, 0.025257962, -0.006364387, 0.07272725, 0.017194884]
      ])
      assert.deepStrictEqual(response.usage, { inputTokens: 8, outputTokens: 0, totalTokens: 8 })
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/api/embed")
      assert.deepStrictEqual(request.body, {
        model: "all-minilm",
        input: ["Why is the sky blue?", "Why is the grass green?"]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("a string input stays a string; dimensions pass through; the default route answers unit vectors", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const single = yield* llm.embed({
        model: "nomic-embed-text",
        input: "hello",
        dimensions: 4,
        encodingFormat: "base64"
      })

      assert.deepStrictEqual(onlyBody(server), { model: "nomic-embed-text", input: "hello", dimensions: 4 })
      assert.strictEqual(single.embeddings.length, 1)
      assert.strictEqual(single.embeddings[0]?.length, 4)
      assert.closeTo(norm(single.embeddings[0] ?? []), 1, 1e-6)
      assert.deepStrictEqual(single.usage, { inputTokens: 2, outputTokens: 0, totalTokens: 2 })
    }).pipe(Effect.scoped)
  )

  it.effect("the same text embeds the same way, different texts differently", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({}, { embeddingDimensions: 6 })

      const response = yield* llm.embed({ model: "nomic-embed-text", input: ["alpha", "beta", "alpha"] })

      assert.deepStrictEqual(response.embeddings[0], response.embeddings[2])
      assert.notDeepEqual(response.embeddings[0], response.embeddings[1])
      assert.strictEqual(response.embeddings[1]?.length, 6)
    }).pipe(Effect.scoped)
  )

  it.effect("providerOptions.ollama adds fields such as truncate", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.embed({ model: "nomic-embed-text", input: "x", providerOptions: { ollama: { truncate: false } } })

      assert.strictEqual(onlyBody(server).truncate, false)
    }).pipe(Effect.scoped)
  )

  it.effect("a count that does not match the inputs is a ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.embedResponse([[0.1, 0.2]]), FakeReply.json({ model: "m", embeddings: [["a"]] }))

      const missing = yield* Effect.flip(llm.embed({ model: "nomic-embed-text", input: ["a", "b"] }))
      const notNumbers = yield* Effect.flip(llm.embed({ model: "nomic-embed-text", input: "a" }))

      assert.strictEqual(missing._tag, "ResponseDecodeError")
      assert.include(missing.message, "2 input texts but 1 embeddings")
      assert.strictEqual(notNumbers._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )

  it.effect(
    "errors are classified like chat: a model not pulled is NotFoundError, too long an input ContextLengthError",
    () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(
          FakeOllama.error(404, "model 'nomic-embed-text' not found, try pulling it first"),
          FakeOllama.error(400, "the input length exceeds the context length")
        )

        const notFound = yield* Effect.flip(llm.embed({ model: "nomic-embed-text", input: "a" }))
        const tooLong = yield* Effect.flip(llm.embed({ model: "nomic-embed-text", input: "a" }))

        assert.strictEqual(notFound._tag, "NotFoundError")
        assert.strictEqual(notFound.model, "nomic-embed-text")
        assert.strictEqual(tooLong._tag, "ContextLengthError")
      }).pipe(Effect.scoped)
  )

  it.effect("the client says it embeds", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      assert.deepStrictEqual(llm.capabilities, {
        chat: true,
        stream: true,
        embed: true,
        tools: true,
        vision: true,
        jsonSchema: true,
        reasoning: true
      })
    }).pipe(Effect.scoped)
  )
})
