import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { FinishReason } from "../../../src/core/FinishReason.js"
import type { Message } from "../../../src/core/Message.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { FakeZhipu } from "../../../src/testing/FakeZhipu.js"
import { API_KEY, collect, harness, hello, onlyBody, onlyRequest, sseReply, weatherTool } from "./helpers.js"

describe("Zhipu streaming", () => {
  it.effect("streams text in Zhipu's framing: identity first, finish reason and usage on the last chunk", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("text-stream.sse"))

      const { chunks, error } = yield* collect(llm.stream(hello("glm-4.5")))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, [
        { index: 0, delta: "你好", id: "2025081814023662804f889e1d4242", model: "glm-4.5", created: 1755496956 },
        { index: 1, delta: "！我是" },
        { index: 2, delta: "智谱清言" },
        {
          index: 3,
          delta: "",
          finishReason: "stop",
          rawFinishReason: "stop",
          usage: { inputTokens: 13, outputTokens: 9, totalTokens: 22, cacheReadTokens: 0 }
        }
      ])
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/api/paas/v4/chat/completions")
      assert.strictEqual(request.headers.authorization, `Bearer ${API_KEY}`)
      assert.strictEqual(request.headers.accept, "text/event-stream")
      const body = onlyBody(server)
      assert.strictEqual(body.stream, true)
      // Zhipu sends usage on the last chunk unasked; stream_options is not in its schema.
      assert.notProperty(body, "stream_options")
    }).pipe(Effect.scoped)
  )

  it.effect("streams thinking from reasoning_content before the answer, with cached and reasoning tokens", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("reasoning-stream.sse"))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(
        chunks.map((chunk) => [chunk.reasoningDelta ?? null, chunk.delta]),
        [
          ["用户", ""],
          ["在打招呼", ""],
          ["，简单回应即可。", ""],
          [null, "你好"],
          [null, "！有什么可以帮你？"],
          [null, ""]
        ]
      )
      assert.deepStrictEqual(chunks[chunks.length - 1]!.usage, {
        inputTokens: 11,
        outputTokens: 24,
        totalTokens: 35,
        reasoningTokens: 15,
        cacheReadTokens: 8
      })
    }).pipe(Effect.scoped)
  )

  it.effect("chat over a stream folds reasoning, text, usage and the finish reason", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("reasoning-stream.sse"))

      const response = yield* fromStream(llm.stream(hello()), { provider: "zhipu", model: "glm-4.6" })

      assert.strictEqual(response.id, "20251021093512c4a8f3e1b7d24e6a")
      assert.strictEqual(response.reasoning, "用户在打招呼，简单回应即可。")
      assert.strictEqual(response.content, "你好！有什么可以帮你？")
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.usage.totalTokens, 35)
    }).pipe(Effect.scoped)
  )

  it.effect("reads whole tool calls that arrive in the finish chunk, two in parallel, with dense indices", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("tool-calls-stream.sse"))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), tools: [weatherTool] }))

      assert.isUndefined(error)
      const last = chunks[chunks.length - 1]!
      assert.deepStrictEqual(last.toolCallDeltas, [
        {
          index: 0,
          id: "call_20250920132549e379a9152a6a4d7c",
          name: "get_weather",
          argumentsDelta: '{"location":"北京","unit":"celsius"}'
        },
        {
          index: 1,
          id: "call_20250920132549e379a9152a6a4d7d",
          name: "get_weather",
          argumentsDelta: '{"location":"上海","unit":"celsius"}'
        }
      ])
      assert.strictEqual(last.finishReason, "tool_calls")
      assert.deepStrictEqual(last.usage, { inputTokens: 182, outputTokens: 46, totalTokens: 228, cacheReadTokens: 0 })
      assert.deepStrictEqual(onlyBody(server).tools, [
        {
          type: "function",
          function: { name: weatherTool.name, parameters: weatherTool.parameters, description: weatherTool.description }
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("joins tool-call argument fragments of tool_stream: true (passed through providerOptions.zhipu)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("tool-stream-fragments.sse"))

      const response = yield* fromStream(
        llm.stream({
          ...hello(),
          tools: [weatherTool],
          toolChoice: "auto",
          providerOptions: { zhipu: { tool_stream: true } }
        }),
        { provider: "zhipu", model: "glm-4.6" }
      )

      assert.deepStrictEqual(response.toolCalls, [
        { id: "call_a7c2e9f04b1d3c58", name: "get_weather", arguments: '{"location":"北京"}' }
      ])
      assert.strictEqual(response.reasoning, "需要查询北京天气。")
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.deepStrictEqual(response.usage, {
        inputTokens: 160,
        outputTokens: 21,
        totalTokens: 181,
        reasoningTokens: 7,
        cacheReadTokens: 128
      })
      const body = onlyBody(server)
      assert.strictEqual(body.tool_stream, true)
      assert.strictEqual(body.tool_choice, "auto")
    }).pipe(Effect.scoped)
  )

  it.effect("sends the tool loop back: tool calls, their reasoning (interleaved thinking) and the tool results", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("tool-calls-stream.sse"))
      const question: Message = { role: "user", content: "北京和上海天气怎么样？" }

      const first = yield* fromStream(llm.stream({ model: "glm-4.6", messages: [question], tools: [weatherTool] }), {
        provider: "zhipu",
        model: "glm-4.6"
      })
      server.reset()
      server.enqueue(FakeReply.stream(FakeZhipu.chatCompletionChunks("北京晴，上海多云。", { id: "turn-2" })))
      const second = yield* fromStream(
        llm.stream({
          model: "glm-4.6",
          tools: [weatherTool],
          messages: [
            question,
            toAssistantMessage(first),
            { role: "tool", toolCallId: first.toolCalls[0]!.id, content: '{"weather":"晴"}' },
            { role: "tool", toolCallId: first.toolCalls[1]!.id, content: '{"weather":"多云"}' }
          ]
        }),
        { provider: "zhipu", model: "glm-4.6" }
      )

      assert.strictEqual(second.content, "北京晴，上海多云。")
      assert.deepStrictEqual(onlyBody(server).messages, [
        { role: "user", content: "北京和上海天气怎么样？" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_20250920132549e379a9152a6a4d7c",
              type: "function",
              function: { name: "get_weather", arguments: '{"location":"北京","unit":"celsius"}' }
            },
            {
              id: "call_20250920132549e379a9152a6a4d7d",
              type: "function",
              function: { name: "get_weather", arguments: '{"location":"上海","unit":"celsius"}' }
            }
          ],
          reasoning_content: "用户想知道北京和上海的天气，分别调用 get_weather。"
        },
        { role: "tool", tool_call_id: "call_20250920132549e379a9152a6a4d7c", content: '{"weather":"晴"}' },
        { role: "tool", tool_call_id: "call_20250920132549e379a9152a6a4d7d", content: '{"weather":"多云"}' }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("preserved thinking (clear_thinking: false) sends the reasoning of every earlier turn back", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(FakeZhipu.chatCompletionChunks("好的")))

      yield* collect(
        llm.stream({
          model: "glm-4.7",
          messages: [
            { role: "user", content: "第一问" },
            { role: "assistant", content: "第一答", reasoning: "第一轮的思考" },
            { role: "user", content: "第二问" }
          ],
          providerOptions: { zhipu: { thinking: { type: "enabled", clear_thinking: false } } }
        })
      )

      const body = onlyBody(server)
      assert.deepStrictEqual(body.thinking, { type: "enabled", clear_thinking: false })
      assert.deepStrictEqual((body.messages as ReadonlyArray<unknown>)[1], {
        role: "assistant",
        content: "第一答",
        reasoning_content: "第一轮的思考"
      })
    }).pipe(Effect.scoped)
  )

  it.effect("without preserved thinking the reasoning of a turn before the last user message stays out", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(FakeZhipu.chatCompletionChunks("好的")))

      yield* collect(
        llm.stream({
          model: "glm-4.7",
          messages: [
            { role: "user", content: "第一问" },
            { role: "assistant", content: "第一答", reasoning: "第一轮的思考" },
            { role: "user", content: "第二问" }
          ]
        })
      )

      assert.deepStrictEqual((onlyBody(server).messages as ReadonlyArray<unknown>)[1], {
        role: "assistant",
        content: "第一答"
      })
    }).pipe(Effect.scoped)
  )

  const finishes: ReadonlyArray<readonly [string, string, FinishReason, string]> = [
    ["text-stream.sse", "stop", "stop", "你好！我是智谱清言"],
    ["length-stream.sse", "length", "length", "春天来了，万物"],
    ["tool-calls-stream.sse", "tool_calls", "tool_calls", ""],
    ["sensitive-stream.sse", "sensitive", "content_filter", "关于这个问题，"],
    ["network-error-stream.sse", "network_error", "error", "好的，下面是"],
    ["context-window-stream.sse", "model_context_window_exceeded", "length", "根据上面的代码，"]
  ]
  for (const [fixture, raw, mapped, content] of finishes) {
    it.effect(`maps finish_reason "${raw}" to ${mapped}, keeping the raw value`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(sseReply(fixture))

        const response = yield* fromStream(llm.stream(hello()), { provider: "zhipu", model: "glm-4.6" })

        assert.strictEqual(response.finishReason, mapped)
        assert.strictEqual(response.rawFinishReason, raw)
        assert.strictEqual(response.content, content)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("maps a finish reason it does not know to unknown, keeping the raw value", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(FakeZhipu.chatCompletionChunks("嗯", { finishReason: "abort" })))

      const response = yield* fromStream(llm.stream(hello()), { provider: "zhipu", model: "glm-4.6" })

      assert.strictEqual(response.finishReason, "unknown")
      assert.strictEqual(response.rawFinishReason, "abort")
    }).pipe(Effect.scoped)
  )

  it.effect("the default Zhipu route echoes the last user message in streamChunks pieces", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { streamChunks: 3, apiKey: API_KEY })

      const { chunks, error } = yield* collect(
        llm.stream({ model: "glm-4.6", messages: [{ role: "user", content: "streams arrive in pieces" }] })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["streams ", "arrive i", "n pieces", ""]
      )
      assert.strictEqual(chunks[0]!.id, "zhipu-fake-1")
      assert.strictEqual(chunks[chunks.length - 1]!.finishReason, "stop")
      assert.deepStrictEqual(chunks[chunks.length - 1]!.usage, {
        inputTokens: 6,
        outputTokens: 6,
        totalTokens: 12,
        cacheReadTokens: 0
      })
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )
})
