import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import {
  collect,
  compatible,
  fold,
  hello,
  jsonReply,
  onlyRequest,
  runTest,
  sseReply,
  startServer,
  v1,
  weatherTool
} from "./harness.js"

// vLLM runs without a key unless it was started with --api-key.
const vllm = (url: string) => compatible({ preset: "vllm", baseUrl: url })

const reasoningOf = (chunks: ReadonlyArray<StreamChunk>) =>
  chunks.filter((chunk) => chunk.reasoningDelta !== undefined).map((chunk) => chunk.reasoningDelta)

describe("vLLM reasoning", () => {
  it.effect("reads delta.reasoning (the current name) and the include_usage chunk with choices: []", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("vllm", "reasoning-stream.sse"))
        const llm = yield* vllm(v1(server))

        const chunks = yield* collect(llm.stream(hello("Qwen/Qwen3-8B")))
        assert.deepStrictEqual(reasoningOf(chunks), ["Simple greeting", ", answer briefly."])
        const last = chunks[chunks.length - 1]!
        assert.strictEqual(last.delta, "")
        assert.deepStrictEqual(last.usage, { inputTokens: 12, outputTokens: 12, totalTokens: 24 })

        const response = fold(chunks, "vllm", "Qwen/Qwen3-8B")
        assert.strictEqual(response.reasoning, "Simple greeting, answer briefly.")
        assert.strictEqual(response.content, "Hi!")
        assert.strictEqual(response.finishReason, "stop")
        assert.isUndefined(onlyRequest(server).headers.authorization)
      })
    )
  )

  it.effect("reads delta.reasoning_content (the name before vLLM renamed it)", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("vllm", "reasoning-content-stream.sse"))
        const llm = yield* vllm(v1(server))

        const chunks = yield* collect(llm.stream(hello("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")))
        assert.deepStrictEqual(reasoningOf(chunks), ["Two plus two", " is four."])
        const response = fold(chunks, "vllm", "r1")
        assert.strictEqual(response.reasoning, "Two plus two is four.")
        assert.strictEqual(response.content, "4")
      })
    )
  )

  it.effect("counts reasoning once when a delta carries both names with the same text", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("vllm", "both-reasoning-names-stream.sse"))
        const llm = yield* vllm(v1(server))

        const response = fold(yield* collect(llm.stream(hello("Qwen/Qwen3-8B"))), "vllm", "Qwen/Qwen3-8B")
        assert.strictEqual(response.reasoning, "Think once.")
        assert.strictEqual(response.content, "Done.")
      })
    )
  )

  it.effect("passes vLLM's extra sampling and template fields through providerOptions.vllm", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* vllm(v1(server))
        yield* llm.chat({
          ...hello("Qwen/Qwen3-8B"),
          providerOptions: { vllm: { top_k: 20, min_p: 0.05, chat_template_kwargs: { enable_thinking: false } } }
        })
        const { body } = onlyRequest(server)
        assert.strictEqual(body.top_k, 20)
        assert.strictEqual(body.min_p, 0.05)
        assert.deepStrictEqual(body.chat_template_kwargs, { enable_thinking: false })
      })
    )
  )
})

describe("vLLM tool calls", () => {
  it.effect("gives tool calls whose index starts at 3 the dense indices 0 and 1", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("vllm", "tool-calls-offset-index.sse"))
        const llm = yield* vllm(v1(server))

        const chunks = yield* collect(
          llm.stream({ ...hello("meta-llama/Llama-3.1-8B-Instruct"), tools: [weatherTool] })
        )
        const deltas = chunks.flatMap((chunk) => chunk.toolCallDeltas ?? [])
        assert.deepStrictEqual(
          deltas.map((delta) => delta.index),
          [0, 0, 0, 1, 1]
        )
        const response = fold(chunks, "vllm", "llama")
        assert.deepStrictEqual(response.toolCalls, [
          { id: "chatcmpl-tool-4a1b2c3d", name: "get_weather", arguments: '{"city": "Oslo"}' },
          { id: "chatcmpl-tool-5e6f7a8b", name: "get_time", arguments: '{"zone": "CET"}' }
        ])
        assert.strictEqual(response.finishReason, "tool_calls")
      })
    )
  )

  it.effect("folds tool-call deltas without index: a new id starts a call, fragments without id continue it", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("vllm", "tool-calls-no-index.sse"))
        const llm = yield* vllm(v1(server))

        const chunks = yield* collect(
          llm.stream({ ...hello("mistralai/Mistral-7B-Instruct-v0.3"), tools: [weatherTool] })
        )
        const deltas = chunks.flatMap((chunk) => chunk.toolCallDeltas ?? [])
        assert.deepStrictEqual(
          deltas.map((delta) => [delta.index, delta.id ?? null, delta.argumentsDelta]),
          [
            [0, "Ab3dE5gH7", '{"city"'],
            [0, null, ': "Rome"}'],
            [1, "Zy9xW7vU5", '{"zone"'],
            [1, null, ': "CET"}']
          ]
        )
        const response = fold(chunks, "vllm", "mistral-7b")
        assert.deepStrictEqual(response.toolCalls, [
          { id: "Ab3dE5gH7", name: "get_weather", arguments: '{"city": "Rome"}' },
          { id: "Zy9xW7vU5", name: "get_time", arguments: '{"zone": "CET"}' }
        ])
      })
    )
  )
})

