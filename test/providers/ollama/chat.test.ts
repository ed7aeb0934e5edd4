import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import { fromStream, toAssistantMessage } from "../../../src/core/ChatResponse.js"
import type { Message } from "../../../src/core/Message.js"
import { FakeOllama } from "../../../src/testing/FakeOllama.js"
import { FakeReply } from "../../../src/testing/FakeProviderServer.js"
import {
  bodyOf,
  collect,
  fixtureLines,
  fixtureText,
  harness,
  hello,
  onlyBody,
  onlyRequest,
  seconds
} from "./helpers.js"

const weatherTool = {
  name: "get_weather",
  description: "Current weather of a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
}

const PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="

describe("Ollama chat (stream: false)", () => {
  it.effect("reads a whole answer: text, model, created, finish, usage and timings", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.text(fixtureText("chat-text.json"), { contentType: "application/json; charset=utf-8" }))

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.provider, "ollama")
      assert.strictEqual(response.model, "llama3.2")
      assert.strictEqual(response.content, "Hello! How are you today?")
      assert.strictEqual(response.created, seconds("2025-11-06T09:50:17.416799Z"))
      assert.strictEqual(response.finishReason, "stop")
      assert.strictEqual(response.rawFinishReason, "stop")
      assert.deepStrictEqual(response.usage, { inputTokens: 26, outputTokens: 8, totalTokens: 34 })
      assert.deepStrictEqual(response.toolCalls, [])
      assert.deepStrictEqual(response.providerMetadata, {
        ollama: {
          totalDuration: 519156641,
          loadDuration: 2154458,
          promptEvalDuration: 38380900,
          evalDuration: 479992100
        }
      })
      // Ollama has no response id: the client makes one.
      assert.match(response.id, /^chatcmpl-/)
      const request = onlyRequest(server)
      assert.strictEqual(request.path, "/api/chat")
      assert.deepStrictEqual(request.body, {
        model: "llama3.2",
        messages: [{ role: "user", content: "Hello" }],
        stream: false
      })
    }).pipe(Effect.scoped)
  )

  it.effect("reads tool calls (object arguments as JSON text) and the thinking of a whole answer", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeReply.text(fixtureText("chat-tool-calls.json"), { contentType: "application/json" }))

      const response = yield* llm.chat({ ...hello("qwen3:8b", "Weather in Paris and London?"), tools: [weatherTool] })

      assert.deepStrictEqual(response.toolCalls, [
        { id: "call_2m4q8r1x", name: "get_weather", arguments: '{"city":"Paris"}' },
        { id: "call_9d0f6w3e", name: "get_weather", arguments: '{"city":"London"}' }
      ])
      assert.strictEqual(
        response.reasoning,
        "The user asks for the weather in Paris & London; I'll call the tool twice."
      )
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.rawFinishReason, "stop")
      assert.strictEqual(response.content, "")
    }).pipe(Effect.scoped)
  )

  it.effect("the default route answers a whole chat by echo", () =>
    Effect.gen(function* () {
      const { llm } = yield* harness()

      const response = yield* llm.chat(hello("llama3.2", "Say it back"))

      assert.strictEqual(response.content, "Say it back")
      assert.strictEqual(response.finishReason, "stop")
      assert.deepStrictEqual(response.usage, { inputTokens: 3, outputTokens: 3, totalTokens: 6 })
    }).pipe(Effect.scoped)
  )
})

