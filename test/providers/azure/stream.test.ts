import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { FakeAzure } from "../../../src/testing/FakeAzure.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { collect, GA_VERSION, harness, hello, onlyRequest, plain, sseReply, weatherTool } from "./helpers.js"

const TEXT_ID = "chatcmpl-E892Aoy89ODQ3TyvXXjI5UFYxqwFj"
const TOOL_ID = "chatcmpl-ApohIw9hJ9OVHrr7P75dYmwSvFiS6"

const textChunks: ReadonlyArray<StreamChunk> = [
  // The prompt_filter_results event (choices [], empty id and model, created 0) carried nothing: index 0 is the
  // role delta, and the identity is the answer's, not the empty one.
  { index: 0, delta: "", id: TEXT_ID, model: "gpt-4.1-mini-2025-04-14", created: 1785610058 },
  { index: 1, delta: "The" },
  { index: 2, delta: " capital of" },
  { index: 3, delta: " France is" },
  { index: 4, delta: " Paris." },
  { index: 5, delta: "", finishReason: "stop", rawFinishReason: "stop" },
  {
    index: 6,
    delta: "",
    usage: { inputTokens: 1324, outputTokens: 7, totalTokens: 1331, reasoningTokens: 0, cacheReadTokens: 1152 }
  }
]

const streamedBody = (model: string) => ({
  model,
  messages: [{ role: "user", content: "Hello" }],
  stream: true,
  stream_options: { include_usage: true }
})

