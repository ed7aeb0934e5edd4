import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { FinishReason } from "../../../src/core/FinishReason.js"
import { FakeAnthropic } from "../../../src/testing/FakeAnthropic.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { bodyOf, fixtureJson, harness, hello, MODEL, onlyBody, onlyRequest } from "./helpers.js"

const finishReasons: ReadonlyArray<readonly [string, FinishReason]> = [
  ["end_turn", "stop"],
  ["stop_sequence", "stop"],
  ["pause_turn", "stop"],
  ["max_tokens", "length"],
  ["model_context_window_exceeded", "length"],
  ["tool_use", "tool_calls"],
  ["refusal", "content_filter"],
  ["compaction", "unknown"]
]

const toolUse = { id: "toolu_01A", name: "get_weather", input: { city: "Paris" } }

describe("Anthropic chat", () => {
  it.effect("sends a non-streaming request and converts the message, cached tokens in inputTokens", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_754_870_000_000)
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json(fixtureJson("text-message.json"), { headers: { "request-id": "req_c1" } }))

      const response = yield* llm.chat(hello())

      assert.deepStrictEqual(response, {
        id: "msg_013Zva2CMHLNnXjNJJKqJ2EF",
        model: MODEL,
        provider: "anthropic",
        created: 1_754_870_000,
        content: "The capital of France is Paris.",
        toolCalls: [],
        finishReason: "stop",
        rawFinishReason: "end_turn",
        usage: { inputTokens: 2062, outputTokens: 10, totalTokens: 2072, cacheReadTokens: 2048, cacheWriteTokens: 0 },
        requestId: "req_c1"
      })
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/v1/messages")
      assert.deepStrictEqual(bodyOf(request), {
        model: MODEL,
        max_tokens: 64_000,
        messages: [{ role: "user", content: "Hello" }]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("answers from the default route: the last user text echoed, with the fake's ids and usage", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      const response = yield* llm.chat({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "Ping me" }] })

      assert.strictEqual(response.content, "Ping me")
      assert.strictEqual(response.id, "msg_fake_1")
      assert.strictEqual(response.model, "claude-haiku-4-5")
      assert.strictEqual(response.requestId, "req_fake_1")
      assert.deepStrictEqual(response.usage, {
        inputTokens: 2,
        outputTokens: 2,
        totalTokens: 4,
        cacheReadTokens: 0,
        cacheWriteTokens: 0
      })
    }).pipe(Effect.scoped)
  )

  it.effect("keeps thinking and redacted_thinking blocks and sends them back unchanged with the tool result", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const message = fixtureJson("thinking-tool-use-message.json") as { content: Array<Record<string, unknown>> }
      server.enqueue(FakeReply.json(message), FakeReply.json(FakeAnthropic.message("18°C and clear.")))
      const request = { ...hello(), tools: [{ name: "get_weather" }], reasoningEffort: "medium" as const }

      const first = yield* llm.chat(request)

      assert.strictEqual(first.content, "Let me look that up.")
      assert.strictEqual(first.reasoning, "The user wants the weather in Paris. I should call get_weather.")
      assert.deepStrictEqual(first.toolCalls, [
        { id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' }
      ])
      assert.strictEqual(first.finishReason, "tool_calls")
      assert.deepStrictEqual(first.providerMetadata, {
        anthropic: {
          blocks: [
            { index: 0, block: message.content[0] },
            { index: 1, block: message.content[1] }
          ]
        }
      })

      const second = yield* llm.chat({
        ...request,
        messages: [
          ...request.messages,
          toAssistantMessage(first),
          { role: "tool", toolCallId: "toolu_01A09q90qw90lq917835lq9", content: "18°C, clear" }
        ]
      })

      assert.strictEqual(second.content, "18°C and clear.")
      assert.deepStrictEqual(bodyOf(server.requests[1]!).messages, [
        { role: "user", content: "Hello" },
        { role: "assistant", content: message.content },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_01A09q90qw90lq917835lq9", content: "18°C, clear" }]
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("pause_turn: the server tool blocks go back unchanged so the turn continues", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const message = fixtureJson("pause-turn-message.json") as { content: Array<Record<string, unknown>> }
      server.enqueue(FakeReply.json(message), FakeReply.json(FakeAnthropic.message("Born April 30, 1916.")))
      const request = {
        ...hello(),
        providerOptions: { anthropic: { tools: [{ type: "web_search_20250305", name: "web_search" }] } }
      }

      const first = yield* llm.chat(request)
      assert.strictEqual(first.finishReason, "stop")
      assert.strictEqual(first.rawFinishReason, "pause_turn")
      assert.strictEqual(first.content, "I'll search for that.")
      assert.deepStrictEqual(first.toolCalls, [])

      yield* llm.chat({ ...request, messages: [...request.messages, toAssistantMessage(first)] })

      const body = bodyOf(server.requests[1]!)
      assert.deepStrictEqual(body.messages, [
        { role: "user", content: "Hello" },
        { role: "assistant", content: message.content }
      ])
      assert.deepStrictEqual(body.tools, [{ type: "web_search_20250305", name: "web_search" }])
    }).pipe(Effect.scoped)
  )

  // Fails today: core validation (src/core/internal/validation.ts) refuses an assistant message without content or
  // toolCalls even when its providerMetadata carries the turn (a pause_turn of server tool blocks only).
  it.effect("pause_turn without text: the assistant turn of server tool blocks alone can be sent back", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const message = fixtureJson("pause-turn-message.json") as { content: Array<Record<string, unknown>> }
      const blocks = message.content.slice(1)
      server.enqueue(FakeReply.json({ ...message, content: blocks }), FakeReply.json(FakeAnthropic.message("1916.")))

      const first = yield* llm.chat(hello())
      const second = yield* Effect.either(
        llm.chat({ ...hello(), messages: [...hello().messages, toAssistantMessage(first)] })
      )

      assert.strictEqual(first.content, "")
      assert.strictEqual(first.rawFinishReason, "pause_turn")
      assert.isTrue(second._tag === "Right", second._tag === "Left" ? second.left.message : "")
      assert.deepStrictEqual(bodyOf(server.requests[1]!).messages, [
        { role: "user", content: "Hello" },
        { role: "assistant", content: blocks }
      ])
    }).pipe(Effect.scoped)
  )

  for (const [raw, expected] of finishReasons) {
    it.effect(`stop_reason ${raw} → ${expected}, raw kept, streamed and not`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        const options = raw === "tool_use" ? { stopReason: raw, toolUse } : { stopReason: raw }
        server.enqueue(
          FakeReply.json(FakeAnthropic.message("Partial", options)),
          FakeReply.stream(FakeAnthropic.messageEvents("Partial", options))
        )

        const chat = yield* llm.chat(hello())
        const streamed = yield* fromStream(llm.stream(hello()), { provider: "anthropic", model: MODEL })

        for (const response of [chat, streamed]) {
          assert.strictEqual(response.finishReason, expected)
          assert.strictEqual(response.rawFinishReason, raw)
          assert.strictEqual(response.content, "Partial")
          assert.strictEqual(response.toolCalls.length, raw === "tool_use" ? 1 : 0)
        }
        assert.strictEqual(server.requests.length, 2)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("the default route cuts at a stop sequence and at max_tokens, and says which", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const text = "one two three four five six seven eight nine ten"

      const stopped = yield* llm.chat({ ...hello(), messages: [{ role: "user", content: text }], stop: "four" })
      const long = yield* llm.chat({ ...hello(), messages: [{ role: "user", content: text }], maxTokens: 3 })

      assert.deepStrictEqual(
        { content: stopped.content, finish: stopped.finishReason, raw: stopped.rawFinishReason },
        { content: "one two three ", finish: "stop", raw: "stop_sequence" }
      )
      assert.deepStrictEqual(stopped.providerMetadata, { anthropic: { stopSequence: "four" } })
      assert.deepStrictEqual(
        { content: long.content, finish: long.finishReason, raw: long.rawFinishReason },
        { content: "one two thre", finish: "length", raw: "max_tokens" }
      )
      assert.deepStrictEqual(bodyOf(server.requests[0]!).stop_sequences, ["four"])
      assert.strictEqual(bodyOf(server.requests[1]!).max_tokens, 3)
    }).pipe(Effect.scoped)
  )

  it.effect("responseFormat json_schema: a forced tool named after the format, its input returned as content", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const schema = {
        type: "object",
        properties: { city: { type: "string" }, temperature: { type: "number" } },
        required: ["city", "temperature"]
      }
      const request = {
        model: MODEL,
        messages: [{ role: "user" as const, content: '{"city":"Paris","temperature":18}' }],
        responseFormat: { type: "json_schema" as const, name: "weather", schema }
      }

      const chat = yield* llm.chat(request)
      const streamed = yield* fromStream(llm.stream(request), { provider: "anthropic", model: MODEL })

      for (const response of [chat, streamed]) {
        assert.deepStrictEqual(JSON.parse(response.content), { city: "Paris", temperature: 18 })
        assert.deepStrictEqual(response.toolCalls, [])
        assert.strictEqual(response.finishReason, "stop")
        assert.strictEqual(response.rawFinishReason, "tool_use")
      }
      const body = bodyOf(server.requests[0]!)
      assert.deepStrictEqual(body.tools, [
        {
          name: "weather",
          description: "Answer with a JSON object following the weather schema: the input is the answer.",
          input_schema: schema
        }
      ])
      assert.deepStrictEqual(body.tool_choice, { type: "tool", name: "weather" })
    }).pipe(Effect.scoped)
  )

  it.effect("responseFormat json: a forced `json` tool taking any object", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({ ...hello(), responseFormat: { type: "json" } })

      assert.deepStrictEqual(JSON.parse(response.content), { text: "Hello" })
      assert.strictEqual(response.finishReason, "stop")
      const body = onlyBody(server)
      assert.deepStrictEqual(body.tool_choice, { type: "tool", name: "json" })
      assert.deepStrictEqual((body.tools as Array<Record<string, unknown>>)[0]?.input_schema, {
        type: "object",
        additionalProperties: true
      })
    }).pipe(Effect.scoped)
  )

  it.effect("responseFormat beside tools: the model must call one of them or answer through the format tool", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json(FakeAnthropic.message("", { toolUse })),
        FakeReply.json(FakeAnthropic.message("", { toolUse: { id: "toolu_02", name: "answer", input: { ok: true } } }))
      )
      const request = {
        ...hello(),
        tools: [{ name: "get_weather" }],
        parallelToolCalls: false,
        responseFormat: { type: "json_schema" as const, name: "answer", schema: { type: "object" } }
      }

      const call = yield* llm.chat(request)
      const answer = yield* llm.chat(request)

      assert.deepStrictEqual(call.toolCalls, [{ id: "toolu_01A", name: "get_weather", arguments: '{"city":"Paris"}' }])
      assert.strictEqual(call.finishReason, "tool_calls")
      assert.strictEqual(answer.content, '{"ok":true}')
      assert.strictEqual(answer.finishReason, "stop")
      const body = bodyOf(server.requests[0]!)
      assert.deepStrictEqual(
        (body.tools as Array<Record<string, unknown>>).map((tool) => tool.name),
        ["get_weather", "answer"]
      )
      assert.deepStrictEqual(body.tool_choice, { type: "any", disable_parallel_tool_use: true })
    }).pipe(Effect.scoped)
  )

  it.effect("a tool call without arguments has `{}` as its arguments, streamed and not", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const frames = FakeAnthropic.events([
        {
          type: "message_start",
          message: { id: "msg_x", model: MODEL, content: [], usage: { input_tokens: 5, output_tokens: 1 } }
        },
        {
          type: "content_block_start",
          index: 0,
          content_block: { type: "tool_use", id: "toolu_now", name: "now", input: {} }
        },
        { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "" } },
        { type: "content_block_stop", index: 0 },
        { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 9 } },
        { type: "message_stop" }
      ])
      server.enqueue(
        FakeReply.stream(frames),
        FakeReply.json(FakeAnthropic.message("", { toolUse: { id: "toolu_now", name: "now", input: {} } }))
      )
      const request = { ...hello(), tools: [{ name: "now" }] }

      const streamed = yield* fromStream(llm.stream(request), { provider: "anthropic", model: MODEL })
      const chat = yield* llm.chat(request)

      for (const response of [streamed, chat]) {
        assert.deepStrictEqual(response.toolCalls, [{ id: "toolu_now", name: "now", arguments: "{}" }])
      }
      assert.deepStrictEqual(streamed.usage, { inputTokens: 5, outputTokens: 9, totalTokens: 14 })
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("reports thinking tokens from output_tokens_details as reasoningTokens", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.json({
          ...(FakeAnthropic.message("21") as Record<string, unknown>),
          usage: { input_tokens: 47, output_tokens: 496, output_tokens_details: { thinking_tokens: 62 } }
        })
      )

      const response = yield* llm.chat(hello("claude-sonnet-5"))

      assert.deepStrictEqual(response.usage, {
        inputTokens: 47,
        outputTokens: 496,
        totalTokens: 543,
        reasoningTokens: 62
      })
      assert.strictEqual(onlyBody(server).max_tokens, 128_000)
    }).pipe(Effect.scoped)
  )

  it.effect("a body that is not a message fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.json({ type: "message", id: "msg_1" }, { headers: { "request-id": "req_d" } }))

      const error = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(error._tag, "ResponseDecodeError")
      assert.strictEqual(error.requestId, "req_d")
      assert.include(error.message, "no content array")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("has no embeddings API: embed fails with UnsupportedError without a request", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const error = yield* Effect.flip(llm.embed({ model: "voyage-3", input: "hi" }))

      assert.strictEqual(error._tag, "UnsupportedError")
      assert.strictEqual(llm.capabilities.embed, false)
      assert.deepStrictEqual(
        { tools: llm.capabilities.tools, vision: llm.capabilities.vision },
        { tools: true, vision: true }
      )
      assert.deepStrictEqual(
        { jsonSchema: llm.capabilities.jsonSchema, reasoning: llm.capabilities.reasoning },
        { jsonSchema: true, reasoning: true }
      )
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})
