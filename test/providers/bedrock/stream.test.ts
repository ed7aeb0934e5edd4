import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeBedrock } from "../../../src/testing/FakeBedrock.js"
import {
  CLAUDE,
  collect,
  concat,
  fixtureBytes,
  fixtureFrames,
  harness,
  hello,
  onlyRequest,
  slices,
  withoutIdentity
} from "./helpers.js"

const weather = { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }
const time = { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } }

const textChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "", model: CLAUDE },
  { index: 1, delta: "The" },
  { index: 2, delta: " capital of" },
  { index: 3, delta: " France" },
  { index: 4, delta: " is Paris" },
  { index: 5, delta: "." },
  { index: 6, delta: "", finishReason: "stop", rawFinishReason: "end_turn" },
  {
    index: 7,
    delta: "",
    usage: { inputTokens: 1324, outputTokens: 9, totalTokens: 1333, cacheReadTokens: 1152, cacheWriteTokens: 0 }
  }
]

const toolChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "", model: CLAUDE },
  { index: 1, delta: "I'll look up" },
  { index: 2, delta: " both." },
  {
    index: 3,
    delta: "",
    toolCallDeltas: [{ index: 0, id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", name: "get_weather", argumentsDelta: "" }]
  },
  { index: 4, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: '{"city": "Pa' }] },
  { index: 5, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: 'ris", "unit": "celsius"}' }] },
  {
    index: 6,
    delta: "",
    toolCallDeltas: [{ index: 1, id: "tooluse_Q3xVb8nTSe2wLkDp0Hj9Rg", name: "get_time", argumentsDelta: "" }]
  },
  { index: 7, delta: "", toolCallDeltas: [{ index: 1, argumentsDelta: '{"tz": "Europe/Paris"}' }] },
  { index: 8, delta: "", finishReason: "tool_calls", rawFinishReason: "tool_use" },
  { index: 9, delta: "", usage: { inputTokens: 412, outputTokens: 118, totalTokens: 530 } }
]

