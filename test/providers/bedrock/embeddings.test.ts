import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeBedrock } from "../../../src/testing/FakeBedrock.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { checkSignature, harness, onlyBody, onlyRequest, REGION, SECRET_ACCESS_KEY } from "./helpers.js"

const TITAN = "amazon.titan-embed-text-v2:0"
const COHERE = "cohere.embed-english-v3"

const norm = (vector: ReadonlyArray<number>): number => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0))

describe("Bedrock embeddings (InvokeModel)", () => {
  it.effect("Titan v2: one signed request per text, inputText/dimensions/normalize, token counts summed", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.embed({ model: TITAN, input: ["first text", "second"], dimensions: 16 })

      assert.strictEqual(response.provider, "bedrock")
      assert.strictEqual(response.model, TITAN)
      assert.strictEqual(response.embeddings.length, 2)
      assert.deepStrictEqual(response.embeddings[0], FakeBedrock.embedding("first text", 16))
      assert.deepStrictEqual(response.embeddings[1], FakeBedrock.embedding("second", 16))
      assert.closeTo(norm(response.embeddings[0]!), 1, 1e-5)
      // tokens("first text") = 3, tokens("second") = 2
      assert.deepStrictEqual(response.usage, { inputTokens: 5, outputTokens: 0, totalTokens: 5 })
      const requests = [...server.requests].sort((a, b) => a.rawBody.localeCompare(b.rawBody))
      assert.strictEqual(requests.length, 2)
      assert.deepStrictEqual(
        requests.map((request) => request.body),
        [
          { inputText: "first text", normalize: true, dimensions: 16 },
          { inputText: "second", normalize: true, dimensions: 16 }
        ]
      )
      for (const request of requests) {
        assert.strictEqual(request.path, "/model/amazon.titan-embed-text-v2%3A0/invoke")
        assert.isTrue(checkSignature(request, SECRET_ACCESS_KEY, REGION).valid)
      }
    }).pipe(Effect.scoped)
  )

  it.effect("Titan v1 gets only inputText; a single string input is one vector", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { embeddingDimensions: 5 })

      const response = yield* llm.embed({ model: "amazon.titan-embed-text-v1", input: "hello" })

      assert.deepStrictEqual(response.embeddings, [FakeBedrock.embedding("hello", 5)])
      assert.deepStrictEqual(onlyBody(server), { inputText: "hello" })
      assert.strictEqual(response.requestId, FakeBedrock.requestId(1))
    }).pipe(Effect.scoped)
  )

  it.effect("Cohere: all texts in one request with input_type, token count from the response header", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { embeddingDimensions: 6 })

      const response = yield* llm.embed({
        model: `us.${COHERE}`,
        input: ["alpha", "beta gamma"],
        providerOptions: { bedrock: { input_type: "search_query", truncate: "END" } }
      })

      assert.deepStrictEqual(response.embeddings, [
        FakeBedrock.embedding("alpha", 6),
        FakeBedrock.embedding("beta gamma", 6)
      ])
      assert.strictEqual(response.usage.inputTokens, 2 + 3)
      assert.deepStrictEqual(onlyBody(server), {
        texts: ["alpha", "beta gamma"],
        input_type: "search_query",
        truncate: "END"
      })
      assert.strictEqual(onlyRequest(server).path, "/model/us.cohere.embed-english-v3/invoke")
    }).pipe(Effect.scoped)
  )

  it.effect("Cohere: embeddings by type are read from embeddings.float; more than 96 texts go in batches", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { embeddingDimensions: 3 })
      const texts = Array.from({ length: 100 }, (_, i) => `text ${i}`)

      const byType = yield* llm.embed({
        model: "cohere.embed-v4:0",
        input: ["one"],
        dimensions: 4,
        providerOptions: { bedrock: { embedding_types: ["float"] } }
      })
      const batched = yield* llm.embed({ model: COHERE, input: texts })

      assert.deepStrictEqual(byType.embeddings, [FakeBedrock.embedding("one", 4)])
      assert.deepStrictEqual(server.requests[0]!.body, {
        texts: ["one"],
        input_type: "search_document",
        output_dimension: 4,
        embedding_types: ["float"]
      })
      assert.strictEqual(batched.embeddings.length, 100)
      assert.deepStrictEqual(batched.embeddings[99], FakeBedrock.embedding("text 99", 3))
      const sizes = server.requests.slice(1).map((request) => (request.body as { texts: Array<string> }).texts.length)
      assert.deepStrictEqual(
        sizes.sort((a, b) => b - a),
        [96, 4]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("a model outside the Titan and Cohere families is UnsupportedError, without a request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const error = yield* Effect.flip(llm.embed({ model: "anthropic.claude-3-haiku-20240307-v1:0", input: "x" }))

      assert.strictEqual(error._tag, "UnsupportedError")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("errors and unreadable answers are classified like chat", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.error(429, "ThrottlingException", "Too many requests"),
        FakeReply.json({ vectors: [] }),
        FakeReply.json({ embeddings: [[0.1], [0.2]] })
      )

      const throttled = yield* Effect.flip(llm.embed({ model: TITAN, input: "x" }))
      const titanShape = yield* Effect.flip(llm.embed({ model: TITAN, input: "x" }))
      const cohereCount = yield* Effect.flip(llm.embed({ model: COHERE, input: "x" }))

      assert.strictEqual(throttled._tag, "RateLimitError")
      assert.strictEqual(titanShape._tag, "ResponseDecodeError")
      assert.strictEqual(cohereCount._tag, "ResponseDecodeError")
      assert.include(cohereCount.message, "1 input texts but 2 embeddings")
    }).pipe(Effect.scoped)
  )
})
