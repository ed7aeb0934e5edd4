import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { LlmClient } from "../../../src/core/LlmClient.js"
import { ProviderError } from "../../../src/core/LlmError.js"
import * as Azure from "../../../src/providers/azure/Azure.js"
import { resolveEndpoint } from "../../../src/providers/azure/internal/endpoint.js"
import { FakeAzure } from "../../../src/testing/FakeAzure.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, collect, GA_VERSION, harness, hello, onlyRequest, renderings } from "./helpers.js"

/** Builds `Azure.layerConfig(config, options)` with settings read from `entries` only (never process.env). */
const fromConfig = (
  entries: ReadonlyArray<readonly [string, string]>,
  config?: Azure.AzureConfig,
  options?: Azure.AzureOptions
) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    const layer = Azure.layerConfig(config, options).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries))))
    )
    return yield* LlmClient.pipe(Effect.provide(layer), Effect.provide(transport))
  })

describe("Azure.layerConfig", () => {
  it.effect(
    "reads AZURE_OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_VERSION and AZURE_OPENAI_DEPLOYMENT",
    () =>
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make({ apiKey: API_KEY })
        const llm = yield* fromConfig([
          ["AZURE_OPENAI_API_KEY", API_KEY],
          ["AZURE_OPENAI_ENDPOINT", `${server.url}/`],
          ["AZURE_OPENAI_API_VERSION", "2025-04-01-preview"],
          ["AZURE_OPENAI_DEPLOYMENT", "chat-prod"],
          ["OPENAI_API_VERSION", "2024-06-01"]
        ])

        const response = yield* llm.chat(hello("gpt-4o"))

        assert.strictEqual(llm.provider, "azure")
        assert.strictEqual(response.content, "Hello")
        const request = onlyRequest(server)
        assert.strictEqual(
          request.path,
          "/openai/deployments/chat-prod/chat/completions?api-version=2025-04-01-preview"
        )
        assert.strictEqual(request.headers["api-key"], API_KEY)
      }).pipe(Effect.scoped)
  )

  it.effect("falls back to openai-node's OPENAI_API_VERSION, then to the GA default", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const pinned = yield* fromConfig([
        ["AZURE_OPENAI_API_KEY", API_KEY],
        ["AZURE_OPENAI_ENDPOINT", server.url],
        ["OPENAI_API_VERSION", "2024-06-01"]
      ])
      const plain = yield* fromConfig([
        ["AZURE_OPENAI_API_KEY", API_KEY],
        ["AZURE_OPENAI_ENDPOINT", server.url]
      ])

      yield* pinned.chat(hello())
      yield* plain.chat(hello())

      assert.deepStrictEqual(
        server.requests.map((request) => request.path),
        [
          "/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01",
          `/openai/deployments/gpt-4o/chat/completions?api-version=${GA_VERSION}`
        ]
      )
    }).pipe(Effect.scoped)
  )

  it.effect(
    "an endpoint ending in /openai/v1 selects the v1 route; embeddings read AZURE_OPENAI_EMBEDDING_DEPLOYMENT",
    () =>
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()
        const llm = yield* fromConfig([
          ["AZURE_OPENAI_API_KEY", API_KEY],
          ["AZURE_OPENAI_ENDPOINT", `${server.url}/openai/v1/`],
          ["AZURE_OPENAI_API_VERSION", GA_VERSION],
          ["AZURE_OPENAI_EMBEDDING_DEPLOYMENT", "embed-prod"]
        ])

        yield* llm.chat(hello("chat-prod"))
        yield* llm.embed({ model: "ignored", input: "x" })

        assert.deepStrictEqual(
          server.requests.map((request) => [request.path, (request.body as { model: string }).model]),
          [
            ["/openai/v1/chat/completions", "chat-prod"],
            ["/openai/v1/embeddings", "embed-prod"]
          ]
        )
      }).pipe(Effect.scoped)
  )

  it.effect("AZURE_OPENAI_AD_TOKEN is sent as a bearer token, and wins over a key as in openai-python", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: "entra-token-abcdefgh" })
      const llm = yield* fromConfig([
        ["AZURE_OPENAI_API_KEY", API_KEY],
        ["AZURE_OPENAI_AD_TOKEN", "entra-token-abcdefgh"],
        ["AZURE_OPENAI_ENDPOINT", server.url]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      const request = onlyRequest(server)
      assert.strictEqual(request.headers.authorization, "Bearer entra-token-abcdefgh")
      assert.isUndefined(request.headers["api-key"])
    }).pipe(Effect.scoped)
  )

  it.effect("takes the Configs it is given in place of the environment names", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig(
        [
          ["MY_KEY", "my-azure-key-000000"],
          ["MY_ENDPOINT", server.url],
          ["AZURE_OPENAI_API_KEY", "not-this-one-000000"]
        ],
        {
          apiKey: Config.option(Config.redacted("MY_KEY")),
          endpoint: Config.option(Config.string("MY_ENDPOINT"))
        }
      )

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers["api-key"], "my-azure-key-000000")
    }).pipe(Effect.scoped)
  )

  it.effect("without a credential or an endpoint the layer fails with a ConfigError naming the variable", () =>
    Effect.gen(function* () {
      const noKey = yield* Effect.exit(fromConfig([["AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com"]]))
      const noEndpoint = yield* Effect.exit(fromConfig([["AZURE_OPENAI_API_KEY", API_KEY]]))

      for (const [exit, variable] of [
        [noKey, "AZURE_OPENAI_API_KEY"],
        [noEndpoint, "AZURE_OPENAI_ENDPOINT"]
      ] as const) {
        assert.isTrue(Exit.isFailure(exit))
        if (Exit.isFailure(exit)) {
          const failure = Cause.failureOption(exit.cause)
          assert.strictEqual(failure._tag, "Some")
          assert.include(String(failure._tag === "Some" ? failure.value : ""), variable)
        }
      }
    }).pipe(Effect.scoped)
  )

  it.effect("blank variables count as unset", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig([
        ["AZURE_OPENAI_API_KEY", API_KEY],
        ["AZURE_OPENAI_ENDPOINT", server.url],
        ["AZURE_OPENAI_API_VERSION", ""],
        ["AZURE_OPENAI_DEPLOYMENT", " "],
        ["AZURE_OPENAI_AD_TOKEN", ""]
      ])
      const blankEndpoint = yield* Effect.exit(
        fromConfig([
          ["AZURE_OPENAI_API_KEY", API_KEY],
          ["AZURE_OPENAI_ENDPOINT", ""]
        ])
      )

      yield* llm.chat(hello())

      const request = onlyRequest(server)
      assert.strictEqual(request.path, `/openai/deployments/gpt-4o/chat/completions?api-version=${GA_VERSION}`)
      assert.strictEqual(request.headers["api-key"], API_KEY)
      assert.isTrue(Exit.isFailure(blankEndpoint) && Cause.failureOption(blankEndpoint.cause)._tag === "Some")
    }).pipe(Effect.scoped)
  )

  it.effect("options carry what no variable can: a token provider, then no key variable is needed", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig(
        [["AZURE_OPENAI_ENDPOINT", server.url]],
        {},
        { azureAdToken: () => "token-from-fn-1" }
      )

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).headers.authorization, "Bearer token-from-fn-1")
    }).pipe(Effect.scoped)
  )
})

