import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LlmClient } from "../../../src/core/LlmClient.js"
import * as Bedrock from "../../../src/providers/bedrock/Bedrock.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import {
  ACCESS_KEY_ID,
  CLAUDE,
  checkSignature,
  hello,
  onlyRequest,
  SECRET_ACCESS_KEY,
  SESSION_TOKEN
} from "./helpers.js"

/** Builds `Bedrock.layerConfig(config)` with settings read from `entries` only (never process.env). */
const fromConfig = (entries: ReadonlyArray<readonly [string, string]>, config?: Bedrock.BedrockConfig) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    const layer = Bedrock.layerConfig(config).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries))))
    )
    return yield* LlmClient.pipe(Effect.provide(layer), Effect.provide(transport))
  })

describe("Bedrock.layerConfig", () => {
  it.effect("reads AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and the endpoint URL", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: ACCESS_KEY_ID })
      const llm = yield* fromConfig([
        ["AWS_REGION", "eu-central-1"],
        ["AWS_DEFAULT_REGION", "ap-south-1"],
        ["AWS_ACCESS_KEY_ID", ACCESS_KEY_ID],
        ["AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY],
        ["AWS_SESSION_TOKEN", SESSION_TOKEN],
        ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url],
        ["AWS_ENDPOINT_URL", "http://127.0.0.1:9/not-this-one"]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(llm.provider, "bedrock")
      assert.strictEqual(response.content, "Hello")
      const request = onlyRequest(server)
      const check = checkSignature(request, SECRET_ACCESS_KEY, "eu-central-1")
      assert.isTrue(check.valid)
      assert.include(check.scope, "/eu-central-1/bedrock/aws4_request")
      assert.strictEqual(request.headers["x-amz-security-token"], SESSION_TOKEN)
    }).pipe(Effect.scoped)
  )

  it.effect("falls back to AWS_DEFAULT_REGION and AWS_ENDPOINT_URL", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: ACCESS_KEY_ID })
      const llm = yield* fromConfig([
        ["AWS_DEFAULT_REGION", "ap-south-1"],
        ["AWS_ACCESS_KEY_ID", ACCESS_KEY_ID],
        ["AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY],
        ["AWS_ENDPOINT_URL", server.url]
      ])

      yield* llm.chat(hello())

      const check = checkSignature(onlyRequest(server), SECRET_ACCESS_KEY, "ap-south-1")
      assert.isTrue(check.valid)
      assert.isUndefined(onlyRequest(server).headers["x-amz-security-token"])
    }).pipe(Effect.scoped)
  )

  it.effect("AWS_BEARER_TOKEN_BEDROCK is sent as a Bearer key and wins over access keys", () =>
    Effect.gen(function* () {
      const key = "ABSKQmVkcm9ja0FQSUtleS1jb25maWc"
      const server = yield* FakeProviderServer.make({ apiKey: key })
      const llm = yield* fromConfig([
        ["AWS_REGION", "us-east-1"],
        ["AWS_ACCESS_KEY_ID", ACCESS_KEY_ID],
        ["AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY],
        ["AWS_BEARER_TOKEN_BEDROCK", key],
        ["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(onlyRequest(server).headers.authorization, `Bearer ${key}`)
    }).pipe(Effect.scoped)
  )

  it.effect("empty variables count as unset; nothing set fails calls before the network, not the layer", () =>
    Effect.gen(function* () {
      const llm = yield* fromConfig([
        ["AWS_REGION", ""],
        ["AWS_BEARER_TOKEN_BEDROCK", ""]
      ])

      const error = yield* Effect.flip(llm.chat(hello(CLAUDE)))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, "AWS_REGION")
    }).pipe(Effect.scoped)
  )

  it.effect("takes the Configs it is given in place of the environment names", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: "AKIAOTHEROTHEROTHER1" })
      const llm = yield* fromConfig(
        [
          ["MY_REGION", "us-east-2"],
          ["MY_KEY_ID", "AKIAOTHEROTHEROTHER1"],
          ["MY_SECRET", "other-secret"],
          ["MY_URL", server.url],
          ["AWS_ACCESS_KEY_ID", ACCESS_KEY_ID]
        ],
        {
          region: Config.option(Config.string("MY_REGION")),
          accessKeyId: Config.option(Config.string("MY_KEY_ID")),
          secretAccessKey: Config.option(Config.redacted("MY_SECRET")),
          baseUrl: Config.option(Config.string("MY_URL"))
        }
      )

      yield* llm.chat(hello())

      const check = checkSignature(onlyRequest(server), "other-secret", "us-east-2")
      assert.isTrue(check.valid)
      assert.strictEqual(check.accessKeyId, "AKIAOTHEROTHEROTHER1")
    }).pipe(Effect.scoped)
  )

  it.effect("the default address is the region's bedrock-runtime host", () =>
    Effect.sync(() => {
      assert.strictEqual(Bedrock.baseUrlFor("eu-west-3"), "https://bedrock-runtime.eu-west-3.amazonaws.com")
    })
  )
})
