import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { LlmClient } from "../../../src/core/LlmClient.js"
import * as Ollama from "../../../src/providers/ollama/Ollama.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"
import { API_KEY, harness, hello, onlyRequest } from "./helpers.js"

/** Builds `Ollama.layerConfig(config)` with settings read from `entries` only (never process.env). */
const fromConfig = (entries: ReadonlyArray<readonly [string, string]>, config?: Ollama.OllamaConfig) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    const layer = Ollama.layerConfig(config).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(entries))))
    )
    return yield* LlmClient.pipe(Effect.provide(layer), Effect.provide(transport))
  })

// The forms ollama-python's _parse_host documents, plus the listen address and the /api suffix.
const hosts: ReadonlyArray<readonly [string | undefined, string]> = [
  [undefined, "http://127.0.0.1:11434"],
  ["", "http://127.0.0.1:11434"],
  ["1.2.3.4", "http://1.2.3.4:11434"],
  [":56789", "http://127.0.0.1:56789"],
  ["1.2.3.4:56789", "http://1.2.3.4:56789"],
  ["http://1.2.3.4", "http://1.2.3.4:80"],
  ["https://1.2.3.4", "https://1.2.3.4:443"],
  ["https://1.2.3.4:56789", "https://1.2.3.4:56789"],
  ["example.com", "http://example.com:11434"],
  ["example.com:80", "http://example.com:80"],
  ["example.com:56789/", "http://example.com:56789"],
  ["example.com/path", "http://example.com:11434/path"],
  ["https://example.com:56789/path/", "https://example.com:56789/path"],
  ["[0001:002:003:0004::1]", "http://[1:2:3:4::1]:11434"],
  ["[0001:002:003:0004::1]:56789/path", "http://[1:2:3:4::1]:56789/path"],
  ["localhost", "http://localhost:11434"],
  ["0.0.0.0", "http://127.0.0.1:11434"],
  ["0.0.0.0:11434", "http://127.0.0.1:11434"],
  ["[::]:11434", "http://[::1]:11434"],
  ["https://ollama.com", "https://ollama.com:443"],
  ["https://ollama.com/api", "https://ollama.com:443"],
  ["http://gateway.local:8080/ollama/api/", "http://gateway.local:8080/ollama"],
  ["  HTTP://Example.COM:1234  ", "http://example.com:1234"]
]

describe("Ollama.resolveBaseUrl", () => {
  for (const [host, expected] of hosts) {
    it(`${JSON.stringify(host)} → ${expected}`, () => {
      assert.strictEqual(Ollama.resolveBaseUrl(host), expected)
    })
  }
})

describe("Ollama.layerConfig", () => {
  it.effect("reads OLLAMA_HOST without a scheme and OLLAMA_API_KEY through Config", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: API_KEY })
      const llm = yield* fromConfig([
        ["OLLAMA_HOST", `127.0.0.1:${server.port}`],
        ["OLLAMA_API_KEY", API_KEY]
      ])

      const response = yield* llm.chat(hello())

      assert.strictEqual(llm.provider, "ollama")
      assert.strictEqual(response.content, "Hello")
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/api/chat")
      assert.strictEqual(request.headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )

  it.effect("needs nothing: without variables it builds (for 127.0.0.1:11434) and sends no key", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const bare = yield* fromConfig([])
      // An empty key, as an unset variable exported by a script, means no key.
      const llm = yield* fromConfig([
        ["OLLAMA_HOST", `:${server.port}`],
        ["OLLAMA_API_KEY", ""]
      ])

      yield* llm.chat(hello())

      assert.strictEqual(bare.provider, "ollama")
      assert.isUndefined(onlyRequest(server).headers.authorization)
    }).pipe(Effect.scoped)
  )

  it.effect("takes the Configs it is given in place of the environment names", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* fromConfig(
        [
          ["MY_HOST", server.url],
          ["MY_KEY", "proxy-key-1234567890"],
          ["MY_KEEP_ALIVE", "15m"],
          ["OLLAMA_HOST", "http://127.0.0.1:1"]
        ],
        {
          baseUrl: Config.option(Config.string("MY_HOST")),
          apiKey: Config.option(Config.redacted("MY_KEY")),
          keepAlive: Config.option(Config.string("MY_KEEP_ALIVE"))
        }
      )

      yield* llm.chat(hello())

      const request = onlyRequest(server)
      assert.strictEqual(request.headers.authorization, "Bearer proxy-key-1234567890")
      assert.strictEqual((request.body as { keep_alive: unknown }).keep_alive, "15m")
    }).pipe(Effect.scoped)
  )
})

describe("Ollama base URL", () => {
  it.effect("a base URL ending in /api (as the docs name it) reaches the same routes", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness((url) => ({ baseUrl: `${url}/api/` }))

      yield* llm.chat(hello())

      assert.strictEqual(onlyRequest(server).path, "/api/chat")
    }).pipe(Effect.scoped)
  )

  it.effect("a path prefix (Ollama behind a proxy) is kept", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness((url) => ({ baseUrl: `${url}/ollama` }))

      const error = yield* Effect.flip(llm.chat(hello()))

      // The fake serves Ollama at the root only; the request went to the prefixed path.
      assert.strictEqual(onlyRequest(server).path, "/ollama/api/chat")
      assert.strictEqual(error._tag, "NotFoundError")
    }).pipe(Effect.scoped)
  )

  it.effect("an unusable base URL fails with InvalidRequestError naming baseUrl, before any request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({ baseUrl: "http://exa mple.com" })

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.isTrue(error._tag === "InvalidRequestError" && error.param === "baseUrl")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})
