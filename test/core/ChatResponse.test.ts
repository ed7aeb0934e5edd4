import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Accumulator, fromStream, toAssistantMessage } from "../../src/core/ChatResponse.js"
import type { StreamChunk } from "../../src/core/StreamChunk.js"

const chunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "", id: "resp-1", model: "m-2024" },
  { index: 1, delta: "", reasoningDelta: "think " },
  { index: 2, delta: "", reasoningDelta: "hard" },
  { index: 3, delta: "Let me " },
  { index: 4, delta: "check." },
  { index: 5, delta: "", toolCallDeltas: [{ index: 0, id: "call_a", name: "lookup", argumentsDelta: '{"q":' }] },
  { index: 6, delta: "", toolCallDeltas: [{ index: 1, id: "call_b", name: "clock", argumentsDelta: "" }] },
  {
    index: 7,
    delta: "",
    toolCallDeltas: [
      { index: 0, argumentsDelta: '"x"}' },
      { index: 1, argumentsDelta: "{}" }
    ]
  },
  { index: 8, delta: "", finishReason: "tool_calls", rawFinishReason: "tool_calls" },
  { index: 9, delta: "", usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 2 } }
]

describe("folding a stream into a ChatResponse", () => {
  it("joins text, reasoning and tool-call fragments by index", () => {
    const accumulator = new Accumulator()
    for (const chunk of chunks) accumulator.add(chunk)
    const response = accumulator.toResponse({ provider: "p", model: "m" })
    assert.strictEqual(response.id, "resp-1")
    assert.strictEqual(response.model, "m-2024")
    assert.strictEqual(response.provider, "p")
    assert.strictEqual(response.content, "Let me check.")
    assert.strictEqual(response.reasoning, "think hard")
    assert.deepStrictEqual(response.toolCalls, [
      { id: "call_a", name: "lookup", arguments: '{"q":"x"}' },
      { id: "call_b", name: "clock", arguments: "{}" }
    ])
    assert.strictEqual(response.finishReason, "tool_calls")
    assert.strictEqual(response.rawFinishReason, "tool_calls")
    assert.deepStrictEqual(response.usage, { inputTokens: 10, outputTokens: 5, totalTokens: 15, reasoningTokens: 2 })
    assert.strictEqual(accumulator.count, chunks.length)
  })

  it("an unfinished stream says unknown and reports no usage rather than inventing some", () => {
    const accumulator = new Accumulator()
    accumulator.add({ index: 0, delta: "partial" })
    const response = accumulator.toResponse({ provider: "p", model: "fallback-model" })
    assert.strictEqual(response.finishReason, "unknown")
    assert.strictEqual(response.model, "fallback-model")
    assert.deepStrictEqual(response.usage, { inputTokens: 0, outputTokens: 0, totalTokens: 0 })
    assert.isUndefined(response.reasoning)
  })

  it("the last usage wins (providers send running totals)", () => {
    const accumulator = new Accumulator()
    accumulator.add({ index: 0, delta: "a", usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } })
    accumulator.add({ index: 1, delta: "b", usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } })
    assert.strictEqual(accumulator.toResponse({ provider: "p", model: "m" }).usage.outputTokens, 2)
  })

  it.effect("fromStream runs the stream and folds it", () =>
    Effect.gen(function* () {
      const response = yield* fromStream(Stream.fromIterable(chunks), { provider: "p", model: "m" })
      assert.strictEqual(response.content, "Let me check.")
      assert.strictEqual(response.toolCalls.length, 2)
    })
  )

  it.effect("fromStream fails with the stream's error", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        fromStream(Stream.concat(Stream.fromIterable(chunks.slice(0, 3)), Stream.fail("boom" as const)), {
          provider: "p",
          model: "m"
        })
      )
      assert.strictEqual(error, "boom")
    })
  )
})

describe("provider metadata and the assistant turn", () => {
  it("merges metadata across chunks: objects key by key, arrays appended", () => {
    const accumulator = new Accumulator()
    accumulator.add({ index: 0, delta: "", providerMetadata: { anthropic: { blocks: [{ type: "thinking", n: 1 }] } } })
    accumulator.add({
      index: 1,
      delta: "hi",
      providerMetadata: { anthropic: { blocks: [{ type: "thinking", n: 2 }], stop: "end_turn" }, other: 1 }
    })
    accumulator.add({
      index: 2,
      delta: "",
      toolCallDeltas: [
        { index: 0, id: "c1", name: "f", argumentsDelta: "{}", providerMetadata: { gemini: { sig: "s1" } } }
      ]
    })
    const response = accumulator.toResponse({ provider: "p", model: "m" })
    assert.deepStrictEqual(response.providerMetadata, {
      anthropic: {
        blocks: [
          { type: "thinking", n: 1 },
          { type: "thinking", n: 2 }
        ],
        stop: "end_turn"
      },
      other: 1
    })
    assert.deepStrictEqual(response.toolCalls, [
      { id: "c1", name: "f", arguments: "{}", providerMetadata: { gemini: { sig: "s1" } } }
    ])
  })

  it("toAssistantMessage keeps what the next turn needs", () => {
    const accumulator = new Accumulator()
    accumulator.add({ index: 0, delta: "", reasoningDelta: "why", providerMetadata: { anthropic: { x: 1 } } })
    accumulator.add({ index: 1, delta: "", toolCallDeltas: [{ index: 0, id: "c1", name: "f", argumentsDelta: "{}" }] })
    const message = toAssistantMessage(accumulator.toResponse({ provider: "p", model: "m" }))
    assert.deepStrictEqual(message, {
      role: "assistant",
      content: null,
      toolCalls: [{ id: "c1", name: "f", arguments: "{}" }],
      reasoning: "why",
      providerMetadata: { anthropic: { x: 1 } }
    })
  })
})