describe("Azure Entra ID tokens", () => {
  it.effect("a fixed token goes as Authorization: Bearer, without api-key", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({
        apiKey: undefined,
        azureAdToken: Redacted.make("static-token-12345678")
      })

      yield* llm.chat(hello())

      const request = onlyRequest(server)
      assert.strictEqual(request.headers.authorization, "Bearer static-token-12345678")
      assert.isUndefined(request.headers["api-key"])
    }).pipe(Effect.scoped)
  )

  it.effect("an Effect token provider is run once per request", () =>
    Effect.gen(function* () {
      let calls = 0
      const provider = Effect.sync(() => `effect-token-${++calls}`)
      const { server, llm } = yield* harness({ apiKey: undefined, azureAdToken: provider })

      yield* llm.chat(hello())
      yield* collect(llm.stream(hello()))
      yield* llm.embed({ model: "text-embedding-3-small", input: "x" })

      assert.strictEqual(calls, 3)
      assert.deepStrictEqual(
        server.requests.map((request) => request.headers.authorization),
        ["Bearer effect-token-1", "Bearer effect-token-2", "Bearer effect-token-3"]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("an async token provider works too, and the fake server checks the bearer token", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness(
        { apiKey: undefined, azureAdToken: async () => Redacted.make(API_KEY) },
        { apiKey: API_KEY }
      )
      const wrong = yield* harness(
        { apiKey: undefined, azureAdToken: async () => "expired-token-000000" },
        { apiKey: API_KEY }
      )

      const response = yield* llm.chat(hello())
      const error = yield* Effect.flip(wrong.llm.chat(hello()))

      assert.strictEqual(response.content, "Hello")
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.include(error.message, "Access token is missing, invalid, audience is incorrect")
    }).pipe(Effect.scoped)
  )

  it.effect("a failing token provider fails the call with AuthenticationError before any request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({
        apiKey: undefined,
        azureAdToken: async () => {
          throw new Error("no managed identity endpoint")
        }
      })

      const chatError = yield* Effect.flip(llm.chat(hello()))
      const { chunks, error: streamError } = yield* collect(llm.stream(hello()))

      assert.strictEqual(chatError._tag, "AuthenticationError")
      assert.strictEqual(chatError.provider, "azure")
      assert.strictEqual(chatError.model, "gpt-4o")
      assert.include(chatError.message, "the Entra ID token provider failed: no managed identity endpoint")
      assert.deepStrictEqual(chunks, [])
      assert.strictEqual(streamError?._tag, "AuthenticationError")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("a provider failing with an LlmError keeps it (so it can be retryable); an empty token is refused", () =>
    Effect.gen(function* () {
      const transient = yield* harness({
        apiKey: undefined,
        azureAdToken: Effect.fail(new ProviderError({ message: "token endpoint 503", provider: "azure" }))
      })
      const empty = yield* harness({ apiKey: undefined, azureAdToken: () => "  " })

      const kept = yield* Effect.flip(transient.llm.chat(hello()))
      const refused = yield* Effect.flip(empty.llm.chat(hello()))

      assert.strictEqual(kept._tag, "ProviderError")
      assert.strictEqual(kept.retryable, true)
      assert.strictEqual(refused._tag, "AuthenticationError")
      assert.include(refused.message, "returned no token")
      assert.strictEqual(empty.server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("the token never shows in an error, even when the body echoes it", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ apiKey: undefined, azureAdToken: () => "per-request-token-xyz987" })
      server.enqueue(FakeAzure.error(401, "Token per-request-token-xyz987 has expired"))

      const error = yield* Effect.flip(llm.chat(hello()))

      for (const text of renderings(error)) assert.notInclude(text, "per-request-token-xyz987")
    }).pipe(Effect.scoped)
  )
})

