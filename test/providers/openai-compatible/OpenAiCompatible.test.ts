import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { LlmClient } from "../../../src/core/LlmClient.js"
import * as OpenAiCompatible from "../../../src/providers/openai-compatible/OpenAiCompatible.js"
import { FakeOpenAi, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import {
  collect,
  compatible,
  fold,
  hello,
  onlyRequest,
  runTest,
  sseReply,
  startServer,
  v1,
  weatherTool
} from "./harness.js"

const configFrom = (entries: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

describe("OpenAiCompatible with a base URL", () => {
  it.effect("reports the given name in responses and stream chunks fold under it", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* compatible({ baseUrl: v1(server), name: "my-llama" })
        assert.strictEqual(llm.provider, "my-llama")

        const response = yield* llm.chat(hello("llama-3.1-8b"))
        assert.strictEqual(response.provider, "my-llama")
        assert.strictEqual(response.content, "Hello")
        assert.strictEqual(onlyRequest(server).path, "/v1/chat/completions")
      })
    )
  )

  it.effect("reports the given name in errors, in the field and in the message", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(FakeOpenAi.error(503, "engine is overloaded", { type: "server_error" }))
        const llm = yield* compatible({ baseUrl: v1(server), name: "my-llama" })

        const error = yield* Effect.flip(llm.chat(hello("llama-3.1-8b")))
        assert.strictEqual(error._tag, "ProviderError")
        assert.strictEqual(error.provider, "my-llama")
        assert.strictEqual(error.model, "llama-3.1-8b")
        assert.strictEqual(error.status, 503)
        assert.include(error.message, "my-llama")
        assert.include(error.message, "engine is overloaded")
        assert.isTrue(error.retryable)
      })
    )
  )

  it.effect("is called openai-compatible when no name is given", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* compatible({ baseUrl: v1(server) })
        const response = yield* llm.chat(hello("local"))
        assert.strictEqual(llm.provider, "openai-compatible")
        assert.strictEqual(response.provider, "openai-compatible")
      })
    )
  )

  it.effect("sends no Authorization header without a key (local servers)", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* compatible({ baseUrl: v1(server), name: "local" })
        yield* llm.chat(hello("local"))
        const request = onlyRequest(server)
        assert.isUndefined(request.headers.authorization)
        assert.strictEqual(request.headers["content-type"], "application/json")
      })
    )
  )

  it.effect("sends the key as a bearer token, and extra headers, when given", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* compatible({
          baseUrl: `${v1(server)}/`,
          name: "gateway",
          apiKey: Redacted.make("sk-local-123"),
          headers: { "x-tenant": "blue" }
        })
        yield* llm.chat(hello("local"))
        const request = onlyRequest(server)
        assert.strictEqual(request.headers.authorization, "Bearer sk-local-123")
        assert.strictEqual(request.headers["x-tenant"], "blue")
        // A trailing slash on the base URL does not double the slash in the path.
        assert.strictEqual(request.path, "/v1/chat/completions")
      })
    )
  )

  it.effect("merges providerOptions[name] into the body, and ignores other providers' entries", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* compatible({ baseUrl: v1(server), name: "my-llama" })
        yield* llm.chat({
          ...hello("llama-3.1-8b"),
          temperature: 0.2,
          providerOptions: {
            "my-llama": { top_k: 40, repetition_penalty: 1.1, temperature: 0.7 },
            openai: { store: true }
          }
        })
        const { body } = onlyRequest(server)
        assert.strictEqual(body.top_k, 40)
        assert.strictEqual(body.repetition_penalty, 1.1)
        // The provider's own entry is merged last, so it may override a field the SDK set.
        assert.strictEqual(body.temperature, 0.7)
        assert.notProperty(body, "store")
      })
    )
  )

  it.effect("asks for usage in streams with stream_options by default", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* compatible({ baseUrl: v1(server), name: "local" })
        const chunks = yield* collect(llm.stream(hello("local")))
        const { body } = onlyRequest(server)
        assert.strictEqual(body.stream, true)
        assert.deepStrictEqual(body.stream_options, { include_usage: true })
        assert.strictEqual(fold(chunks, "local", "local").content, "Hello")
      })
    )
  )
})

