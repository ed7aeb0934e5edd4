import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LlmClient } from "../../../src/core/LlmClient.js"
import * as Anthropic from "../../../src/providers/anthropic/Anthropic.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, hello, onlyRequest } from "./helpers.js"

/** Builds `Anthropic.layerConfig(config)` with settings read from `entries` only (never process.env). */
const fromConfig = (
  entries: ReadonlyArray<readonly [string, string]>,
  config?: Anthropic.AnthropicConfig,
  options?: Parameters<typeof Anthropic.layerConfig>[1]
) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    const layer = Anthropic.layerConfig(config, options).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries))))
    )
    return yield* LlmClient.pipe(Effect.provide(layer), Effect.provide(transport))
  })

describe("Anthropic.layerConfig", () => {
  it.effect("reads ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL through Config", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: API_KEY })
      const llm = yield* fromConfig([
        ["ANTHROPIC_API_KEY", API_KEY],
        ["ANTHROPIC_BASE_URL", server.url]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(llm.provider, "anthropic")
      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(response.requestId, "req_fake_1")
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/v1/messages")
      assert.strictEqual(request.headers["x-api-key"], API_KEY)
    }).pipe(Effect.scoped)
  )

  it.effect("reads ANTHROPIC_AUTH_TOKEN as a Bearer token when there is no key", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: "sk-ant-oat01-CONFIG-TOKEN-1234" })
      const llm = yield* fromConfig(
        [
          ["ANTHROPIC_AUTH_TOKEN", "sk-ant-oat01-CONFIG-TOKEN-1234"],
          ["ANTHROPIC_BASE_URL", server.url]
        ],
        {},
        { defaultMaxTokens: 512, betas: ["oauth-2025-04-20"] }
      )

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      const request = onlyRequest(server)
      assert.strictEqual(request.headers.authorization, "Bearer sk-ant-oat01-CONFIG-TOKEN-1234")
      assert.isUndefined(request.headers["x-api-key"])
      assert.strictEqual(request.headers["anthropic-beta"], "oauth-2025-04-20")
      assert.strictEqual((request.body as { max_tokens: number }).max_tokens, 512)
    }).pipe(Effect.scoped)
  )

  it.effect("takes the Configs it is given in place of the environment names", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig(
        [
          ["MY_KEY", "sk-ant-other-0987654321"],
          ["MY_URL", server.url],
          ["ANTHROPIC_API_KEY", "sk-ant-not-this-one-0000"]
        ],
        {
          apiKey: Config.option(Config.redacted("MY_KEY")),
          baseUrl: Config.option(Config.string("MY_URL"))
        }
      )

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["x-api-key"], "sk-ant-other-0987654321")
    }).pipe(Effect.scoped)
  )

  it.effect("fails with a ConfigError naming ANTHROPIC_API_KEY when there is neither key nor token", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const error = yield* Effect.flip(fromConfig([["ANTHROPIC_BASE_URL", server.url]]))

      assert.isTrue(ConfigError.isConfigError(error))
      assert.include(String(error), "ANTHROPIC_API_KEY")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("defaults to https://api.anthropic.com", () =>
    Effect.sync(() => {
      assert.strictEqual(Anthropic.DEFAULT_BASE_URL, "https://api.anthropic.com")
      assert.strictEqual(Anthropic.DEFAULT_VERSION, "2023-06-01")
    })
  )
})
