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

const deepseek = (url: string) => compatible({ preset: "deepseek", baseUrl: url, apiKey: "sk-deepseek-test" })

describe("DeepSeek", () => {
  it.effect("streams reasoning_content before content: reasoningDelta chunks first, then text", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("deepseek", "reasoner-stream.sse"))
        const llm = yield* deepseek(v1(server))

        const chunks = yield* collect(llm.stream(hello("deepseek-reasoner")))
        const reasoning = chunks.filter((chunk) => chunk.reasoningDelta !== undefined)
        const text = chunks.filter((chunk) => chunk.delta.length > 0)
        assert.deepStrictEqual(
          reasoning.map((chunk) => chunk.reasoningDelta),
          ["Compare 9.11 and 9.8:", " tenths 1 < 8."]
        )
        assert.deepStrictEqual(
          text.map((chunk) => chunk.delta),
          ["9.8", " is larger."]
        )
        assert.isBelow(reasoning[reasoning.length - 1]!.index, text[0]!.index)
        // A chunk carries reasoning or text, never the null side of DeepSeek's delta as text.
        for (const chunk of reasoning) assert.strictEqual(chunk.delta, "")

        const response = fold(chunks, "deepseek", "deepseek-reasoner")
        assert.strictEqual(response.id, "4f2b9d0e-7c1a-4e55-9b7e-2d1c8a6f3e90")
        assert.strictEqual(response.model, "deepseek-reasoner")
        assert.strictEqual(response.reasoning, "Compare 9.11 and 9.8: tenths 1 < 8.")
        assert.strictEqual(response.content, "9.8 is larger.")
        assert.strictEqual(response.finishReason, "stop")
        assert.deepStrictEqual(response.usage, {
          inputTokens: 17,
          outputTokens: 42,
          totalTokens: 59,
          reasoningTokens: 31,
          cacheReadTokens: 0
        })
      })
    )
  )

  it.effect("ignores ': keep-alive' comments: they add no chunk and do not end the stream", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("deepseek", "reasoner-stream.sse"))
        const llm = yield* deepseek(v1(server))

        const chunks = yield* collect(llm.stream(hello("deepseek-reasoner")))
        // Six data events: the role opener, two reasoning deltas, two text deltas and the finish chunk.
        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.index),
          [0, 1, 2, 3, 4, 5]
        )
        assert.strictEqual(chunks[0]!.id, "4f2b9d0e-7c1a-4e55-9b7e-2d1c8a6f3e90")
      })
    )
  )

  it.effect("parses a non-streaming body that begins with blank lines (sent while the request waits under load)", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("deepseek", "chat-under-load.json"))
        const llm = yield* deepseek(v1(server))

        const response = yield* llm.chat(hello("deepseek-chat"))
        assert.notProperty(onlyRequest(server).body, "stream")
        assert.strictEqual(response.provider, "deepseek")
        assert.strictEqual(response.id, "930c60df-bf64-41c9-a88e-3ec75f81e00e")
        assert.strictEqual(response.content, "Hello! How can I help you today?")
        assert.strictEqual(response.finishReason, "stop")
        assert.strictEqual(response.rawFinishReason, "stop")
      })
    )
  )

  it.effect("reads prompt_cache_hit_tokens as cacheReadTokens", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("deepseek", "chat-under-load.json"))
        const llm = yield* deepseek(v1(server))

        const response = yield* llm.chat(hello("deepseek-chat"))
        assert.deepStrictEqual(response.usage, {
          inputTokens: 1616,
          outputTokens: 9,
          totalTokens: 1625,
          cacheReadTokens: 1536
        })
      })
    )
  )

  it.effect("maps finish_reason insufficient_system_resource to error and keeps the raw value", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("deepseek", "insufficient-resource-stream.sse"))
        const llm = yield* deepseek(v1(server))

        const chunks = yield* collect(llm.stream(hello("deepseek-reasoner")))
        const response = fold(chunks, "deepseek", "deepseek-reasoner")
        assert.strictEqual(response.finishReason, "error")
        assert.strictEqual(response.rawFinishReason, "insufficient_system_resource")
        assert.strictEqual(response.reasoning, "Let me think")
        assert.strictEqual(response.content, "")
      })
    )
  )

  it.effect("fails a 402 Insufficient Balance with QuotaExceededError that is not retryable", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("deepseek", "insufficient-balance.json", { status: 402 }))
        const llm = yield* deepseek(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("deepseek-chat")))
        assert.strictEqual(error._tag, "QuotaExceededError")
        assert.isFalse(error.retryable)
        assert.strictEqual(error.status, 402)
        assert.strictEqual(error.provider, "deepseek")
        assert.include(error.message, "Insufficient Balance")
      })
    )
  )

  it.effect("fails the stream of a 402 the same way, before any chunk", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("deepseek", "insufficient-balance.json", { status: 402 }))
        const llm = yield* deepseek(v1(server))

        const error = yield* Effect.flip(collect(llm.stream(hello("deepseek-chat"))))
        assert.strictEqual(error._tag, "QuotaExceededError")
        assert.isFalse(error.retryable)
      })
    )
  )

  it.effect("answers embed with UnsupportedError and sends no request", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* deepseek(v1(server))
        assert.isFalse(llm.capabilities.embed)

        const error = yield* Effect.flip(llm.embed({ model: "deepseek-embed", input: "hello" }))
        assert.strictEqual(error._tag, "UnsupportedError")
        assert.strictEqual(error.provider, "deepseek")
        assert.strictEqual(server.requests.length, 0)
      })
    )
  )

  it.effect("sends maxTokens as max_tokens and keeps OpenAI's spelling of the other fields", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* deepseek(v1(server))
        yield* llm.chat({
          model: "deepseek-reasoner",
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Hi" }
          ],
          maxTokens: 512,
          seed: 7
        })
        const { body, headers, path } = onlyRequest(server)
        assert.strictEqual(path, "/v1/chat/completions")
        assert.strictEqual(headers.authorization, "Bearer sk-deepseek-test")
        assert.strictEqual(body.max_tokens, 512)
        assert.notProperty(body, "max_completion_tokens")
        assert.strictEqual(body.seed, 7)
        // deepseek-reasoner is not an OpenAI o-series model: the system prompt stays a system message.
        assert.deepStrictEqual(body.messages, [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" }
        ])
      })
    )
  )

  it.effect("sends the reasoning of the current tool loop back as reasoning_content (thinking mode requires it)", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* deepseek(v1(server))
        yield* llm.chat({
          model: "deepseek-reasoner",
          messages: [
            { role: "user", content: "Weather in Paris?" },
            {
              role: "assistant",
              content: "",
              reasoning: "I should call get_weather.",
              toolCalls: [
                { id: "call_00_IhCAliIHtM9gKpgfqbBV9873", name: "get_weather", arguments: '{"city":"Paris"}' }
              ]
            },
            { role: "tool", toolCallId: "call_00_IhCAliIHtM9gKpgfqbBV9873", content: '{"temp":21}' }
          ],
          tools: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }]
        })
        const messages = onlyRequest(server).body.messages as ReadonlyArray<Record<string, unknown>>
        assert.strictEqual(messages[1]!.role, "assistant")
        assert.strictEqual(messages[1]!.reasoning_content, "I should call get_weather.")
      })
    )
  )
})
