import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeGemini } from "../../../src/testing/FakeGemini.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { API_KEY, harness, methodPath, onlyBody, onlyRequest } from "./helpers.js"

const norm = (vector: ReadonlyArray<number>): number => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0))

describe("Gemini embeddings", () => {
  it.effect("embeds every text through batchEmbedContents, one vector per text, in order", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { embeddingDimensions: 6 })

      const response = yield* llm.embed({ model: "gemini-embedding-001", input: ["alpha", "beta", "alpha"] })

      assert.strictEqual(response.provider, "gemini")
      assert.strictEqual(response.model, "gemini-embedding-001")
      assert.strictEqual(response.embeddings.length, 3)
      for (const vector of response.embeddings) {
        assert.strictEqual(vector.length, 6)
        assert.closeTo(norm(vector), 1, 1e-6)
      }
      assert.deepStrictEqual(response.embeddings[0], response.embeddings[2])
      assert.notDeepEqual(response.embeddings[0], response.embeddings[1])
      assert.deepStrictEqual(response.usage, { inputTokens: 0, outputTokens: 0, totalTokens: 0 })
      const request = onlyRequest(server)
      assert.strictEqual(request.path, methodPath("batchEmbedContents", "gemini-embedding-001"))
      assert.strictEqual(request.headers["x-goog-api-key"], API_KEY)
      assert.deepStrictEqual(request.body, {
        requests: ["alpha", "beta", "alpha"].map((text) => ({
          model: "models/gemini-embedding-001",
          content: { parts: [{ text }] }
        }))
      })
    }).pipe(Effect.scoped)
  )

  it.effect("sends dimensions as outputDimensionality and providerOptions.gemini into every request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.embed({
        model: "gemini-embedding-001",
        input: "one text",
        dimensions: 3,
        providerOptions: { gemini: { taskType: "RETRIEVAL_QUERY" } }
      })

      assert.deepStrictEqual(
        response.embeddings.map((vector) => vector.length),
        [3]
      )
      assert.deepStrictEqual(onlyBody(server), {
        requests: [
          {
            model: "models/gemini-embedding-001",
            content: { parts: [{ text: "one text" }] },
            outputDimensionality: 3,
            taskType: "RETRIEVAL_QUERY"
          }
        ]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("splits more than 100 texts into batches of 100 and joins the vectors in order", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { embeddingDimensions: 4 })
      const input = Array.from({ length: 230 }, (_, i) => `text ${i}`)

      const response = yield* llm.embed({ model: "gemini-embedding-001", input })
      const single = yield* llm.embed({ model: "gemini-embedding-001", input: "text 150" })

      assert.strictEqual(response.embeddings.length, 230)
      assert.deepStrictEqual(response.embeddings[150], single.embeddings[0])
      assert.deepStrictEqual(
        server.requests.map((request) => (request.body as { requests: Array<unknown> }).requests.length),
        [100, 100, 30, 1]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("a response with the wrong number of vectors fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json({ embeddings: [{ values: [0.1, 0.2] }] }), FakeReply.json({ nothing: true }))

      const short = yield* Effect.flip(llm.embed({ model: "gemini-embedding-001", input: ["a", "b"] }))
      const empty = yield* Effect.flip(llm.embed({ model: "gemini-embedding-001", input: ["a"] }))

      assert.strictEqual(short._tag, "ResponseDecodeError")
      assert.include(short.message, "2 input texts but 1 embeddings came back")
      assert.strictEqual(empty._tag, "ResponseDecodeError")
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("an error answer is classified like a chat error", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeGemini.error(429, "Resource has been exhausted (e.g. check quota).", {
          details: [FakeGemini.retryInfo("7s")]
        })
      )

      const error = yield* Effect.flip(llm.embed({ model: "gemini-embedding-001", input: "x" }))

      assert.strictEqual(error._tag, "RateLimitError")
      assert.strictEqual(error._tag === "RateLimitError" ? error.retryAfterMs : undefined, 7000)
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )
})
