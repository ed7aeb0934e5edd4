import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { API_KEY, GA_VERSION, harness, jsonReply, onlyRequest } from "./helpers.js"

const norm = (vector: ReadonlyArray<number>): number => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0))

describe("Azure embeddings", () => {
  it.effect("POSTs to the deployment's /embeddings with the api-version, base64 asked for and decoded", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.embed({ model: "text-embedding-3-small", input: ["alpha", "beta"] })

      assert.strictEqual(response.provider, "azure")
      assert.strictEqual(response.model, "text-embedding-3-small")
      assert.strictEqual(response.requestId, "00000000-0000-4000-8000-000000000001")
      assert.strictEqual(response.embeddings.length, 2)
      for (const vector of response.embeddings) {
        assert.strictEqual(vector.length, 8)
        assert.closeTo(norm(vector), 1, 1e-6)
      }
      assert.notDeepEqual(response.embeddings[0], response.embeddings[1])
      assert.deepStrictEqual(response.usage, { inputTokens: 3, outputTokens: 0, totalTokens: 3 })
      const request = onlyRequest(server)
      assert.strictEqual(
        request.path,
        `/openai/deployments/text-embedding-3-small/embeddings?api-version=${GA_VERSION}`
      )
      assert.strictEqual(request.headers["api-key"], API_KEY)
      assert.deepStrictEqual(request.body, {
        model: "text-embedding-3-small",
        input: ["alpha", "beta"],
        encoding_format: "base64"
      })
    }).pipe(Effect.scoped)
  )

  it.effect("the same text gets the same vector on both routes; dimensions pass through", () =>
    Effect.gen(function* () {
      const deployments = yield* harness()
      const v1 = yield* harness({ route: "v1" })

      const a = yield* deployments.llm.embed({ model: "embed-small", input: "same text", dimensions: 4 })
      const b = yield* v1.llm.embed({ model: "embed-small", input: "same text", dimensions: 4 })

      assert.deepStrictEqual(a.embeddings, b.embeddings)
      assert.strictEqual(a.embeddings[0]?.length, 4)
      const request = onlyRequest(v1.server)
      assert.strictEqual(request.path, "/openai/v1/embeddings")
      assert.strictEqual(request.body.model, "embed-small")
      assert.strictEqual(request.body.dimensions, 4)
    }).pipe(Effect.scoped)
  )

  it.effect("embeddingDeployment fixes the embeddings deployment; the chat deployment does not touch it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ deployment: "chat-prod", embeddingDeployment: "embed-prod" })

      yield* llm.embed({ model: "text-embedding-3-small", input: "x" })

      assert.strictEqual(
        onlyRequest(server).path,
        `/openai/deployments/embed-prod/embeddings?api-version=${GA_VERSION}`
      )
    }).pipe(Effect.scoped)
  )

  it.effect("embeddingDeployment on v1 is the body's model", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ route: "v1", embeddingDeployment: "embed-prod" })

      const response = yield* llm.embed({ model: "anything", input: "x" })

      assert.strictEqual(response.model, "embed-prod")
      assert.strictEqual(onlyRequest(server).body.model, "embed-prod")
    }).pipe(Effect.scoped)
  )

  it.effect("reads Azure's float embeddings list in input order", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonReply("embeddings.json"))

      const response = yield* llm.embed({
        model: "text-embedding-3-small",
        input: ["one", "two"],
        encodingFormat: "float"
      })

      assert.deepStrictEqual(response.embeddings, [
        [0.0023064255, -0.009327292, -0.0028842222],
        [-0.0115152895, 0.0045901295, 0.0271432]
      ])
      assert.deepStrictEqual(response.usage, { inputTokens: 9, outputTokens: 0, totalTokens: 9 })
      assert.strictEqual(onlyRequest(server).body.encoding_format, "float")
    }).pipe(Effect.scoped)
  )

  it.effect("declares its capabilities", () =>
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