describe("vLLM errors", () => {
  it.effect("reads the flat error body of vLLM before 0.10.1 and sees a context-length error", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("vllm", "context-length-flat.json", { status: 400 }))
        const llm = yield* vllm(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("Qwen/Qwen3-8B")))
        assert.strictEqual(error._tag, "ContextLengthError")
        assert.strictEqual(error.provider, "vllm")
        assert.strictEqual(error.status, 400)
        assert.isFalse(error.retryable)
        assert.include(error.message, "maximum context length is 2048 tokens")
      })
    )
  )

  it.effect("reads the nested error body of vLLM 0.10.1 and later, whose code is the HTTP status", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("vllm", "model-not-found-nested.json", { status: 404 }))
        const llm = yield* vllm(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("llama-3-70b")))
        assert.strictEqual(error._tag, "NotFoundError")
        assert.strictEqual(error.status, 404)
        assert.include(error.message, "The model `llama-3-70b` does not exist.")
      })
    )
  )

  it.effect("reads a FastAPI {detail} body", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("vllm", "detail.json", { status: 400 }))
        const llm = yield* vllm(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("Qwen/Qwen3-8B")))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(error.status, 400)
        assert.include(error.message, "There was an error parsing the body")
        assert.notInclude(error.message, "detail")
      })
    )
  )

  it.effect("reads the {error: 'Unauthorized'} body of a server started with --api-key", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("vllm", "unauthorized.json", { status: 401 }))
        const llm = yield* vllm(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("Qwen/Qwen3-8B")))
        assert.strictEqual(error._tag, "AuthenticationError")
        assert.include(error.message, "Unauthorized")
        assert.isFalse(error.retryable)
      })
    )
  )

  it.effect("delivers the chunks before an in-stream error event, then fails with the server's message", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("vllm", "stream-error.sse"))
        const llm = yield* vllm(v1(server))

        const seen: Array<StreamChunk> = []
        const error = yield* Effect.flip(
          Stream.runForEach(llm.stream(hello("Qwen/Qwen3-8B")), (chunk) => Effect.sync(() => seen.push(chunk)))
        )
        assert.strictEqual(seen.map((chunk) => chunk.delta).join(""), "Partial")
        assert.strictEqual(error._tag, "ProviderError")
        assert.include(error.message, "Engine loop has died")
      })
    )
  )
})

describe("vLLM embeddings", () => {
  it.effect("asks for float by default and still decodes a base64 answer", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("vllm", "embeddings-base64.json"))
        const llm = yield* vllm(v1(server))

        const response = yield* llm.embed({ model: "BAAI/bge-small-en-v1.5", input: ["a", "b"] })
        assert.strictEqual(onlyRequest(server).body.encoding_format, "float")
        assert.deepStrictEqual(response.embeddings, [
          [0.25, -0.5, 1, 0.125],
          [-1, 0.5, 0.75, -0.25]
        ])
        assert.strictEqual(response.model, "BAAI/bge-small-en-v1.5")
        assert.strictEqual(response.usage.inputTokens, 9)
      })
    )
  )

  it.effect("sends encoding_format base64 when the request asks for it", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("vllm", "embeddings-base64.json"))
        const llm = yield* vllm(v1(server))

        yield* llm.embed({ model: "BAAI/bge-small-en-v1.5", input: ["a", "b"], encodingFormat: "base64" })
        assert.strictEqual(onlyRequest(server).body.encoding_format, "base64")
      })
    )
  )
})
