import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { Accumulator, fromStream } from "../../../src/core/ChatResponse.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeOpenAi, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import {
  collect,
  fixtureBytes,
  fixtureFrames,
  fixtureText,
  harness,
  hello,
  onlyBody,
  slices,
  withoutRequestId
} from "./helpers.js"

const TEXT_ID = "chatcmpl-C3xKp9Tq2LmN8vRb1ZsYw4HdE6fUa"
const TOOL_ID = "chatcmpl-C3xMf2Ga7HwQe0Vj4RkXn5tPs8Lby"

const textChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "", id: TEXT_ID, model: "gpt-4o-2024-08-06", created: 1754870112 },
  { index: 1, delta: "The" },
  { index: 2, delta: " capital" },
  { index: 3, delta: " of" },
  { index: 4, delta: " France" },
  { index: 5, delta: " is" },
  { index: 6, delta: " Paris" },
  { index: 7, delta: "." },
  { index: 8, delta: "", finishReason: "stop", rawFinishReason: "stop" },
  {
    index: 9,
    delta: "",
    usage: { inputTokens: 1324, outputTokens: 7, totalTokens: 1331, reasoningTokens: 0, cacheReadTokens: 1152 }
  }
]

const toolChunks: ReadonlyArray<StreamChunk> = [
  {
    index: 0,
    delta: "",
    id: TOOL_ID,
    model: "gpt-4o-mini-2024-07-18",
    created: 1754870245,
    toolCallDeltas: [{ index: 0, id: "call_Xk2lP0qRmZ8vT3nB5cW7yHdA", name: "get_weather", argumentsDelta: "" }]
  },
  { index: 1, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: '{"ci' }] },
  { index: 2, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: 'ty": "Pa' }] },
  { index: 3, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: 'ris", "un' }] },
  { index: 4, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: 'it": "celsius"}' }] },
  {
    index: 5,
    delta: "",
    toolCallDeltas: [{ index: 1, id: "call_R9sYb4TfQw1eLm6pNc0jKvUz", name: "get_time", argumentsDelta: "" }]
  },
  { index: 6, delta: "", toolCallDeltas: [{ index: 1, argumentsDelta: '{"tz' }] },
  { index: 7, delta: "", toolCallDeltas: [{ index: 1, argumentsDelta: '": "Europe/Paris"}' }] },
  { index: 8, delta: "", finishReason: "tool_calls", rawFinishReason: "tool_calls" },
  {
    index: 9,
    delta: "",
    usage: { inputTokens: 88, outputTokens: 51, totalTokens: 139, reasoningTokens: 0, cacheReadTokens: 0 }
  }
]

const streamedBody = (model: string) => ({
  model,
  messages: [{ role: "user", content: "Hello" }],
  stream: true,
  stream_options: { include_usage: true }
})

