import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import { toAssistantMessage } from "../../../src/core/ChatResponse.js"
import { FakeBedrock } from "../../../src/testing/FakeBedrock.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { CLAUDE, fixtureJson, harness, hello, onlyBody, onlyRequest } from "./helpers.js"

const weather = {
  name: "get_weather",
  description: "Current weather of a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
}

describe("Bedrock chat (Converse)", () => {
  it.effect("the default route echoes the last user message, with usage and the request id", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat({
        model: CLAUDE,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hello there" }
        ]
      })

      assert.strictEqual(response.content, "Hello there")
      assert.strictEqual(response.provider, "bedrock")
      assert.strictEqual(response.model, CLAUDE)
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.rawFinishReason, "end_turn")
      assert.strictEqual(response.requestId, FakeBedrock.requestId(1))
      assert.strictEqual(response.id, FakeBedrock.requestId(1))
      // tokens("Be brief.Hello there") = 5, tokens("Hello there") = 3
      assert.deepStrictEqual(response.usage, { inputTokens: 5, outputTokens: 3, totalTokens: 8 })
      const request = onlyRequest(server)
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse")
      assert.deepStrictEqual(request.body, {
        messages: [{ role: "user", content: [{ text: "Hello there" }] }],
        system: [{ text: "Be brief." }]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("sends inferenceConfig, toolConfig and the bedrock providerOptions, merging additional fields", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({
        ...hello(),
        maxTokens: 512,
        temperature: 0.2,
        topP: 0.9,
        stop: "END",
        tools: [weather, { name: "noop" }, { name: "strict_one", parameters: { type: "object" }, strict: true }],
        toolChoice: "required",
        reasoningEffort: "low",
        providerOptions: {
          bedrock: {
            additionalModelRequestFields: { top_k: 40 },
            performanceConfig: { latency: "optimized" }
          }
        }
      })

      assert.deepStrictEqual(onlyBody(server), {
        messages: [{ role: "user", content: [{ text: "Hello" }] }],
        inferenceConfig: { maxTokens: 512, temperature: 0.2, topP: 0.9, stopSequences: ["END"] },
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: "get_weather",
                inputSchema: { json: weather.parameters },
                description: weather.description
              }
            },
            { toolSpec: { name: "noop", inputSchema: { json: { type: "object", properties: {} } } } },
            { toolSpec: { name: "strict_one", inputSchema: { json: { type: "object" } }, strict: true } }
          ],
          toolChoice: { any: {} }
        },
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 }, top_k: 40 },
        performanceConfig: { latency: "optimized" }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("tool choice auto and a named tool; none sends no toolConfig at all", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({ ...hello(), tools: [weather], toolChoice: "auto" })
      yield* llm.chat({ ...hello(), tools: [weather], toolChoice: { name: "get_weather" } })
      yield* llm.chat({ ...hello(), tools: [weather], toolChoice: "none" })

      const bodies = server.requests.map((request) => request.body as Record<string, unknown>)
      assert.deepStrictEqual((bodies[0]!.toolConfig as { toolChoice: unknown }).toolChoice, { auto: {} })
      assert.deepStrictEqual((bodies[1]!.toolConfig as { toolChoice: unknown }).toolChoice, {
        tool: { name: "get_weather" }
      })
      assert.isUndefined(bodies[2]!.toolConfig)
    }).pipe(Effect.scoped)
  )

  it.effect("reasoning effort on a Claude model without maxTokens leaves room for the answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({ ...hello("us.anthropic.claude-sonnet-4-20250514-v1:0"), reasoningEffort: "high" })
      yield* llm.chat({ ...hello("amazon.nova-pro-v1:0"), reasoningEffort: "high" })

      const [claude, nova] = server.requests.map((request) => request.body as Record<string, unknown>)
      assert.deepStrictEqual(claude!.additionalModelRequestFields, {
        thinking: { type: "enabled", budget_tokens: 24576 }
      })
      assert.deepStrictEqual(claude!.inferenceConfig, { maxTokens: 24576 + 4096 })
      assert.isUndefined(nova!.additionalModelRequestFields)
    }).pipe(Effect.scoped)
  )

  it.effect("images go as base64 bytes with their format; data URIs are unpacked", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({
        model: CLAUDE,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is in these?" },
              { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" },
              { type: "image", url: "data:image/jpeg;base64,/9j/4AAQSkZJRg==" }
            ]
          }
        ]
      })

      assert.deepStrictEqual(onlyBody(server).messages, [
        {
          role: "user",
          content: [
            { text: "What is in these?" },
            { image: { format: "png", source: { bytes: "iVBORw0KGgo=" } } },
            { image: { format: "jpeg", source: { bytes: "/9j/4AAQSkZJRg==" } } }
          ]
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("an image URL or an unsupported image type fails with UnsupportedError before the network", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const byUrl = yield* Effect.flip(
        llm.chat({
          model: CLAUDE,
          messages: [{ role: "user", content: [{ type: "image", url: "https://example.com/cat.png" }] }]
        })
      )
      const tiff = yield* Effect.flip(
        llm.chat({
          model: CLAUDE,
          messages: [{ role: "user", content: [{ type: "image", data: "AAAA", mimeType: "image/tiff" }] }]
        })
      )

      assert.strictEqual(byUrl._tag, "UnsupportedError")
      assert.include(byUrl.message, "messages[0].content[0]")
      assert.strictEqual(tiff._tag, "UnsupportedError")
      assert.include(tiff.message, "image/tiff")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("free-form JSON mode is unsupported; a JSON schema goes as outputConfig.textFormat", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const json = yield* Effect.flip(llm.chat({ ...hello(), responseFormat: { type: "json" } }))
      yield* llm.chat({
        ...hello(),
        responseFormat: {
          type: "json_schema",
          name: "city",
          description: "A city",
          schema: { type: "object", properties: { name: { type: "string" } }, additionalProperties: false }
        }
      })

      assert.strictEqual(json._tag, "UnsupportedError")
      assert.deepStrictEqual(onlyBody(server).outputConfig, {
        textFormat: {
          type: "json_schema",
          structure: {
            jsonSchema: {
              schema: '{"type":"object","properties":{"name":{"type":"string"}},"additionalProperties":false}',
              name: "city",
              description: "A city"
            }
          }
        }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("reads a tool-use answer: text, the call with its input as JSON text, finish tool_calls", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()
      server.enqueue(FakeReply.json(fixtureJson("converse-tool-use.json")))

      const response = yield* llm.chat({ ...hello(), tools: [weather] })

      assert.strictEqual(response.content, "I'll check the weather in Paris.")
      assert.deepStrictEqual(response.toolCalls, [
        { id: "tooluse_9y8xKbF2Q4y0jvUe3kA1Rw", name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' }
      ])
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.rawFinishReason, "tool_use")
      assert.deepStrictEqual(response.usage, { inputTokens: 398, outputTokens: 77, totalTokens: 475 })
    }).pipe(Effect.scoped)
  )

  it.effect("a tool-result follow-up turn: toolUse back in the assistant turn, results and text in one user turn", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()
      server.enqueue(FakeReply.json(fixtureJson("converse-tool-use.json")))
      const first = yield* llm.chat({ ...hello(), tools: [weather] })
      const call = first.toolCalls[0]!

      // The fake server checks the history as Bedrock does (toolConfig present, results answer the previous turn).
      const second = yield* llm.chat({
        model: CLAUDE,
        tools: [weather],
        messages: [
          { role: "user", content: "Hello" },
          toAssistantMessage(first),
          { role: "tool", toolCallId: call.id, content: '{"temperature":18}' },
          { role: "user", content: "And tomorrow?" }
        ]
      })

      assert.strictEqual(second.content, "And tomorrow?")
      assert.deepStrictEqual((server.requests[1]!.body as { messages: unknown }).messages, [
        { role: "user", content: [{ text: "Hello" }] },
        {
          role: "assistant",
          content: [
            { text: "I'll check the weather in Paris." },
            { toolUse: { toolUseId: call.id, name: "get_weather", input: { city: "Paris", unit: "celsius" } } }
          ]
        },
        {
          role: "user",
          content: [
            { toolResult: { toolUseId: call.id, content: [{ text: '{"temperature":18}' }] } },
            { text: "And tomorrow?" }
          ]
        }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("the default route answers a turn of tool results alone with their text", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      const response = yield* llm.chat({
        model: CLAUDE,
        tools: [weather],
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", toolCalls: [{ id: "tooluse_1", name: "get_weather", arguments: '{"city":"Paris"}' }] },
          { role: "tool", toolCallId: "tooluse_1", content: "18°C and clear" }
        ]
      })

      assert.strictEqual(response.content, "18°C and clear")
    }).pipe(Effect.scoped)
  )

  it.effect("without tools offered, earlier tool calls and results go as text (Bedrock requires a toolConfig)", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()

      const response = yield* llm.chat({
        model: CLAUDE,
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", toolCalls: [{ id: "tooluse_1", name: "get_weather", arguments: '{"city":"Paris"}' }] },
          { role: "tool", toolCallId: "tooluse_1", content: "18°C" },
          { role: "user", content: "Summarize." }
        ]
      })

      // The fake echoes the text of the last user turn, which now holds the result as text.
      assert.strictEqual(response.content, "[tool result tooluse_1]: 18°CSummarize.")
      assert.deepStrictEqual(onlyBody(server).messages, [
        { role: "user", content: [{ text: "Weather in Paris?" }] },
        { role: "assistant", content: [{ text: '[tool call tooluse_1: get_weather({"city":"Paris"})]' }] },
        { role: "user", content: [{ text: "[tool result tooluse_1]: 18°C" }, { text: "Summarize." }] }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("tool call arguments that are not a JSON object fail before the network", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()
      const request = (args: string): ChatRequest => ({
        model: CLAUDE,
        tools: [weather],
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", toolCalls: [{ id: "t1", name: "get_weather", arguments: args }] },
          { role: "tool", toolCallId: "t1", content: "ok" }
        ]
      })

      const broken = yield* Effect.flip(llm.chat(request("{not json")))
      const array = yield* Effect.flip(llm.chat(request("[1,2]")))
      const empty = yield* Effect.exit(llm.chat(request("")))

      assert.strictEqual(broken._tag, "InvalidRequestError")
      assert.strictEqual((broken as { param?: string }).param, "messages[1].toolCalls[0].arguments")
      assert.strictEqual(array._tag, "InvalidRequestError")
      assert.isTrue(Exit.isSuccess(empty))
      assert.deepStrictEqual(
        (
          (server.requests[0]!.body as { messages: Array<{ content: Array<unknown> }> }).messages[1]!.content[0] as {
            toolUse: { input: unknown }
          }
        ).toolUse.input,
        {}
      )
    }).pipe(Effect.scoped)
  )

  it.effect("reads reasoning with its signature and sends the block back unchanged in the next turn", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()
      server.enqueue(FakeReply.json(fixtureJson("converse-reasoning.json")))

      const first = yield* llm.chat({ ...hello(), reasoningEffort: "medium" })
      yield* llm.chat({
        model: CLAUDE,
        messages: [
          { role: "user", content: "17 × 23?" },
          toAssistantMessage(first),
          { role: "user", content: "Thanks" }
        ]
      })

      const fixture = fixtureJson("converse-reasoning.json") as {
        output: { message: { content: Array<{ reasoningContent?: { reasoningText: { signature: string } } }> } }
      }
      const signature = fixture.output.message.content[0]!.reasoningContent!.reasoningText.signature
      assert.strictEqual(first.content, "17 × 23 = 391.")
      assert.strictEqual(first.reasoning, "17 × 20 = 340 and 17 × 3 = 51, so 391.")
      assert.deepStrictEqual(first.providerMetadata, {
        bedrock: {
          reasoning: [{ text: "17 × 20 = 340 and 17 × 3 = 51, so 391.", signature }],
          additionalModelResponseFields: { stop_sequence: null }
        }
      })
      // Bedrock counts cache writes apart from inputTokens; the SDK's inputTokens includes them.
      assert.deepStrictEqual(first.usage, {
        inputTokens: 1834,
        outputTokens: 300,
        totalTokens: 2134,
        cacheReadTokens: 0,
        cacheWriteTokens: 1820
      })
      assert.deepStrictEqual((server.requests[1]!.body as { messages: Array<unknown> }).messages[1], {
        role: "assistant",
        content: [
          {
            reasoningContent: {
              reasoningText: { text: "17 × 20 = 340 and 17 × 3 = 51, so 391.", signature }
            }
          },
          { text: "17 × 23 = 391." }
        ]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("redacted reasoning goes back as redactedContent; unsigned reasoning is not sent back", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()

      yield* llm.chat({
        model: CLAUDE,
        messages: [
          { role: "user", content: "Hi" },
          {
            role: "assistant",
            content: "Hello",
            reasoning: "thinking",
            providerMetadata: { bedrock: { reasoning: [{ redactedContent: "ZW5jcnlwdGVk" }, { text: "unsigned" }] } }
          },
          { role: "user", content: "Again" }
        ]
      })

      assert.deepStrictEqual((onlyBody(server).messages as Array<unknown>)[1], {
        role: "assistant",
        content: [{ reasoningContent: { redactedContent: "ZW5jcnlwdGVk" } }, { text: "Hello" }]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("consecutive messages of one role are merged into one turn; system messages anywhere go to system", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()

      const response = yield* llm.chat({
        model: CLAUDE,
        messages: [
          { role: "user", content: "one" },
          { role: "user", content: "two" },
          { role: "assistant", content: "three" },
          { role: "assistant", content: "four" },
          { role: "system", content: "late system" },
          { role: "user", content: "five" }
        ]
      })

      assert.strictEqual(response.content, "five")
      assert.deepStrictEqual(onlyBody(server), {
        messages: [
          { role: "user", content: [{ text: "one" }, { text: "two" }] },
          { role: "assistant", content: [{ text: "three" }, { text: "four" }] },
          { role: "user", content: [{ text: "five" }] }
        ],
        system: [{ text: "late system" }]
      })
    }).pipe(Effect.scoped)
  )

  for (const [raw, finish] of [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["content_filtered", "content_filter"],
    ["guardrail_intervened", "content_filter"],
    ["malformed_model_output", "error"],
    ["malformed_tool_use", "error"],
    ["something_new", "unknown"]
  ] as const) {
    it.effect(`maps stopReason ${raw} to ${finish}`, () =>
      Effect.gen(function* () {
        const { llm, server } = yield* harness()
        server.enqueue(FakeReply.json(FakeBedrock.converse("partial", { stopReason: raw })))

        const response = yield* llm.chat(hello())

        assert.strictEqual(response.finishReason, finish)
        assert.strictEqual(response.rawFinishReason, raw)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("end_turn after tool calls is tool_calls", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()
      server.enqueue(
        FakeReply.json({
          output: {
            message: { role: "assistant", content: [{ toolUse: { toolUseId: "t", name: "get_weather", input: {} } }] }
          },
          stopReason: "end_turn",
          usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }
        })
      )

      const response = yield* llm.chat({ ...hello(), tools: [weather] })

      assert.strictEqual(response.finishReason, "tool_calls")
      assert.deepStrictEqual(response.toolCalls, [{ id: "t", name: "get_weather", arguments: "{}" }])
    }).pipe(Effect.scoped)
  )

  it.effect("a 200 that is not a Converse response fails with ResponseDecodeError", () =>
    Effect.gen(function* () {
      const { llm, server } = yield* harness()
      server.enqueue(
        FakeReply.json({ hello: "world" }),
        FakeReply.text("not json", { contentType: "application/json" })
      )

      const shape = yield* Effect.flip(llm.chat(hello()))
      const text = yield* Effect.flip(llm.chat(hello()))

      assert.strictEqual(shape._tag, "ResponseDecodeError")
      assert.include(shape.message, "output.message.content")
      assert.strictEqual(shape.requestId, FakeBedrock.requestId(1))
      assert.strictEqual(text._tag, "ResponseDecodeError")
    }).pipe(Effect.scoped)
  )

  it.effect("declares its capabilities", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()
      assert.strictEqual(llm.provider, "bedrock")
      assert.deepStrictEqual(llm.capabilities, {
        chat: true,
        stream: true,
        embed: true,
        tools: true,
        vision: true,
        jsonSchema: true,
        reasoning: true
      })
    }).pipe(Effect.scoped)
  )
})