describe("OpenAiCompatible with servers that bend the stream format", () => {
  it.effect("completes a stream that ends after the finish chunk without data: [DONE]", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("generic", "no-done-stream.sse"))
        const llm = yield* compatible({ baseUrl: v1(server), name: "local" })

        const chunks = yield* collect(llm.stream(hello("local-model")))
        const response = fold(chunks, "local", "local-model")
        assert.strictEqual(response.content, "All done.")
        assert.strictEqual(response.finishReason, "stop")
        assert.deepStrictEqual(response.usage, { inputTokens: 5, outputTokens: 3, totalTokens: 8 })
      })
    )
  )

  it.effect("reads chunks that have no object key and no finish_reason key", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("generic", "bare-chunks-stream.sse"))
        const llm = yield* compatible({ baseUrl: v1(server), name: "local" })

        const chunks = yield* collect(llm.stream(hello("local-model")))
        // Only the last chunk says why the answer ended; the others carry no finish reason at all.
        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.finishReason),
          chunks.map((_, i) => (i === chunks.length - 1 ? "length" : undefined))
        )
        const response = fold(chunks, "local", "local-model")
        assert.strictEqual(response.id, "cmpl-2")
        assert.strictEqual(response.content, "Bare chunks.")
        assert.strictEqual(response.finishReason, "length")
      })
    )
  )

  it.effect("maps finish_reason stop after tool-call deltas to tool_calls, keeping the raw value", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("generic", "stop-after-tool-calls-stream.sse"))
        const llm = yield* compatible({ baseUrl: v1(server), name: "local" })

        const chunks = yield* collect(llm.stream({ ...hello("local-model"), tools: [weatherTool] }))
        const last = chunks[chunks.length - 1]!
        assert.strictEqual(last.finishReason, "tool_calls")
        assert.strictEqual(last.rawFinishReason, "stop")
        const response = fold(chunks, "local", "local-model")
        assert.deepStrictEqual(response.toolCalls, [{ id: "call_0", name: "lookup", arguments: '{"q":"effect"}' }])
      })
    )
  )

  it.effect("fails a stream cut before any finish reason instead of ending it quietly", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("generic", "no-done-stream.sse", { cutAfter: 2 }))
        const llm = yield* compatible({ baseUrl: v1(server), name: "local" })

        const error = yield* Effect.flip(collect(llm.stream(hello("local-model"))))
        assert.strictEqual(error._tag, "NetworkError")
        assert.strictEqual(error.provider, "local")
        assert.isTrue(error.retryable)
      })
    )
  )
})