describe("Azure stream", () => {
  it.effect("skips the prompt_filter_results first event and numbers the answer's chunks from 0", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("text-usage.sse", { headers: { "apim-request-id": "apim-s1" } }))

      const { chunks, error } = yield* collect(llm.stream(hello("gpt-41-mini")))

      assert.isUndefined(error)
      assert.deepStrictEqual(plain(chunks), textChunks)
      assert.strictEqual(chunks[0]?.requestId, "apim-s1")
      assert.deepStrictEqual(chunks[0]?.rateLimit, { remainingRequests: 99, remainingTokens: 99000 })
      const request = onlyRequest(server)
      assert.strictEqual(request.path, `/openai/deployments/gpt-41-mini/chat/completions?api-version=${GA_VERSION}`)
      assert.strictEqual(request.headers.accept, "text/event-stream")
      assert.deepStrictEqual(request.body, streamedBody("gpt-41-mini"))
    }).pipe(Effect.scoped)
  )

  it.effect("chat through the stream folds text, finish and usage (cached tokens too)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("text-usage.sse"))

      const response = yield* fromStream(llm.stream(hello()), { provider: "azure", model: "gpt-4o" })

      assert.strictEqual(response.id, TEXT_ID)
      assert.strictEqual(response.content, "The capital of France is Paris.")
      assert.strictEqual(response.finishReason, "stop")
      assert.deepStrictEqual(response.usage, textChunks[6]!.usage)
    }).pipe(Effect.scoped)
  )

  it.effect("the default route streams in Azure's framing on both routes", () =>
    Effect.gen(function* () {
      for (const route of ["deployments", "v1"] as const) {
        const { server, llm } = yield* harness({ route }, { streamChunks: 3 })
        const request: ChatRequest = { model: "gpt-4o", messages: [{ role: "user", content: "Stream me, Azure." }] }

        const { chunks, error } = yield* collect(llm.stream(request))

        assert.isUndefined(error)
        assert.deepStrictEqual(
          chunks.map((chunk) => chunk.delta),
          ["", "Stream", " me, A", "zure.", "", ""]
        )
        assert.strictEqual(chunks[0]?.id, "chatcmpl-fake-1")
        assert.strictEqual(chunks[0]?.requestId, "00000000-0000-4000-8000-000000000001")
        assert.strictEqual(chunks[4]?.finishReason, "stop")
        assert.deepStrictEqual(chunks[5]?.usage, {
          inputTokens: 5,
          outputTokens: 5,
          totalTokens: 10,
          reasoningTokens: 0,
          cacheReadTokens: 0
        })
        assert.strictEqual(
          onlyRequest(server).path,
          route === "v1"
            ? "/openai/v1/chat/completions"
            : `/openai/deployments/gpt-4o/chat/completions?api-version=${GA_VERSION}`
        )
      }
    }).pipe(Effect.scoped)
  )

  it.effect("streams parallel tool calls as deltas with dense indices, ending in tool_calls", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("tool-calls.sse"))

      const { chunks, error } = yield* collect(
        llm.stream({ ...hello(), tools: [weatherTool, { name: "get_time" }], parallelToolCalls: true })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(plain(chunks), [
        {
          index: 0,
          delta: "",
          id: TOOL_ID,
          model: "gpt-4o-2024-08-06",
          created: 1736912972,
          toolCallDeltas: [{ index: 0, id: "call_sJFuv3SdQtxoaCccGBPiPY53", name: "get_weather", argumentsDelta: "" }]
        },
        { index: 1, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: '{"city": ' }] },
        { index: 2, delta: "", toolCallDeltas: [{ index: 0, argumentsDelta: '"Paris"}' }] },
        {
          index: 3,
          delta: "",
          toolCallDeltas: [{ index: 1, id: "call_RleVQfBwjkh4jez8JowsMSE1", name: "get_time", argumentsDelta: "" }]
        },
        { index: 4, delta: "", toolCallDeltas: [{ index: 1, argumentsDelta: '{"tz": "Europe/Paris"}' }] },
        { index: 5, delta: "", finishReason: "tool_calls", rawFinishReason: "tool_calls" },
        {
          index: 6,
          delta: "",
          usage: { inputTokens: 88, outputTokens: 51, totalTokens: 139, reasoningTokens: 0, cacheReadTokens: 0 }
        }
      ])
      assert.strictEqual(onlyRequest(server).body.parallel_tool_calls, true)
    }).pipe(Effect.scoped)
  )

  it.effect("a tool result goes back in the next turn as the assistant's tool_calls and a tool message", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("tool-calls.sse"))
      const first: ChatRequest = {
        model: "gpt-4o",
        messages: [{ role: "user", content: "Weather and time in Paris?" }],
        tools: [weatherTool, { name: "get_time" }]
      }

      const asked = yield* fromStream(llm.stream(first), { provider: "azure", model: "gpt-4o" })
      assert.deepStrictEqual(
        asked.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)]),
        [
          ["get_weather", { city: "Paris" }],
          ["get_time", { tz: "Europe/Paris" }]
        ]
      )

      const second: ChatRequest = {
        ...first,
        messages: [
          ...first.messages,
          toAssistantMessage(asked),
          { role: "tool", toolCallId: asked.toolCalls[0]!.id, content: '{"temperature":18}' },
          { role: "tool", toolCallId: asked.toolCalls[1]!.id, content: '{"time":"14:05"}' }
        ]
      }
      const answer = yield* llm.chat(second)

      assert.strictEqual(answer.content, "Weather and time in Paris?")
      assert.strictEqual(server.requests.length, 2)
      const body = server.requests[1]!.body as { messages: ReadonlyArray<unknown> }
      assert.deepStrictEqual(body.messages, [
        { role: "user", content: "Weather and time in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_sJFuv3SdQtxoaCccGBPiPY53",
              type: "function",
              function: { name: "get_weather", arguments: '{"city": "Paris"}' }
            },
            {
              id: "call_RleVQfBwjkh4jez8JowsMSE1",
              type: "function",
              function: { name: "get_time", arguments: '{"tz": "Europe/Paris"}' }
            }
          ]
        },
        { role: "tool", tool_call_id: "call_sJFuv3SdQtxoaCccGBPiPY53", content: '{"temperature":18}' },
        { role: "tool", tool_call_id: "call_RleVQfBwjkh4jez8JowsMSE1", content: '{"time":"14:05"}' }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("finish length", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("finish-length.sse"))

      const response = yield* fromStream(llm.stream({ ...hello(), maxTokens: 5 }), { provider: "azure", model: "m" })

      assert.strictEqual(response.content, "Hello! It looks like")
      assert.strictEqual(response.finishReason, "length")
      assert.strictEqual(response.rawFinishReason, "length")
      assert.strictEqual(response.usage.outputTokens, 5)
      assert.strictEqual(onlyRequest(server).body.max_tokens, 5)
    }).pipe(Effect.scoped)
  )

  it.effect("an answer blocked mid-stream keeps the text before the block and ends content_filter, without usage", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("content-filter.sse"))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      // Azure ends a blocked answer with a finish chunk and [DONE]: a finish reason (providers.md §9), not an error.
      assert.isUndefined(error)
      assert.deepStrictEqual(plain(chunks), [
        {
          index: 0,
          delta: "",
          id: "chatcmpl-EJEutqAFspAZFB7NOhd08tRyVah11",
          model: "gpt-4.1-mini-2025-04-14",
          created: 1788254279
        },
        { index: 1, delta: "The knight drew" },
        { index: 2, delta: " his sword" },
        { index: 3, delta: "", finishReason: "content_filter", rawFinishReason: "content_filter" }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("FakeAzure.chatCompletionChunks scripts a blocked answer the same way", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeReply.stream(
          FakeAzure.chatCompletionChunks("Once upon", { finishReason: "content_filter", includeUsage: true })
        )
      )

      const response = yield* fromStream(llm.stream(hello()), { provider: "azure", model: "gpt-4o" })

      assert.strictEqual(response.content, "Once upon")
      assert.strictEqual(response.finishReason, "content_filter")
      // No usage chunk follows a block, even when asked for.
      assert.deepStrictEqual(response.usage, { inputTokens: 0, outputTokens: 0, totalTokens: 0 })
    }).pipe(Effect.scoped)
  )

  it.effect("asynchronous-filter annotations (no delta, empty id) carry nothing and do not disturb the chunks", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("async-filter.sse"))

      const { chunks, error } = yield* collect(llm.stream(hello()))

      assert.isUndefined(error)
      assert.deepStrictEqual(
        plain(chunks).map(({ index, delta, finishReason }) =>
          finishReason === undefined ? { index, delta } : { index, delta, finishReason }
        ),
        [
          { index: 0, delta: "" },
          { index: 1, delta: "Colors" },
          { index: 2, delta: " of the rainbow" },
          { index: 3, delta: "", finishReason: "stop" },
          { index: 4, delta: "" }
        ]
      )
      assert.strictEqual(chunks[0]?.id, "chatcmpl-BYcvCkaKJjQIM7e2j6vg08RIcY8qp")
      assert.strictEqual(chunks[4]?.usage?.totalTokens, 16)
    }).pipe(Effect.scoped)
  )

  it.effect("a reasoning deployment's usage counts reasoning and cached tokens", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(sseReply("reasoning-usage.sse"))

      const response = yield* fromStream(llm.stream({ ...hello("o3-mini"), maxTokens: 1000 }), {
        provider: "azure",
        model: "o3-mini"
      })

      assert.strictEqual(response.content, "17 is prime.")
      assert.strictEqual(response.model, "o3-mini-2025-01-31")
      assert.deepStrictEqual(response.usage, {
        inputTokens: 1560,
        outputTokens: 213,
        totalTokens: 1773,
        reasoningTokens: 192,
        cacheReadTokens: 1408
      })
      assert.strictEqual(onlyRequest(server).body.max_completion_tokens, 1000)
    }).pipe(Effect.scoped)
  )
})