describe("Bedrock stream (ConverseStream)", () => {
  it.effect("turns a text stream into chunks: identity first, text deltas, finish, then usage with cache reads", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(1_754_870_112_000)
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream(fixtureFrames("text-stream.eventstream")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(withoutIdentity(chunks), textChunks)
      assert.strictEqual(chunks[0]?.requestId, FakeBedrock.requestId(1))
      assert.strictEqual(chunks[0]?.id, FakeBedrock.requestId(1))
      assert.strictEqual(chunks[0]?.created, 1_754_870_112)
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse-stream")
      assert.strictEqual(request.headers.accept, "application/vnd.amazon.eventstream")
      assert.deepStrictEqual(request.body, { messages: [{ role: "user", content: [{ text: "Hello" }] }] })
    }).pipe(Effect.scoped)
  )

  it.effect("decodes the same chunks when the bytes arrive cut at arbitrary points", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const bytes = fixtureBytes("text-stream.eventstream")
      for (const size of [1, 5, 33, 4096]) server.enqueue(FakeBedrock.stream(slices(bytes, size)))

      for (const _ of [1, 5, 33, 4096]) {
        const { chunks, error } = yield* collect(llm.stream(hello()))
        assert.isUndefined(error)
        assert.deepStrictEqual(withoutIdentity(chunks), textChunks)
      }
    }).pipe(Effect.scoped)
  )

  it.effect("folds into one response", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream([concat(fixtureFrames("text-stream.eventstream"))]))

      const response = yield* fromStream(llm.stream(hello()), { provider: "bedrock", model: CLAUDE })

      assert.strictEqual(response.content, "The capital of France is Paris.")
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.id, FakeBedrock.requestId(1))
      assert.strictEqual(response.usage.cacheReadTokens, 1152)
    }).pipe(Effect.scoped)
  )

  it.effect("streams tool calls: each toolUse block gets a dense index, its input arrives as argument fragments", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream(fixtureFrames("tool-stream.eventstream")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), tools: [weather, time] }))

      assert.isUndefined(error)
      assert.deepStrictEqual(withoutIdentity(chunks), toolChunks)
    }).pipe(Effect.scoped)
  )

  it.effect("a streamed tool call followed by the tool-result turn, streamed too", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream(fixtureFrames("tool-stream.eventstream")))

      const first = yield* fromStream(llm.stream({ ...hello(), tools: [weather, time] }), {
        provider: "bedrock",
        model: CLAUDE
      })
      assert.deepStrictEqual(first.toolCalls, [
        {
          id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
          name: "get_weather",
          arguments: '{"city": "Paris", "unit": "celsius"}'
        },
        { id: "tooluse_Q3xVb8nTSe2wLkDp0Hj9Rg", name: "get_time", arguments: '{"tz": "Europe/Paris"}' }
      ])
      assert.strictEqual(first.finishReason, "tool_calls")

      // The default route checks the history like Bedrock and answers with the results' text.
      const second = yield* fromStream(
        llm.stream({
          model: CLAUDE,
          tools: [weather, time],
          messages: [
            { role: "user", content: "Hello" },
            toAssistantMessage(first),
            { role: "tool", toolCallId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", content: "18°C" },
            { role: "tool", toolCallId: "tooluse_Q3xVb8nTSe2wLkDp0Hj9Rg", content: " at 14:05" }
          ]
        }),
        { provider: "bedrock", model: CLAUDE }
      )

      assert.strictEqual(second.content, "18°C at 14:05")
      assert.strictEqual(second.finishReason, "stop")
      const body = server.requests[1]!.body as { messages: Array<{ role: string; content: Array<unknown> }> }
      assert.deepStrictEqual(body.messages[1], {
        role: "assistant",
        content: [
          { text: "I'll look up both." },
          {
            toolUse: {
              toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
              name: "get_weather",
              input: { city: "Paris", unit: "celsius" }
            }
          },
          { toolUse: { toolUseId: "tooluse_Q3xVb8nTSe2wLkDp0Hj9Rg", name: "get_time", input: { tz: "Europe/Paris" } } }
        ]
      })
      assert.deepStrictEqual(body.messages[2], {
        role: "user",
        content: [
          { toolResult: { toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", content: [{ text: "18°C" }] } },
          { toolResult: { toolUseId: "tooluse_Q3xVb8nTSe2wLkDp0Hj9Rg", content: [{ text: " at 14:05" }] } }
        ]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("a tool called without arguments gets {} as its arguments", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.stream(
          FakeBedrock.frames([
            { type: "messageStart", payload: { role: "assistant" } },
            {
              type: "contentBlockStart",
              payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: "tooluse_n", name: "now" } } }
            },
            { type: "contentBlockStop", payload: { contentBlockIndex: 0 } },
            { type: "messageStop", payload: { stopReason: "tool_use" } }
          ])
        )
      )

      const response = yield* fromStream(llm.stream({ ...hello(), tools: [{ name: "now" }] }), {
        provider: "bedrock",
        model: CLAUDE
      })

      assert.deepStrictEqual(response.toolCalls, [{ id: "tooluse_n", name: "now", arguments: "{}" }])
    }).pipe(Effect.scoped)
  )

  it.effect("streams reasoning as reasoningDelta and keeps the signed block for the next turn", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream(fixtureFrames("reasoning-stream.eventstream")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), reasoningEffort: "low" }))
      assert.isUndefined(error)
      const reasoning = chunks.flatMap((chunk) => (chunk.reasoningDelta === undefined ? [] : [chunk.reasoningDelta]))
      assert.deepStrictEqual(reasoning, ["The user asks", " for 17 × 23.", " 17 × 20 = 340, 17 × 3 = 51,", " so 391."])

      server.enqueue(FakeBedrock.stream(fixtureFrames("reasoning-stream.eventstream")))
      const response = yield* fromStream(llm.stream(hello()), { provider: "bedrock", model: CLAUDE })
      const meta = response.providerMetadata as { bedrock: { reasoning: Array<{ text: string; signature: string }> } }
      assert.strictEqual(response.content, "17 × 23 = 391.")
      assert.strictEqual(response.reasoning, "The user asks for 17 × 23. 17 × 20 = 340, 17 × 3 = 51, so 391.")
      assert.strictEqual(meta.bedrock.reasoning.length, 1)
      assert.strictEqual(meta.bedrock.reasoning[0]!.text, response.reasoning)
      assert.match(meta.bedrock.reasoning[0]!.signature, /^EqQBCkgIBxAB/)

      yield* llm.chat({
        model: CLAUDE,
        messages: [{ role: "user", content: "17 × 23?" }, toAssistantMessage(response), { role: "user", content: "ok" }]
      })
      const sent = (server.requests[2]!.body as { messages: Array<{ content: Array<unknown> }> }).messages[1]!
      assert.deepStrictEqual(sent.content, [
        {
          reasoningContent: {
            reasoningText: { text: response.reasoning!, signature: meta.bedrock.reasoning[0]!.signature }
          }
        },
        { text: "17 × 23 = 391." }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("redacted reasoning is kept as redactedContent before a tool call", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeBedrock.stream(fixtureFrames("redacted-reasoning-stream.eventstream")))

      const response = yield* fromStream(llm.stream({ ...hello(), tools: [weather] }), {
        provider: "bedrock",
        model: CLAUDE
      })

      const meta = response.providerMetadata as { bedrock: { reasoning: Array<{ redactedContent: string }> } }
      assert.isUndefined(response.reasoning)
      assert.match(meta.bedrock.reasoning[0]!.redactedContent, /^cnNuX3BVUGgx/)
      assert.deepStrictEqual(response.toolCalls, [
        { id: "tooluse_RdCt7mVx1sQaP0LzN4Ke2w", name: "get_weather", arguments: '{"city":"Oslo"}' }
      ])
      assert.strictEqual(response.finishReason, "tool_calls")
    }).pipe(Effect.scoped)
  )

  it.effect("the default route streams the echo in streamChunks pieces, one event per write", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { streamChunks: 3 })

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(withoutIdentity(chunks), [
        { index: 0, delta: "", model: CLAUDE },
        { index: 1, delta: "He" },
        { index: 2, delta: "ll" },
        { index: 3, delta: "o" },
        { index: 4, delta: "", finishReason: "stop", rawFinishReason: "end_turn" },
        { index: 5, delta: "", usage: { inputTokens: 2, outputTokens: 2, totalTokens: 4 } }
      ])
      assert.strictEqual(onlyRequest(server).headers["content-type"], "application/json")
    }).pipe(Effect.scoped)
  )

  for (const [raw, finish] of [
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["content_filtered", "content_filter"],
    ["guardrail_intervened", "content_filter"],
    ["malformed_model_output", "error"],
    ["malformed_tool_use", "error"]
  ] as const) {
    it.effect(`a stream ending with stopReason ${raw} finishes with ${finish}`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeBedrock.stream(FakeBedrock.textFrames("cut short", { stopReason: raw })))

        const response = yield* fromStream(llm.stream(hello()), { provider: "bedrock", model: CLAUDE })

        assert.strictEqual(response.content, "cut short")
        assert.strictEqual(response.finishReason, finish)
        assert.strictEqual(response.rawFinishReason, raw)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("additionalModelResponseFields of messageStop land in providerMetadata", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeBedrock.stream(
          FakeBedrock.frames([
            { type: "messageStart", payload: { role: "assistant" } },
            { type: "contentBlockDelta", payload: { contentBlockIndex: 0, delta: { text: "Hi" } } },
            {
              type: "messageStop",
              payload: { stopReason: "stop_sequence", additionalModelResponseFields: { stop_sequence: "###" } }
            },
            { type: "someFutureEvent", payload: { anything: true } }
          ])
        )
      )

      const response = yield* fromStream(llm.stream(hello()), { provider: "bedrock", model: CLAUDE })

      assert.deepStrictEqual(response.providerMetadata, {
        bedrock: { additionalModelResponseFields: { stop_sequence: "###" } }
      })
      assert.strictEqual(response.content, "Hi")
    }).pipe(Effect.scoped)
  )
})
