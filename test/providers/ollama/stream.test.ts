import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { fromStream } from "../../../src/core/ChatResponse.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import {
  collect,
  fixtureBytes,
  fixtureLines,
  harness,
  hello,
  onlyBody,
  onlyRequest,
  seconds,
  slices
} from "./helpers.js"

const textChunks: ReadonlyArray<StreamChunk> = [
  { index: 0, delta: "The", model: "llama3.2", created: seconds("2025-11-06T09:14:02.118527Z") },
  { index: 1, delta: " capital" },
  { index: 2, delta: " of" },
  { index: 3, delta: " France" },
  { index: 4, delta: " is" },
  { index: 5, delta: " Paris" },
  { index: 6, delta: "." },
  {
    index: 7,
    delta: "",
    finishReason: "stop",
    rawFinishReason: "stop",
    usage: { inputTokens: 33, outputTokens: 8, totalTokens: 41 },
    providerMetadata: {
      ollama: {
        totalDuration: 412973625,
        loadDuration: 18213541,
        promptEvalDuration: 96254000,
        evalDuration: 297148000
      }
    }
  }
]

const toolChunks: ReadonlyArray<StreamChunk> = [
  {
    index: 0,
    delta: "",
    model: "qwen3:8b",
    created: seconds("2025-11-06T09:31:45.20854Z"),
    toolCallDeltas: [
      { index: 0, id: "call_k3n9x2qa", name: "get_weather", argumentsDelta: '{"city":"Paris","unit":"celsius"}' }
    ]
  },
  {
    index: 1,
    delta: "",
    toolCallDeltas: [{ index: 1, id: "call_7vb0wz1m", name: "get_time", argumentsDelta: '{"tz":"Europe/Paris"}' }]
  },
  {
    index: 2,
    delta: "",
    finishReason: "tool_calls",
    rawFinishReason: "stop",
    usage: { inputTokens: 212, outputTokens: 49, totalTokens: 261 },
    providerMetadata: {
      ollama: {
        totalDuration: 1201948708,
        loadDuration: 39108125,
        promptEvalDuration: 204913000,
        evalDuration: 951274000
      }
    }
  }
]

const weatherTools = [
  {
    name: "get_weather",
    description: "Current weather of a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
  },
  { name: "get_time" }
]

