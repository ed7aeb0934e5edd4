import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LlmClient } from "../../../src/core/LlmClient.js"
import * as Zhipu from "../../../src/providers/zhipu/Zhipu.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, baseUrlOf, hello, onlyRequest } from "./helpers.js"

/** Builds `Zhipu.layerConfig(config)` with settings read from `entries` only (never process.env). */
const fromConfig = (entries: ReadonlyArray<readonly [string, string]>, config?: Zhipu.ZhipuConfig) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    const layer = Zhipu.layerConfig(config).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries))))
    )
    return yield* LlmClient.pipe(Effect.provide(layer), Effect.provide(transport))
  })

describe("Zhipu.layerConfig", () => {
  it.effect("reads ZHIPUAI_API_KEY and ZHIPUAI_BASE_URL through Config", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: API_KEY })
      const llm = yield* fromConfig([
        ["ZHIPUAI_API_KEY", API_KEY],
        ["ZHIPUAI_BASE_URL", baseUrlOf(server)]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(llm.provider, "zhipu")
      assert.strictEqual(response.content, "你好")
      assert.strictEqual(onlyRequest(server).headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )

  it.effect("takes the Configs it is given in place of the environment names", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig(
        [
          ["MY_KEY", "other.key-0987654321"],
          ["MY_URL", `${server.url}/api/coding/paas/v4`]
        ],
        { apiKey: Config.redacted("MY_KEY"), baseUrl: Config.option(Config.string("MY_URL")) }
      )

      yield* llm.chat(hello())

      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/api/coding/paas/v4/chat/completions")
      assert.strictEqual(request.headers.authorization, "Bearer other.key-0987654321")
    }).pipe(Effect.scoped)
  )

  it.effect("fails with a ConfigError naming ZHIPUAI_API_KEY when the key is missing", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const error = yield* Effect.flip(fromConfig([["ZHIPUAI_BASE_URL", baseUrlOf(server)]]))

      assert.isTrue(ConfigError.isConfigError(error))
      assert.include(String(error), "ZHIPUAI_API_KEY")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it("names the endpoints: bigmodel.cn by default, Z.AI internationally, and the coding plans", () => {
    assert.strictEqual(Zhipu.DEFAULT_BASE_URL, "https://open.bigmodel.cn/api/paas/v4")
    assert.strictEqual(Zhipu.INTERNATIONAL_BASE_URL, "https://api.z.ai/api/paas/v4")
    assert.strictEqual(Zhipu.CODING_PLAN_BASE_URL, "https://open.bigmodel.cn/api/coding/paas/v4")
    assert.strictEqual(Zhipu.INTERNATIONAL_CODING_PLAN_BASE_URL, "https://api.z.ai/api/coding/paas/v4")
  })
})
