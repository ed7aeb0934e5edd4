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
  v1
} from "./harness.js"

// DashScope compatible mode: the same /chat/completions under /compatible-mode/v1.
const qwen = (url: string) => compatible({ preset: "qwen", baseUrl: url, apiKey: "sk-dashscope-test" })

describe("Qwen (DashScope compatible mode)", () => {
  it.effect("asks for usage and reads it from the final include_usage chunk whose choices are empty", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("qwen", "thinking-stream.sse"))
        const llm = yield* qwen(v1(server))

        const chunks = yield* collect(llm.stream(hello("qwen-plus")))
        assert.deepStrictEqual(onlyRequest(server).body.stream_options, { include_usage: true })
        const last = chunks[chunks.length - 1]!
        assert.strictEqual(last.delta, "")
        assert.isUndefined(last.finishReason)
        assert.deepStrictEqual(last.usage, {
          inputTokens: 11,
          outputTokens: 24,
          totalTokens: 35,
          reasoningTokens: 20,
          cacheReadTokens: 0
        })
        // The finish reason came one chunk earlier and survives the usage-only chunk.
        const response = fold(chunks, "qwen", "qwen-plus")
        assert.strictEqual(response.finishReason, "stop")
        assert.strictEqual(response.usage.totalTokens, 35)
      })
    )
  )

  it.effect("streams thinking from reasoning_content, multibyte text intact", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("qwen", "thinking-stream.sse"))
        const llm = yield* qwen(v1(server))

        const response = fold(yield* collect(llm.stream(hello("qwen-plus"))), "qwen", "qwen-plus")
        assert.strictEqual(response.id, "chatcmpl-d2d6aab7-cbca-970f-8aa6-7d58c9724733")
        assert.strictEqual(response.reasoning, "用户在打招呼，简单回应。")
        assert.strictEqual(response.content, "你好！")
      })
    )
  )

  it.effect("passes enable_thinking and thinking_budget through providerOptions.qwen as top-level fields", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("qwen", "thinking-stream.sse"))
        const llm = yield* qwen(v1(server))

        yield* collect(
          llm.stream({
            ...hello("qwen-plus"),
            providerOptions: { qwen: { enable_thinking: true, thinking_budget: 512 } }
          })
        )
        const { body } = onlyRequest(server)
        assert.strictEqual(body.enable_thinking, true)
        assert.strictEqual(body.thinking_budget, 512)
        assert.notProperty(body, "extra_body")
      })
    )
  )

  it.effect("reads the {error: {code, message, type}, request_id} body", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        // DashScope puts the request id in the body, not in a header.
        server.enqueue(
          jsonReply("qwen", "enable-thinking-non-streaming.json", { status: 400, withoutHeaders: ["x-request-id"] })
        )
        const llm = yield* qwen(v1(server))

        const error = yield* Effect.flip(
          llm.chat({ ...hello("qwen3-8b"), providerOptions: { qwen: { enable_thinking: true } } })
        )
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(error.provider, "qwen")
        assert.strictEqual(error.status, 400)
        assert.strictEqual(error.code, "invalid_parameter_error")
        assert.strictEqual(error.requestId, "0e1f2a3b-4c5d-9e6f-8a7b-1c2d3e4f5a6b")
        assert.include(error.message, "parameter.enable_thinking must be set to false for non-streaming calls")
      })
    )
  )

  it.effect("treats Arrearage (an overdue account, sent as 400) as QuotaExceededError, never retried", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("qwen", "arrearage.json", { status: 400 }))
        const llm = yield* qwen(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("qwen-plus")))
        assert.strictEqual(error._tag, "QuotaExceededError")
        assert.isFalse(error.retryable)
        assert.strictEqual(error.code, "Arrearage")
        assert.include(error.message, "Access denied, please make sure your account is in good standing")
      })
    )
  )
})