describe("OpenAiCompatible.layerConfig", () => {
  it.effect("reads DEEPSEEK_API_KEY and DEEPSEEK_BASE_URL", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const layer = OpenAiCompatible.layerConfig("deepseek").pipe(
          Layer.provide(configFrom({ DEEPSEEK_API_KEY: "sk-from-env", DEEPSEEK_BASE_URL: v1(server) }))
        )
        const llm = yield* Effect.provide(LlmClient, layer)
        const response = yield* llm.chat(hello("deepseek-chat"))

        assert.strictEqual(response.provider, "deepseek")
        const request = onlyRequest(server)
        assert.strictEqual(request.path, "/v1/chat/completions")
        assert.strictEqual(request.headers.authorization, "Bearer sk-from-env")
      })
    )
  )

  it.effect("fails with a ConfigError naming DEEPSEEK_API_KEY when the key is missing", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const layer = OpenAiCompatible.layerConfig("deepseek").pipe(
          Layer.provide(configFrom({ DEEPSEEK_BASE_URL: v1(server) }))
        )
        const error = yield* Effect.flip(Effect.provide(LlmClient, layer))
        assert.isTrue(ConfigError.isConfigError(error))
        assert.include(String(error), "DEEPSEEK_API_KEY")
        assert.strictEqual(server.requests.length, 0)
      })
    )
  )

  it.effect("builds vLLM without any key and sends no Authorization header", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const layer = OpenAiCompatible.layerConfig("vllm").pipe(
          Layer.provide(configFrom({ VLLM_BASE_URL: v1(server) }))
        )
        const llm = yield* Effect.provide(LlmClient, layer)
        const response = yield* llm.chat(hello("Qwen/Qwen3-8B"))
        assert.strictEqual(response.provider, "vllm")
        assert.isUndefined(onlyRequest(server).headers.authorization)
      })
    )
  )

  it.effect("uses VLLM_API_KEY when the server was started with --api-key", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const layer = OpenAiCompatible.layerConfig("vllm").pipe(
          Layer.provide(configFrom({ VLLM_BASE_URL: v1(server), VLLM_API_KEY: "token-abc123" }))
        )
        const llm = yield* Effect.provide(LlmClient, layer)
        yield* llm.chat(hello("Qwen/Qwen3-8B"))
        assert.strictEqual(onlyRequest(server).headers.authorization, "Bearer token-abc123")
      })
    )
  )

  it.effect("lets an explicit baseUrl override win over the environment", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const layer = OpenAiCompatible.layerConfig("groq", { baseUrl: v1(server) }).pipe(
          Layer.provide(configFrom({ GROQ_API_KEY: "gsk_test", GROQ_BASE_URL: "http://127.0.0.1:9/unused" }))
        )
        const llm = yield* Effect.provide(LlmClient, layer)
        yield* llm.chat(hello("llama-3.3-70b-versatile"))
        assert.strictEqual(onlyRequest(server).headers.authorization, "Bearer gsk_test")
      })
    )
  )
})

describe("OpenAiCompatible.presets", () => {
  it("point local servers at their default ports and need no key", () => {
    const { lmstudio, localai, vllm } = OpenAiCompatible.presets
    const local = new Set(["localhost", "127.0.0.1"])
    for (const [preset, port] of [
      [lmstudio, "1234"],
      [localai, "8080"],
      [vllm, "8000"]
    ] as const) {
      const url = new URL(preset.baseUrl)
      assert.isTrue(local.has(url.hostname), preset.baseUrl)
      assert.strictEqual(url.port, port)
      assert.strictEqual(url.pathname, "/v1")
      assert.isFalse(preset.requiresApiKey)
    }
    assert.strictEqual(lmstudio.apiKeyEnv, "LMSTUDIO_API_KEY")
    assert.strictEqual(localai.baseUrlEnv, "LOCALAI_BASE_URL")
  })

  it("point hosted vendors at their documented addresses and require their vendor's key", () => {
    const { deepseek, mistral, qwen, groq } = OpenAiCompatible.presets
    assert.strictEqual(deepseek.baseUrl, "https://api.deepseek.com")
    assert.strictEqual(mistral.baseUrl, "https://api.mistral.ai/v1")
    assert.strictEqual(groq.baseUrl, "https://api.groq.com/openai/v1")
    assert.strictEqual(qwen.baseUrl, "https://dashscope-intl.aliyuncs.com/compatible-mode/v1")
    assert.deepStrictEqual(
      [deepseek, mistral, qwen, groq].map((preset) => [preset.apiKeyEnv, preset.requiresApiKey]),
      [
        ["DEEPSEEK_API_KEY", true],
        ["MISTRAL_API_KEY", true],
        ["DASHSCOPE_API_KEY", true],
        ["GROQ_API_KEY", true]
      ]
    )
  })

  it.effect("a preset's baseUrl can be moved, and its name stays the preset's", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(FakeReply.json(FakeOpenAi.chatCompletion("ok", { model: "qwen2.5-7b-instruct" })))
        const llm = yield* compatible({ preset: "lmstudio", baseUrl: v1(server) })
        const response = yield* llm.chat(hello("qwen2.5-7b-instruct"))
        assert.strictEqual(response.provider, "lmstudio")
        assert.strictEqual(response.content, "ok")
        assert.isUndefined(onlyRequest(server).headers.authorization)
      })
    )
  )
})
