import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import { LlmClient } from "../../../src/core/LlmClient.js"
import * as OpenAi from "../../../src/providers/openai/OpenAi.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, collect, harness, hello, onlyRequest } from "./helpers.js"

/** Builds `OpenAi.layerConfig(config)` with settings read from `entries` only (never process.env). */
const fromConfig = (entries: ReadonlyArray<readonly [string, string]>, config?: OpenAi.OpenAiConfig) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    const layer = OpenAi.layerConfig(config).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries))))
    )
    return yield* LlmClient.pipe(Effect.provide(layer), Effect.provide(transport))
  })

describe("OpenAi.layerConfig", () => {
  it.effect("reads OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID through Config", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig([
        ["OPENAI_API_KEY", API_KEY],
        ["OPENAI_BASE_URL", `${server.url}/v1`],
        ["OPENAI_ORG_ID", "org-cfg"],
        ["OPENAI_PROJECT_ID", "proj_cfg"]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(llm.provider, "openai")
      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(response.requestId, "req_fake_1")
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/v1/chat/completions")
      assert.strictEqual(request.headers.authorization, `Bearer ${API_KEY}`)
      assert.strictEqual(request.headers["openai-organization"], "org-cfg")
      assert.strictEqual(request.headers["openai-project"], "proj_cfg")
    }).pipe(Effect.scoped)
  )

  it.effect("takes the Configs it is given in place of the environment names", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig(
        [
          ["MY_KEY", "sk-other-key-0987654321"],
          ["MY_URL", `${server.url}/v1`],
          ["OPENAI_API_KEY", "sk-not-this-one-000000"]
        ],
        { apiKey: Config.redacted("MY_KEY"), baseUrl: Config.option(Config.string("MY_URL")) }
      )

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(onlyRequest(server).headers.authorization, "Bearer sk-other-key-0987654321")
    }).pipe(Effect.scoped)
  )

  it.effect("fails with a ConfigError naming OPENAI_API_KEY when the key is missing", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const error = yield* Effect.flip(fromConfig([["OPENAI_BASE_URL", `${server.url}/v1`]]))

      assert.isTrue(ConfigError.isConfigError(error))
      assert.include(String(error), "OPENAI_API_KEY")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})

describe("OpenAi validation before the network", () => {
  it.effect("empty messages fail with InvalidRequestError naming messages, and nothing is sent", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const request: ChatRequest = { model: "gpt-4o-mini", messages: [] }

      const chat = yield* Effect.flip(llm.chat(request))
      const streamed = yield* collect(llm.stream(request))

      for (const error of [chat, streamed.error]) {
        assert.strictEqual(error?._tag, "InvalidRequestError")
        if (error?._tag !== "InvalidRequestError") continue
        assert.strictEqual(error.param, "messages")
        assert.strictEqual(error.retryable, false)
        assert.strictEqual(error.provider, "openai")
        assert.strictEqual(error.model, "gpt-4o-mini")
        assert.include(error.message, "messages")
      }
      assert.deepStrictEqual(streamed.chunks, [])
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("a wire-style field name is rejected with a hint, and nothing is sent", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const request = { ...hello(), max_tokens: 10 } as unknown as ChatRequest

      const error = yield* Effect.flip(llm.chat(request))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, "maxTokens")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("toolChoice naming a tool that is not given fails before the network", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const error = yield* Effect.flip(
        llm.chat({ ...hello(), tools: [{ name: "lookup" }], toolChoice: { name: "search" } })
      )

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.isTrue(error._tag === "InvalidRequestError" && error.param === "toolChoice.name")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("an empty embedding input fails before the network", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const error = yield* Effect.flip(llm.embed({ model: "text-embedding-3-small", input: [] }))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.isTrue(error._tag === "InvalidRequestError" && error.param === "input")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})