describe("OpenAi stream", () => {
  it.effect("turns a text stream into chunks: id and model first, dense indices, finish, then usage", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("text-usage.sse"), { headers: { "x-request-id": "req_s1" } }))

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.isUndefined(error)
      assert.deepStrictEqual(withoutRequestId(chunks), textChunks)
      assert.strictEqual(chunks[0]?.requestId, "req_s1")
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "The capital of France is Paris.")
      assert.deepStrictEqual(onlyBody(server), streamedBody("gpt-4o"))
    }).pipe(Effect.scoped)
  )

  it.effect("collectResponse folds the text stream into one response", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("text-usage.sse")))

      const response = yield* fromStream(llm.stream(hello("gpt-4o")), { provider: "openai", model: "gpt-4o" })

      assert.strictEqual(response.id, TEXT_ID)
      assert.strictEqual(response.model, "gpt-4o-2024-08-06")
      assert.strictEqual(response.provider, "openai")
      assert.strictEqual(response.content, "The capital of France is Paris.")
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.rawFinishReason, "stop")
      assert.deepStrictEqual(response.toolCalls, [])
      assert.deepStrictEqual(response.usage, textChunks[9]!.usage)
      assert.deepStrictEqual(onlyBody(server), streamedBody("gpt-4o"))
    }).pipe(Effect.scoped)
  )

  it.effect("turns parallel tool-call fragments into deltas keyed by a dense index", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-calls-parallel.sse")))

      const { chunks, error } = yield* collect(
        llm.stream({ ...hello(), tools: [{ name: "get_weather" }, { name: "get_time" }], parallelToolCalls: true })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(withoutRequestId(chunks), toolChunks)
      const body = onlyBody(server)
      assert.strictEqual(body.parallel_tool_calls, true)
      assert.strictEqual(body.stream, true)
    }).pipe(Effect.scoped)
  )

  it.effect("collectResponse and ChatResponseAccumulator fold the fragments into two tool calls", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("tool-calls-parallel.sse")))

      const request = { ...hello(), tools: [{ name: "get_weather" }, { name: "get_time" }] }
      const collected = yield* fromStream(llm.stream(request), { provider: "openai", model: "gpt-4o-mini" })
      const accumulator = new Accumulator()
      for (const chunk of toolChunks) accumulator.add(chunk)
      const folded = accumulator.toResponse({ provider: "openai", model: "gpt-4o-mini", requestId: "req_x" })

      for (const response of [collected, folded]) {
        assert.deepStrictEqual(
          response.toolCalls.map((call) => ({ ...call, arguments: JSON.parse(call.arguments) as unknown })),
          [
            { id: "call_Xk2lP0qRmZ8vT3nB5cW7yHdA", name: "get_weather", arguments: { city: "Paris", unit: "celsius" } },
            { id: "call_R9sYb4TfQw1eLm6pNc0jKvUz", name: "get_time", arguments: { tz: "Europe/Paris" } }
          ]
        )
        assert.strictEqual(response.finishReason, "tool_calls")
        assert.strictEqual(response.content, "")
        assert.strictEqual(response.id, TOOL_ID)
        assert.strictEqual(response.model, "gpt-4o-mini-2024-07-18")
      }
      assert.strictEqual(accumulator.count, toolChunks.length)
      assert.strictEqual(folded.requestId, "req_x")
      assert.strictEqual(server.requests.length, 1)
    }).pipe(Effect.scoped)
  )

  it.effect("gives the same chunks whether the body arrives in one write, one write per event, or 7-byte slices", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const request = { ...hello(), tools: [{ name: "get_weather" }, { name: "get_time" }] }
      server.enqueue(
        FakeReply.stream([fixtureText("tool-calls-parallel.sse")]),
        FakeReply.stream(fixtureFrames("tool-calls-parallel.sse")),
        FakeReply.stream(slices(fixtureBytes("tool-calls-parallel.sse"), 7))
      )

      const oneWrite = yield* collect(llm.stream(request))
      const perEvent = yield* collect(llm.stream(request))
      const sliced = yield* collect(llm.stream(request))

      assert.isUndefined(oneWrite.error)
      assert.deepStrictEqual(withoutRequestId(oneWrite.chunks), toolChunks)
      assert.deepStrictEqual(withoutRequestId(perEvent.chunks), toolChunks)
      assert.deepStrictEqual(withoutRequestId(sliced.chunks), toolChunks)
      assert.strictEqual(server.requests.length, 3)
      for (const recorded of server.requests) assert.deepStrictEqual(recorded.body, server.requests[0]!.body)
    }).pipe(Effect.scoped)
  )

  it.effect("decodes multi-byte UTF-8 split across writes", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const text = "Grüße, 日本語 and 🚀🚀 ✓"
      const bytes = new TextEncoder().encode(
        FakeOpenAi.chatCompletionChunks(text, { chunks: 5, includeUsage: true }).join("")
      )
      server.enqueue(FakeReply.stream(slices(bytes, 3)))

      const response = yield* fromStream(llm.stream(hello()), { provider: "openai", model: "gpt-4o-mini" })

      assert.strictEqual(response.content, text)
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(onlyBody(server).stream, true)
    }).pipe(Effect.scoped)
  )

  it.effect('maps finish_reason "length" and keeps the text so far', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("finish-length.sse")))

      const { chunks, error } = yield* collect(llm.stream({ ...hello(), maxTokens: 4 }))

      assert.isUndefined(error)
      assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "Once upon a time")
      const finish = chunks.filter((chunk) => chunk.finishReason !== undefined)
      assert.deepStrictEqual(finish, [{ index: 5, delta: "", finishReason: "length", rawFinishReason: "length" }])
      assert.strictEqual(chunks.at(-1)?.usage?.outputTokens, 4)
      assert.strictEqual(onlyBody(server).max_tokens, 4)
    }).pipe(Effect.scoped)
  )

  it.effect('maps finish_reason "content_filter"', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("content-filter.sse")))

      const response = yield* fromStream(llm.stream(hello("gpt-4o")), { provider: "openai", model: "gpt-4o" })

      assert.strictEqual(response.finishReason, "content_filter")
      assert.strictEqual(response.rawFinishReason, "content_filter")
      assert.strictEqual(response.content, "Here is how")
      assert.strictEqual(response.usage.totalTokens, 34)
      assert.deepStrictEqual(onlyBody(server), streamedBody("gpt-4o"))
    }).pipe(Effect.scoped)
  )

  it.effect("streams a refusal as refusal deltas, not content", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.stream(fixtureFrames("refusal.sse")))

      const request = {
        ...hello("gpt-4o"),
        responseFormat: { type: "json_schema", name: "plan", schema: { type: "object" } } as const
      }
      const { chunks, error } = yield* collect(llm.stream(request))
      const response = yield* fromStream(Stream.fromIterable(chunks), { provider: "openai", model: "gpt-4o" })

      assert.isUndefined(error)
      assert.deepStrictEqual(
        chunks.flatMap((chunk) => (chunk.refusalDelta === undefined ? [] : [chunk.refusalDelta])),
        ["I'm", " sorry", ", I can't", " help with that."]
      )
      assert.strictEqual(response.refusal, "I'm sorry, I can't help with that.")
      assert.strictEqual(response.content, "")
      assert.strictEqual(response.finishReason, "stop")
      assert.deepStrictEqual(onlyBody(server).response_format, {
        type: "json_schema",
        json_schema: { name: "plan", schema: { type: "object" } }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("ignores fields it does not know, at every level of a chunk", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const noisy = fixtureFrames("text-usage.sse").map((frame) => {
        if (frame === "data: [DONE]\n\n") return frame
        const json = JSON.parse(frame.slice("data: ".length)) as Record<string, unknown>
        json.x_unknown = { nested: [1, 2, 3] }
        json.prompt_filter_results = [{ prompt_index: 0, content_filter_results: {} }]
        const choices = json.choices as Array<Record<string, unknown>>
        for (const choice of choices) {
          choice.content_filter_results = { hate: { filtered: false, severity: "safe" } }
          ;(choice.delta as Record<string, unknown>).annotations = []
        }
        if (json.usage !== null) (json.usage as Record<string, unknown>).future_tokens = 3
        return `data: ${JSON.stringify(json)}\n\n`
      })
      server.enqueue(FakeReply.stream(noisy))

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.isUndefined(error)
      assert.deepStrictEqual(withoutRequestId(chunks), textChunks)
      assert.deepStrictEqual(onlyBody(server), streamedBody("gpt-4o"))
    }).pipe(Effect.scoped)
  )

  it.effect("reads a whole chat.completion from a server that ignored stream: true", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.text(fixtureText("completion-tool-calls.json"), {
          contentType: "application/json",
          headers: { "x-request-id": "req_json" }
        })
      )

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-4o")))

      assert.isUndefined(error)
      assert.strictEqual(chunks.length, 1)
      const chunk = chunks[0]!
      assert.strictEqual(chunk.index, 0)
      assert.strictEqual(chunk.id, "chatcmpl-C3xTf5Rh1BdSm6Ku9WnZv8EyP4Jpr")
      assert.strictEqual(chunk.finishReason, "tool_calls")
      assert.deepStrictEqual(
        chunk.toolCallDeltas?.map((delta) => [delta.index, delta.name]),
        [
          [0, "get_weather"],
          [1, "get_time"]
        ]
      )
      assert.strictEqual(chunk.usage?.totalTokens, 139)
      assert.deepStrictEqual(onlyBody(server), streamedBody("gpt-4o"))
    }).pipe(Effect.scoped)
  )
})
