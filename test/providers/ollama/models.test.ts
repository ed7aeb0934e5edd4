import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ollama from "../../../src/providers/ollama/Ollama.js"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import {
  FakeProviderServer,
  type FakeProviderServerOptions,
  FakeReply
} from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, fixtureText, onlyRequest } from "./helpers.js"

const setup = (serverOptions: FakeProviderServerOptions = {}) =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make(serverOptions)
    const transport = yield* Layer.build(HttpTransport.layer)
    const list = (options: Ollama.OllamaOptions = {}) =>
      Ollama.listModels({ baseUrl: server.url, ...options }).pipe(Effect.provide(transport))
    return { server, list }
  })

describe("Ollama.listModels", () => {
  it.effect("GET /api/tags: names, sizes and details in camelCase", () =>
    Effect.gen(function* () {
      const { server, list } = yield* setup()
      server.enqueue(FakeReply.text(fixtureText("tags.json"), { contentType: "application/json; charset=utf-8" }))

      const models = yield* list()

      assert.deepStrictEqual(models, [
        {
          name: "deepseek-r1:latest",
          model: "deepseek-r1:latest",
          modifiedAt: "2025-05-10T08:06:48.639712648-07:00",
          size: 4683075271,
          digest: "0a8c266910232fd3291e71e5ba1e058cc5af9d411192cf88b6d30e92b6e73163",
          details: {
            parentModel: "",
            format: "gguf",
            family: "qwen2",
            families: ["qwen2"],
            parameterSize: "7.6B",
            quantizationLevel: "Q4_K_M"
          }
        },
        {
          name: "llama3.2:latest",
          model: "llama3.2:latest",
          modifiedAt: "2025-05-04T17:37:44.706015396-07:00",
          size: 2019393189,
          digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
          details: {
            parentModel: "",
            format: "gguf",
            family: "llama",
            families: ["llama"],
            parameterSize: "3.2B",
            quantizationLevel: "Q4_K_M"
          }
        }
      ])
      const request = onlyRequest(server)
      assert.strictEqual(request.method, "GET")
      assert.strictEqual(request.path, "/api/tags")
    }).pipe(Effect.scoped)
  )

  it.effect("the default route lists the server's models with a :latest tag", () =>
    Effect.gen(function* () {
      const { list } = yield* setup({ models: ["llama3.2", "qwen3:8b"] })

      const models = yield* list()

      assert.deepStrictEqual(
        models.map((model) => model.name),
        ["llama3.2:latest", "qwen3:8b"]
      )
      assert.strictEqual(models[0]?.details.format, "gguf")
    }).pipe(Effect.scoped)
  )

  it.effect("no models is an empty list (also when the server says null)", () =>
    Effect.gen(function* () {
      const { server, list } = yield* setup()
      server.enqueue(FakeOllama.tagsResponse([]), FakeReply.json({ models: null }))

      assert.deepStrictEqual(yield* list(), [])
      assert.deepStrictEqual(yield* list(), [])
    }).pipe(Effect.scoped)
  )

  it.effect("sends the key and fails with typed errors: 401, 500, unreadable body, no server", () =>
    Effect.gen(function* () {
      const { server, list } = yield* setup({ apiKey: API_KEY })
      const ok = yield* list({ apiKey: API_KEY })
      const denied = yield* Effect.flip(list({ apiKey: "ollama-wrong-0000000000" }))
      server.enqueue(FakeOllama.error(500, "boom"), FakeReply.text("not json"))
      const failed = yield* Effect.flip(list({ apiKey: API_KEY }))
      const unreadable = yield* Effect.flip(list({ apiKey: API_KEY }))
      yield* Effect.promise(() => server.close())
      const unreachable = yield* Effect.flip(list())

      assert.isTrue(ok.length > 0)
      assert.strictEqual(server.requests[0]?.headers.authorization, `Bearer ${API_KEY}`)
      assert.strictEqual(denied._tag, "AuthenticationError")
      assert.notInclude(denied.message, "ollama-wrong-0000000000")
      assert.strictEqual(failed._tag, "ProviderError")
      assert.strictEqual(unreadable._tag, "ResponseDecodeError")
      assert.strictEqual(unreachable._tag, "NetworkError")
    }).pipe(Effect.scoped)
  )
})