describe("Ollama stream", () => {
  it.effect("turns an NDJSON text stream into chunks: model and created first, then text, then finish and usage", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(fixtureLines("text-stream.ndjson")))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks, textChunks)
      const request = onlyRequest(server)
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, "/api/chat")
      assert.strictEqual(request.headers.accept, "application/x-ndjson")
      assert.isUndefined(request.headers.authorization)
      assert.deepStrictEqual(onlyBody(server), {
        model: "llama3.2",
        messages: [{ role: "user", content: "Hello" }],
        stream: true
      })
    }).pipe(Effect.scoped)
  )

  for (const size of [1, 7, 64]) {
    it.effect(`reads the same chunks when the body arrives in ${size}-byte pieces (mid-line, mid-character)`, () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeOllama.stream(slices(fixtureBytes("text-stream.ndjson"), size)))
        server.enqueue(FakeOllama.stream(slices(fixtureBytes("thinking-stream.ndjson"), size)))

        const text = yield* collect(llm.stream(hello()))
        const thinking = yield* fromStream(llm.stream(hello("qwen3:8b")), { provider: "ollama", model: "qwen3:8b" })

        assert.isUndefined(text.error)
        assert.deepStrictEqual(text.chunks, textChunks)
        assert.strictEqual(thinking.content, "17 × 3 = **51**")
        assert.strictEqual(thinking.reasoning, "Okay, the user wants 17 times 3. That's 51.")
      }).pipe(Effect.scoped)
    )
  }

  it.effect("streams message.thinking as reasoningDelta, before the answer, and asks for it with think", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(fixtureLines("thinking-stream.ndjson")))

      const { chunks, error } = yield* collect(
        llm.stream({ ...hello("qwen3:8b", "What is 17 times 3?"), reasoningEffort: "high" })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(chunks.slice(0, 2), [
        {
          index: 0,
          delta: "",
          model: "qwen3:8b",
          created: seconds("2025-11-06T09:20:11.40213Z"),
          reasoningDelta: "Okay"
        },
        { index: 1, delta: "", reasoningDelta: "," }
      ])
      assert.deepStrictEqual(chunks[13], { index: 13, delta: "17" })
      const last = chunks[chunks.length - 1]
      assert.strictEqual(last?.finishReason, "stop")
      assert.deepStrictEqual(last?.usage, { inputTokens: 18, outputTokens: 24, totalTokens: 42 })
      assert.strictEqual(
        chunks.map((chunk) => chunk.reasoningDelta ?? "").join(""),
        "Okay, the user wants 17 times 3. That's 51."
      )
      assert.strictEqual(onlyBody(server).think, "high")
    }).pipe(Effect.scoped)
  )

  it.effect(
    "a tool call arrives whole: its object arguments become JSON text, and calls make the finish tool_calls",
    () =>
      Effect.gen(function* () {
        const { server, llm } = yield* harness()
        server.enqueue(FakeOllama.stream(fixtureLines("tool-calls-stream.ndjson")))

        const { chunks, error } = yield* collect(llm.stream({ ...hello("qwen3:8b"), tools: weatherTools }))

        assert.isUndefined(error)
        assert.deepStrictEqual(chunks, toolChunks)
        assert.deepStrictEqual(onlyBody(server).tools, [
          {
            type: "function",
            function: {
              name: "get_weather",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
              description: "Current weather of a city"
            }
          },
          { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } }
        ])
      }).pipe(Effect.scoped)
  )

  it.effect("folding the tool-call stream gives both calls with their ids and parsed arguments", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(fixtureLines("tool-calls-stream.ndjson")))

      const response = yield* fromStream(llm.stream({ ...hello("qwen3:8b"), tools: weatherTools }), {
        provider: "ollama",
        model: "qwen3:8b"
      })

      assert.deepStrictEqual(
        response.toolCalls.map((call) => ({ ...call, arguments: JSON.parse(call.arguments) as unknown })),
        [
          { id: "call_k3n9x2qa", name: "get_weather", arguments: { city: "Paris", unit: "celsius" } },
          { id: "call_7vb0wz1m", name: "get_time", arguments: { tz: "Europe/Paris" } }
        ]
      )
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.content, "")
    }).pipe(Effect.scoped)
  )

  it.effect("a server without tool-call ids gets an id generated per call, unique across calls", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(fixtureLines("tool-call-legacy-stream.ndjson")))
      server.enqueue(FakeOllama.stream(fixtureLines("tool-call-legacy-stream.ndjson")))

      const first = yield* collect(llm.stream(hello("llama3.1")))
      const second = yield* collect(llm.stream(hello("llama3.1")))

      const ids = [first, second].map((run) => {
        assert.isUndefined(run.error)
        const delta = run.chunks[0]?.toolCallDeltas?.[0]
        assert.strictEqual(delta?.name, "get_current_weather")
        assert.deepStrictEqual(JSON.parse(delta?.argumentsDelta ?? ""), { format: "celsius", location: "Paris, FR" })
        assert.strictEqual(run.chunks[1]?.finishReason, "tool_calls")
        return delta?.id ?? ""
      })
      for (const id of ids) assert.match(id, /^call_[0-9a-z]{8}$/)
      assert.notStrictEqual(ids[0], ids[1])
    }).pipe(Effect.scoped)
  )

  it.effect('done_reason "length" → length', () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(fixtureLines("length-stream.ndjson")))

      const response = yield* fromStream(llm.stream({ ...hello(), maxTokens: 5 }), {
        provider: "ollama",
        model: "llama3.2"
      })

      assert.strictEqual(response.content, "Once upon a time,")
      assert.strictEqual(response.finishReason, "length")
      assert.strictEqual(response.rawFinishReason, "length")
      assert.deepStrictEqual(response.usage, { inputTokens: 31, outputTokens: 5, totalTokens: 36 })
      assert.deepStrictEqual(onlyBody(server).options, { num_predict: 5 })
    }).pipe(Effect.scoped)
  )

  it.effect("a done line without done_reason is unknown (or tool_calls when the model called tools)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.chatStream("Hi", { doneReason: null }))
      server.enqueue(
        FakeOllama.chatStream("", { doneReason: null, toolCalls: [{ id: "call_1", name: "f", arguments: {} }] })
      )

      const plain = yield* collect(llm.stream(hello()))
      const withCall = yield* collect(llm.stream(hello()))

      const plainLast = plain.chunks[plain.chunks.length - 1]
      assert.strictEqual(plainLast?.finishReason, "unknown")
      assert.isUndefined(plainLast?.rawFinishReason)
      const callLast = withCall.chunks[withCall.chunks.length - 1]
      assert.strictEqual(callLast?.finishReason, "tool_calls")
    }).pipe(Effect.scoped)
  )

  it.effect(
    '"load" and "unload" answers generated nothing: an empty answer with finish unknown, the raw reason kept',
    () =>
      Effect.gen(function* () {
        const { llm } = yield* harness()

        // No messages asks Ollama to load the model; with keep_alive 0, to unload it (the default route does both).
        const load = yield* collect(llm.stream({ ...hello(), providerOptions: { ollama: { messages: [] } } }))
        const unload = yield* collect(
          llm.stream({ ...hello(), providerOptions: { ollama: { messages: [], keep_alive: 0 } } })
        )

        for (const [run, raw] of [
          [load, "load"],
          [unload, "unload"]
        ] as const) {
          assert.isUndefined(run.error)
          assert.strictEqual(run.chunks.length, 1)
          assert.strictEqual(run.chunks[0]?.delta, "")
          assert.strictEqual(run.chunks[0]?.finishReason, "unknown")
          assert.strictEqual(run.chunks[0]?.rawFinishReason, raw)
          assert.deepStrictEqual(run.chunks[0]?.usage, { inputTokens: 0, outputTokens: 0, totalTokens: 0 })
        }
      }).pipe(Effect.scoped)
  )

  it.effect("the default route echoes the last user message in streamChunks lines with usage on the done line", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness({}, { streamChunks: 3 })

      const { chunks, error } = yield* collect(
        llm.stream({
          model: "llama3.2",
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Echo <this> & that" }
          ]
        })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(
        chunks.map((chunk) => chunk.delta),
        ["Echo <", "this> ", "& that", ""]
      )
      assert.strictEqual(chunks[0]?.model, "llama3.2")
      assert.deepStrictEqual(chunks[3]?.usage, { inputTokens: 7, outputTokens: 5, totalTokens: 12 })
      assert.strictEqual(chunks[3]?.finishReason, "stop")
    }).pipe(Effect.scoped)
  )

  it.effect("a consumer that stops early closes the connection", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.chatStream("one two three four", { chunks: 4 }, { stallAfter: 2 }))

      const taken = yield* Stream.runCollect(Stream.take(llm.stream(hello()), 2))
      yield* Effect.promise(() => server.waitForClientClose(0))

      assert.deepStrictEqual(
        Array.from(taken).map((chunk) => chunk.delta),
        ["one t", "wo th"]
      )
      assert.isTrue(server.requests[0]?.closedByClient)
    }).pipe(Effect.scoped)
  )
})