describe("Azure options", () => {
  it.effect("a key and a token together, or no address, are refused when the client is built", () =>
    Effect.gen(function* () {
      const transport = yield* Layer.build(HttpTransport.layer)
      const both = yield* Effect.exit(
        Azure.make({ baseUrl: "https://x.openai.azure.com", apiKey: API_KEY, azureAdToken: "t" }).pipe(
          Effect.provide(transport)
        )
      )
      const nowhere = yield* Effect.exit(Azure.make({ apiKey: API_KEY }).pipe(Effect.provide(transport)))

      for (const [exit, says] of [
        [both, "give apiKey or azureAdToken, not both"],
        [nowhere, "give resourceName or baseUrl"]
      ] as const) {
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
        assert.include(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "", says)
      }
    }).pipe(Effect.scoped)
  )

  it("resolves the resource name, the SDKs' /openai base and the v1 base", () => {
    const byName = resolveEndpoint({ resourceName: "contoso" })
    assert.strictEqual(byName.route, "deployments")
    assert.strictEqual(byName.baseUrl, "https://contoso.openai.azure.com/openai")
    assert.strictEqual(byName.paths.chat("gpt-4o"), `/deployments/gpt-4o/chat/completions?api-version=${GA_VERSION}`)
    assert.strictEqual(byName.paths.embeddings("e3"), `/deployments/e3/embeddings?api-version=${GA_VERSION}`)

    const sdkBase = resolveEndpoint({ baseUrl: "https://contoso.openai.azure.com/openai/", resourceName: "other" })
    assert.strictEqual(sdkBase.baseUrl, "https://contoso.openai.azure.com/openai")

    const v1 = resolveEndpoint({ baseUrl: "https://contoso.services.ai.azure.com/openai/v1/", apiVersion: "preview" })
    assert.strictEqual(v1.route, "v1")
    assert.strictEqual(v1.baseUrl, "https://contoso.services.ai.azure.com/openai/v1")
    assert.strictEqual(v1.paths.chat("x"), "/chat/completions?api-version=preview")

    const proxied = resolveEndpoint({ baseUrl: "https://gateway.example.com/azure", route: "v1", deployment: "d1" })
    assert.strictEqual(proxied.baseUrl, "https://gateway.example.com/azure/openai/v1")
    assert.strictEqual(proxied.chatModel("gpt-4o"), "d1")

    const back = resolveEndpoint({ baseUrl: "https://contoso.openai.azure.com/openai/v1", route: "deployments" })
    assert.strictEqual(back.baseUrl, "https://contoso.openai.azure.com/openai")
    assert.strictEqual(Azure.DEFAULT_API_VERSION, GA_VERSION)
  })
})
