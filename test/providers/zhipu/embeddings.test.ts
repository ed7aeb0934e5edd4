import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { harness, jsonReply, onlyBody, onlyRequest } from "./helpers.js"

const norm = (vector: ReadonlyArray<number>): number => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0))

describe("Zhipu embeddings", () => {
  it.effect("reads embedding-3 vectors in input order with their usage", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("embeddings.json"))

      const response = yield* llm.embed({ model: "embedding-3", input: ["你好", "今天天气怎么样"], dimensions: 256 })

      assert.strictEqual(response.provider, "zhipu")
      assert.strictEqual(response.model, "embedding-3")
      assert.strictEqual(response.embeddings.length, 2)
      for (const vector of response.embeddings) {
        assert.strictEqual(vector.length, 256)
        assert.closeTo(norm(vector), 1, 1e-6)
      }
      assert.deepStrictEqual(response.usage, { inputTokens: 12, outputTokens: 0, totalTokens: 12 })
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/api/paas/v4/embeddings")
      assert.deepStrictEqual(onlyBody(server), {
        model: "embedding-3",
        input: ["你好", "今天天气怎么样"],
        encoding_format: "float",
        dimensions: 256
      })
    }).pipe(Effect.scoped)
  )

  it.effect("the default Zhipu route answers deterministic unit vectors", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({}, { embeddingDimensions: 16 })

      const first = yield* llm.embed({ model: "embedding-3", input: "同一句话" })
      const second = yield* llm.embed({ model: "embedding-3", input: ["同一句话", "另一句话"], dimensions: 512 })

      assert.strictEqual(first.embeddings[0]!.length, 16)
      assert.closeTo(norm(first.embeddings[0]!), 1, 1e-6)
      assert.strictEqual(second.embeddings[0]!.length, 512)
      assert.notDeepEqual(second.embeddings[0], second.embeddings[1])
    }).pipe(Effect.scoped)
  )

  for (const [model, dimensions] of [
    ["embedding-3", 300],
    ["embedding-2", 256]
  ] as const) {
    it.effect(`${model} refuses dimensions ${dimensions} before the network`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()

        const error = yield* Effect.flip(llm.embed({ model, input: "你好", dimensions }))

        assert.strictEqual(error._tag, "InvalidRequestError")
        if (error._tag === "InvalidRequestError") assert.strictEqual(error.param, "dimensions")
        assert.strictEqual(server.requests.length, 0)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("other models' dimensions are left to the server", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.embed({ model: "embedding-4", input: "你好", dimensions: 64 })

      assert.strictEqual(response.embeddings[0]!.length, 64)
      assert.strictEqual(onlyBody(server).dimensions, 64)
    }).pipe(Effect.scoped)
  )
})