describe("Ollama tool-result follow-up turn", () => {
  const expectedSecondTurn = (callId: string) => [
    { role: "user", content: "Weather in Paris?" },
    {
      role: "assistant",
      content: "",
      tool_calls: [{ id: callId, function: { name: "get_weather", arguments: { city: "Paris" } } }]
    },
    { role: "tool", content: '{"temperature":18}', tool_name: "get_weather", tool_call_id: callId }
  ]

  it.effect("chat: the call goes back with object arguments, the result with tool_name and tool_call_id", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeOllama.chatResponse("", {
          model: "qwen3:8b",
          toolCalls: [{ id: "call_5xk2p9qa", name: "get_weather", arguments: { city: "Paris" } }]
        }),
        FakeOllama.chatResponse("It is 18°C in Paris.", { model: "qwen3:8b" })
      )
      const messages: Array<Message> = [{ role: "user", content: "Weather in Paris?" }]

      const first = yield* llm.chat({ model: "qwen3:8b", messages, tools: [weatherTool] })
      const call = first.toolCalls[0]!
      messages.push(toAssistantMessage(first), { role: "tool", toolCallId: call.id, content: '{"temperature":18}' })
      const second = yield* llm.chat({ model: "qwen3:8b", messages, tools: [weatherTool] })

      assert.strictEqual(first.finishReason, "tool_calls")
      assert.strictEqual(call.id, "call_5xk2p9qa")
      assert.strictEqual(second.content, "It is 18°C in Paris.")
      assert.strictEqual(second.finishReason, "stop")
      const secondBody = bodyOf(server.requests[1]!)
      assert.deepStrictEqual(secondBody.messages, expectedSecondTurn("call_5xk2p9qa"))
      assert.strictEqual(secondBody.stream, false)
    }).pipe(Effect.scoped)
  )

  it.effect("stream: a generated id (server without ids) still ties the result to its call, reasoning goes back", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(
        FakeOllama.chatStream("", {
          model: "qwen3:8b",
          thinking: "Need the weather tool.",
          toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }]
        }),
        FakeOllama.chatStream("It is 18°C in Paris.", { model: "qwen3:8b" })
      )
      const messages: Array<Message> = [{ role: "user", content: "Weather in Paris?" }]

      const first = yield* fromStream(llm.stream({ model: "qwen3:8b", messages, tools: [weatherTool] }), {
        provider: "ollama",
        model: "qwen3:8b"
      })
      const call = first.toolCalls[0]!
      messages.push(toAssistantMessage(first), { role: "tool", toolCallId: call.id, content: '{"temperature":18}' })
      const second = yield* collect(llm.stream({ model: "qwen3:8b", messages, tools: [weatherTool] }))

      assert.match(call.id, /^call_[0-9a-z]{8}$/)
      assert.strictEqual(first.reasoning, "Need the weather tool.")
      assert.isUndefined(second.error)
      assert.strictEqual(second.chunks.map((chunk) => chunk.delta).join(""), "It is 18°C in Paris.")
      const [user, assistant, tool] = expectedSecondTurn(call.id)
      assert.deepStrictEqual(bodyOf(server.requests[1]!).messages, [
        user,
        { ...assistant, thinking: "Need the weather tool." },
        tool
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("a tool message names its tool itself when given a name, even without the assistant turn", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({
        model: "llama3.2",
        messages: [
          { role: "user", content: "Hi" },
          { role: "tool", toolCallId: "call_x", name: "lookup", content: "42" }
        ]
      })

      assert.deepStrictEqual((onlyBody(server).messages as Array<unknown>)[1], {
        role: "tool",
        content: "42",
        tool_name: "lookup",
        tool_call_id: "call_x"
      })
    }).pipe(Effect.scoped)
  )

  it.effect("tool-call arguments that are not a JSON object fail before the network, naming the field", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const withArguments = (text: string): ChatRequest => ({
        model: "llama3.2",
        messages: [
          { role: "user", content: "Hi" },
          { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "f", arguments: text }] },
          { role: "tool", toolCallId: "c1", content: "ok" }
        ]
      })

      const chat = yield* Effect.flip(llm.chat(withArguments("[1,2]")))
      const streamed = yield* collect(llm.stream(withArguments("[1,2]")))
      const notJson = yield* Effect.flip(llm.chat(withArguments("{oops")))

      for (const error of [chat, streamed.error, notJson]) {
        assert.strictEqual(error?._tag, "InvalidRequestError")
        assert.isTrue(error?._tag === "InvalidRequestError" && error.param === "messages[1].toolCalls[0].arguments")
      }
      assert.include(chat.message, "not a JSON object")
      assert.include(notJson.message, "not valid JSON")
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )
})

describe("Ollama images", () => {
  it.effect("base64 parts and data URIs go out as raw base64 in images, text parts joined in content", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      yield* llm.chat({
        model: "llava",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "What is in " },
              { type: "image", data: PIXEL, mimeType: "image/png" },
              { type: "text", text: "these images?" },
              { type: "image", url: `data:image/png;base64,${PIXEL}`, detail: "high" }
            ]
          }
        ]
      })

      assert.deepStrictEqual(onlyBody(server).messages, [
        { role: "user", content: "What is in these images?", images: [PIXEL, PIXEL] }
      ])
    }).pipe(Effect.scoped)
  )

  it.effect("an image URL fails with UnsupportedError before the network (the native API takes base64 only)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const request = {
        model: "llava",
        messages: [
          {
            role: "user" as const,
            content: [
              { type: "text" as const, text: "What is this?" },
              { type: "image" as const, url: "https://example.com/cat.jpg" }
            ]
          }
        ]
      }

      const chat = yield* Effect.flip(llm.chat(request))
      const streamed = yield* collect(llm.stream(request))

      for (const error of [chat, streamed.error]) {
        assert.strictEqual(error?._tag, "UnsupportedError")
        assert.isTrue(error?._tag === "UnsupportedError" && error.feature === "image_url")
        assert.include(error?.message, "messages[0].content[1]")
        assert.include(error?.message, "base64")
      }
      assert.strictEqual(server.requests.length, 0)
    }).pipe(Effect.scoped)
  )

  it.effect("the stream of a vision answer reads like any other (fixture lines through the default framing)", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(FakeOllama.stream(fixtureLines("text-stream.ndjson")))

      const { error } = yield* collect(
        llm.stream({
          model: "llava",
          messages: [{ role: "user", content: [{ type: "image", data: PIXEL, mimeType: "image/png" }] }]
        })
      )

      assert.isUndefined(error)
      assert.deepStrictEqual(onlyBody(server).messages, [{ role: "user", content: "", images: [PIXEL] }])
    }).pipe(Effect.scoped)
  )
})
