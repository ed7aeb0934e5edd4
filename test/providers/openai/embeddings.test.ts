import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeOpenAi, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { harness, onlyBody } from "./helpers.js"

/** Little-endian float32 bytes in base64, as OpenAI encodes embeddings. */
const base64Of = (values: ReadonlyArray<number>): string => {
  const view = new DataView(new ArrayBuffer(values.length * 4))
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true)
  return Buffer.from(view.buffer).toString("base64")
}

const embeddingList = (data: ReadonlyArray<{ readonly index: number; readonly embedding: unknown }>) => ({
  object: "list",
  data: data.map((item) => ({ object: "embedding", ...item })),
  model: "text-embedding-3-small",
  usage: { prompt_tokens: 7, total_tokens: 7 }
})

const inputs = ["The food was delicious.", "The waiter was friendly."]

describe("OpenAi embeddings", () => {
  it.effect("asks for floats when told to and returns one vector per input, with usage", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.embed({
        model: "text-embedding-3-small",
        input: inputs,
        encodingFormat: "float",
        user: "user-1",
        providerOptions: { openai: { extra_field: 1 }, other: { ignored: true } }
      })

      assert.strictEqual(response.provider, "openai")
      assert.strictEqual(response.model, "text-embedding-3-small")
      assert.strictEqual(response.requestId, "req_fake_1")
      assert.strictEqual(response.embeddings.length, 2)
      for (const vector of response.embeddings) {
        assert.strictEqual(vector.length, 8)
        assert.isTrue(vector.every((value) => typeof value === "number" && Number.isFinite(value)))
      }
      assert.notDeepEqual(response.embeddings[0], response.embeddings[1])
      // tokens = ceil(length / 4): 23 and 24 characters.
      assert.deepStrictEqual(response.usage, { inputTokens: 12, outputTokens: 0, totalTokens: 12 })
      assert.deepStrictEqual(onlyBody(server), {
        model: "text-embedding-3-small",
        input: inputs,
        encoding_format: "float",
        user: "user-1",
        extra_field: 1
      })
    }).pipe(Effect.scoped)
  )

  it.effect("asks for base64 by default and decodes it to the same numbers as floats", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const byDefault = yield* llm.embed({ model: "text-embedding-3-small", input: inputs })
      const asFloats = yield* llm.embed({ model: "text-embedding-3-small", input: inputs, encodingFormat: "float" })

      assert.deepStrictEqual(byDefault.embeddings, asFloats.embeddings)
      assert.deepStrictEqual(
        server.requests.map((request) => (request.body as { readonly encoding_format?: string }).encoding_format),
        ["base64", "float"]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("decodes little-endian float32 base64 exactly", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(embeddingList([{ index: 0, embedding: base64Of([0.5, -1.25, 3, 0]) }])))

      const response = yield* llm.embed({ model: "text-embedding-3-small", input: "hello", encodingFormat: "base64" })

      assert.deepStrictEqual(response.embeddings, [[0.5, -1.25, 3, 0]])
      assert.deepStrictEqual(response.usage, { inputTokens: 7, outputTokens: 0, totalTokens: 7 })
      assert.deepStrictEqual(onlyBody(server), {
        model: "text-embedding-3-small",
        input: "hello",
        encoding_format: "base64"
      })
    }).pipe(Effect.scoped)
  )

  it.effect("sends dimensions and gets vectors of that length", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.embed({ model: "text-embedding-3-small", input: "one text", dimensions: 16 })

      assert.strictEqual(response.embeddings.length, 1)
      assert.strictEqual(response.embeddings[0]?.length, 16)
      assert.deepStrictEqual(onlyBody(server), {
        model: "text-embedding-3-small",
        input: "one text",
        encoding_format: "base64",
        dimensions: 16
      })
    }).pipe(Effect.scoped)
  )

  it.effect("orders vectors by index even when the server returns them shuffled", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(
          embeddingList([
            { index: 2, embedding: [2, 2] },
            { index: 0, embedding: base64Of([0, 0]) },
            { index: 1, embedding: [1, 1] }
          ])
        )
      )

      const response = yield* llm.embed({ model: "text-embedding-3-small", input: ["a", "b", "c"] })

      assert.deepStrictEqual(response.embeddings, [
        [0, 0],
        [1, 1],
        [2, 2]
      ])
      assert.deepStrictEqual(onlyBody(server).input, ["a", "b", "c"])
    }).pipe(Effect.scoped)
  )

  it.effect("fewer vectors than inputs → ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(embeddingList([{ index: 0, embedding: [0.1, 0.2] }])))

      const error = yield* Effect.flip(llm.embed({ model: "text-embedding-3-small", input: ["a", "b"] }))

      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.strictEqual(error.requestId, "req_fake_1")
      assert.strictEqual(error.model, "text-embedding-3-small")
      assert.include(error.message, "2 input texts but 1 embeddings")
      assert.deepStrictEqual(onlyBody(server).input, ["a", "b"])
    }).pipe(Effect.scoped)
  )

  it.effect("more vectors than inputs → ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(
          embeddingList([
            { index: 0, embedding: [0.1] },
            { index: 1, embedding: [0.2] }
          ])
        )
      )

      const error = yield* Effect.flip(llm.embed({ model: "text-embedding-3-small", input: "a" }))

      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.strictEqual(onlyBody(server).input, "a")
    }).pipe(Effect.scoped)
  )

  it.effect("two vectors claiming the same index → ResponseDecodeError, not a missing vector", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(
          embeddingList([
            { index: 0, embedding: [0.1] },
            { index: 0, embedding: [0.2] }
          ])
        )
      )

      const result = yield* Effect.either(llm.embed({ model: "text-embedding-3-small", input: ["a", "b"] }))

      assert.strictEqual(result._tag, "Left")
      if (result._tag === "Left") assert.strictEqual(result.left._tag, "ResponseDecodeError")
      assert.deepStrictEqual(onlyBody(server).input, ["a", "b"])
    }).pipe(Effect.scoped)
  )

  it.effect("an HTTP error on embeddings is classified like chat errors", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeOpenAi.error(
          400,
          "This model's maximum context length is 8192 tokens, however you requested 9000 tokens.",
          {
            param: "input"
          }
        )
      )

      const error = yield* Effect.flip(llm.embed({ model: "text-embedding-3-small", input: "long" }))

      assert.strictEqual(error._tag, "ContextLengthError")
      assert.strictEqual(error.status, 400)
      assert.strictEqual(error.retryable, false)
      assert.strictEqual(error.requestId, "req_fake_1")
      assert.strictEqual(onlyBody(server).model, "text-embedding-3-small")
    }).pipe(Effect.scoped)
  )
})
