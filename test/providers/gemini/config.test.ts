import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { LlmClient } from "../../../src/core/LlmClient.js"
import * as Gemini from "../../../src/providers/gemini/Gemini.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, harness, hello, methodPath, onlyRequest } from "./helpers.js"

/** Builds `Gemini.layerConfig(config)` with settings read from `entries` only (never process.env). */
const fromConfig = (entries: ReadonlyArray<readonly [string, string]>, config?: Gemini.GeminiConfig) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    const layer = Gemini.layerConfig(config).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries))))
    )
    return yield* LlmClient.pipe(Effect.provide(layer), Effect.provide(transport))
  })

describe("Gemini.layerConfig", () => {
  it.effect("reads GEMINI_API_KEY and GEMINI_BASE_URL", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig([
        ["GEMINI_API_KEY", API_KEY],
        ["GOOGLE_API_KEY", "AIzaSy-not-this-one"],
        ["GEMINI_BASE_URL", `${server.url}/v1beta`]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(llm.provider, "gemini")
      assert.strictEqual(response.content, "Hello")
      const request = onlyRequest(server)
      assert.strictEqual(request.path, methodPath("generateContent"))
      assert.strictEqual(request.headers["x-goog-api-key"], API_KEY)
    }).pipe(Effect.scoped)
  )

  it.effect("falls back to GOOGLE_API_KEY and GOOGLE_GEMINI_BASE_URL, an empty variable counting as unset", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig([
        ["GEMINI_API_KEY", ""],
        ["GEMINI_BASE_URL", ""],
        ["GOOGLE_API_KEY", "AIzaSy-google-name"],
        ["GOOGLE_GEMINI_BASE_URL", `${server.url}/v1beta`]
      ])

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["x-goog-api-key"], "AIzaSy-google-name")
    }).pipe(Effect.scoped)
  )

  it.effect("takes the Configs it is given in place of the environment names", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig(
        [
          ["MY_KEY", "AIzaSy-mine"],
          ["MY_URL", `${server.url}/v1beta`],
          ["GEMINI_API_KEY", "AIzaSy-not-this-one"]
        ],
        { apiKey: Config.redacted("MY_KEY"), baseUrl: Config.option(Config.string("MY_URL")) }
      )

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["x-goog-api-key"], "AIzaSy-mine")
    }).pipe(Effect.scoped)
  )

  it.effect("fails with a ConfigError naming both key variables when neither is set", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const error = yield* Effect.flip(fromConfig([["GEMINI_BASE_URL", `${server.url}/v1beta`]]))

      assert.isTrue(ConfigError.isConfigError(error))
      assert.include(String(error), "GEMINI_API_KEY")
      assert.include(String(error), "GOOGLE_API_KEY")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})

describe("Gemini client", () => {
  it.effect("says what it can do, and defaults to the public v1beta address", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({ apiKey: Redacted.make(API_KEY) })

      assert.strictEqual(Gemini.DEFAULT_BASE_URL, "https://generativelanguage.googleapis.com/v1beta")
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

  it.effect("an invalid request fails validation before any network call", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const error = yield* Effect.flip(llm.chat({ model: "gemini-2.5-flash", messages: [] }))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual(error.provider, "gemini")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("a base URL that is not a URL fails with InvalidRequestError naming baseUrl", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ baseUrl: "not a url" })

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.strictEqual(error._tag === "InvalidRequestError" ? error.param : undefined, "baseUrl")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})
