import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { fromStream } from "../../../src/core/ChatResponse.js"
import { FakeProviderServer, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { FakeZhipu } from "../../../src/testing/FakeZhipu.js"
import { collect, harness, hello } from "./helpers.js"

const post = (url: string, body: unknown) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    return { status: response.status, text: await response.text() }
  })

describe("FakeProviderServer's Zhipu dialect", () => {
  it.effect("answers a whole chat in Zhipu's shape (alphabetical keys, request_id) under /api/paas/v4 only", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const zhipu = yield* post(`${server.url}/api/paas/v4/chat/completions`, {
        model: "glm-4.6",
        messages: [{ role: "user", content: "hi" }]
      })
      const openai = yield* post(`${server.url}/v1/chat/completions`, {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }]
      })

      assert.strictEqual(zhipu.status, 200)
      assert.match(zhipu.text, /^\{"choices":\[\{"finish_reason":"stop","index":0,"message":\{"content":"hi"/)
      assert.include(zhipu.text, '"id":"zhipu-fake-1","model":"glm-4.6","request_id":"zhipu-fake-1"')
      assert.include(openai.text, '"object":"chat.completion"')
    }).pipe(Effect.scoped)
  )

  it.effect("answers an unknown Zhipu path with 404 and code 1222", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const answer = yield* post(`${server.url}/api/paas/v4/models`, {})

      assert.strictEqual(answer.status, 404)
      assert.deepStrictEqual(JSON.parse(answer.text), {
        error: { code: "1222", message: "API /api/paas/v4/models does not exist" }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("FakeZhipu scripts whole tool calls in the finish chunk", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.stream(
          FakeZhipu.chatCompletionChunks("", {
            id: "t1",
            reasoning: "查天气",
            toolCalls: [
              { name: "get_weather", arguments: '{"location":"北京"}' },
              { name: "get_time", arguments: "{}" }
            ]
          })
        )
      )

      const { chunks } = yield* collect(llm.stream(hello()))

      const last = chunks[chunks.length - 1]!
      assert.strictEqual(last.finishReason, "tool_calls")
      assert.deepStrictEqual(last.toolCallDeltas, [
        { index: 0, id: "call_t1", name: "get_weather", argumentsDelta: '{"location":"北京"}' },
        { index: 1, id: "call_t1_1", name: "get_time", argumentsDelta: "{}" }
      ])
      assert.strictEqual(last.usage?.reasoningTokens, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("FakeZhipu scripts tool_stream fragments that fold into the same calls", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const toolCalls = [
        { id: "call_a", name: "get_weather", arguments: '{"location":"北京","unit":"celsius"}' },
        { id: "call_b", name: "get_weather", arguments: '{"location":"上海"}' }
      ]
      server.enqueue(FakeReply.stream(FakeZhipu.chatCompletionChunks("", { toolCalls, toolStream: true, chunks: 3 })))

      const response = yield* fromStream(llm.stream(hello()), { provider: "zhipu", model: "glm-4.6" })

      assert.deepStrictEqual(response.toolCalls, toolCalls)
      assert.strictEqual(response.finishReason, "tool_calls")
    }).pipe(Effect.scoped)
  )

  it.effect("FakeZhipu.chatCompletion scripts a whole answer with reasoning and tool calls", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(
          FakeZhipu.chatCompletion("", {
            reasoning: "想一想",
            toolCalls: [{ id: "call_x", name: "get_weather", arguments: "{}" }],
            cachedTokens: 3,
            promptTokens: 20
          })
        )
      )

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.reasoning, "想一想")
      assert.deepStrictEqual(response.toolCalls, [{ id: "call_x", name: "get_weather", arguments: "{}" }])
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.usage.cacheReadTokens, 3)
      assert.strictEqual(response.usage.inputTokens, 20)
    }).pipe(Effect.scoped)
  )
})
