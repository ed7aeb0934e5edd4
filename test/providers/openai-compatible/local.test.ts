import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
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

describe("LM Studio", () => {
  it.effect("needs no key: no Authorization header by default", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("lmstudio", "completion.json"))
        const llm = yield* compatible({ preset: "lmstudio", baseUrl: v1(server) })
        const response = yield* llm.chat(hello("qwen2.5-7b-instruct"))
        assert.strictEqual(response.provider, "lmstudio")
        assert.isUndefined(onlyRequest(server).headers.authorization)
      })
    )
  )

  it.effect("sends a key once 'Require Authentication' is on", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("lmstudio", "completion.json"))
        const llm = yield* compatible({ preset: "lmstudio", baseUrl: v1(server), apiKey: "lm-studio-token" })
        yield* llm.chat(hello("qwen2.5-7b-instruct"))
        assert.strictEqual(onlyRequest(server).headers.authorization, "Bearer lm-studio-token")
      })
    )
  )

  it.effect("folds a whole chat.completion answered to stream: true into the right response", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(
          jsonReply("lmstudio", "completion.json", { headers: { "content-type": "application/json; charset=utf-8" } })
        )
        const llm = yield* compatible({ preset: "lmstudio", baseUrl: v1(server) })

        const chunks = yield* collect(llm.stream({ ...hello("qwen2.5-7b-instruct"), tools: [weatherTool] }))
        assert.strictEqual(onlyRequest(server).body.stream, true)
        assert.isAbove(chunks.length, 0)
        assert.strictEqual(chunks[0]!.index, 0)

        const response = fold(chunks, "lmstudio", "qwen2.5-7b-instruct")
        assert.strictEqual(response.id, "chatcmpl-3v4x9q2m1k8r7t6y5u")
        assert.strictEqual(response.content, "Let me check.")
        assert.deepStrictEqual(response.toolCalls, [
          { id: "365174485", name: "get_weather", arguments: '{"city":"Berlin"}' }
        ])
        assert.strictEqual(response.finishReason, "tool_calls")
        assert.deepStrictEqual(response.usage, { inputTokens: 120, outputTokens: 22, totalTokens: 142 })
      })
    )
  )
})

describe("LocalAI", () => {
  it.effect("needs no key and folds a stream whose every chunk carries running usage", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("localai", "text-stream.sse"))
        const llm = yield* compatible({ preset: "localai", baseUrl: v1(server) })

        const chunks = yield* collect(llm.stream(hello("llama-3.2-1b-instruct")))
        assert.isUndefined(onlyRequest(server).headers.authorization)
        const response = fold(chunks, "localai", "llama-3.2-1b-instruct")
        assert.strictEqual(response.provider, "localai")
        assert.strictEqual(response.content, "Hi there")
        assert.strictEqual(response.finishReason, "stop")
        // The last report wins: LocalAI's first chunk says zero tokens.
        assert.deepStrictEqual(response.usage, { inputTokens: 14, outputTokens: 2, totalTokens: 16 })
      })
    )
  )

  it.effect("keys tool calls by index when every call carries the same id (LocalAI reuses the response id)", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("localai", "tool-calls-shared-id.sse"))
        const llm = yield* compatible({ preset: "localai", baseUrl: v1(server) })

        const chunks = yield* collect(llm.stream({ ...hello("hermes-2-pro-mistral"), tools: [weatherTool] }))
        const response = fold(chunks, "localai", "hermes-2-pro-mistral")
        const id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
        assert.deepStrictEqual(response.toolCalls, [
          { id, name: "get_weather", arguments: '{"city":"Madrid"}' },
          { id, name: "get_time", arguments: '{"zone":"CET"}' }
        ])
        assert.strictEqual(response.finishReason, "tool_calls")
      })
    )
  )
})
