import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import {
  collect,
  compatible,
  fold,
  hello,
  jsonReply,
  onlyRequest,
  runTest,
  sseReply,
  startServer,
  v1,
  weatherTool
} from "./harness.js"

const mistral = (url: string) => compatible({ preset: "mistral", baseUrl: url, apiKey: "mistral-test-key" })

const timeTool = { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } }

// A second turn: the model called two tools, and both results go back.
const toolTurn: ChatRequest = {
  model: "mistral-small-latest",
  messages: [
    { role: "user", content: "Weather in Paris and the time in CET?" },
    {
      role: "assistant",
      content: null,
      toolCalls: [
        { id: "D681PevKs", name: "get_weather", arguments: '{"city": "Paris"}' },
        { id: "k3Xq9LmPz", name: "get_time", arguments: '{"zone": "CET"}' }
      ]
    },
    { role: "tool", toolCallId: "k3Xq9LmPz", content: "14:05" },
    { role: "tool", toolCallId: "D681PevKs", content: '{"temp": 21}' }
  ],
  tools: [weatherTool, timeTool],
  toolChoice: "required",
  seed: 42
}

describe("Mistral request body", () => {
  it.effect("sends toolChoice required as any and seed as random_seed", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* mistral(v1(server))
        yield* llm.chat(toolTurn)

        const { body, headers } = onlyRequest(server)
        assert.strictEqual(headers.authorization, "Bearer mistral-test-key")
        assert.strictEqual(body.tool_choice, "any")
        assert.strictEqual(body.random_seed, 42)
        assert.notProperty(body, "seed")
      })
    )
  )

  it.effect("names each tool result after the assistant tool call it answers", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* mistral(v1(server))
        yield* llm.chat(toolTurn)

        const messages = onlyRequest(server).body.messages as ReadonlyArray<Record<string, unknown>>
        assert.deepStrictEqual(messages.slice(2), [
          { role: "tool", tool_call_id: "k3Xq9LmPz", content: "14:05", name: "get_time" },
          { role: "tool", tool_call_id: "D681PevKs", content: '{"temp": 21}', name: "get_weather" }
        ])
      })
    )
  )

  it.effect("sends no stream_options (Mistral rejects unknown fields and reports usage by itself)", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("mistral", "length-stream.sse"))
        const llm = yield* mistral(v1(server))
        yield* collect(llm.stream(hello("mistral-large-latest")))

        const { body } = onlyRequest(server)
        assert.strictEqual(body.stream, true)
        assert.notProperty(body, "stream_options")
      })
    )
  )
  it.effect("leaves out name on user and assistant messages, which Mistral's schema rejects as extra inputs", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* mistral(v1(server))
        yield* llm.chat({
          model: "mistral-small-latest",
          messages: [
            { role: "user", content: "Hi, I am Ada", name: "ada" },
            { role: "assistant", content: "Hello Ada", name: "helper" },
            { role: "user", content: "What is my name?", name: "ada" }
          ]
        })
        const messages = onlyRequest(server).body.messages as ReadonlyArray<Record<string, unknown>>
        assert.deepStrictEqual(
          messages.map((message) => Object.keys(message).sort()),
          [
            ["content", "role"],
            ["content", "role"],
            ["content", "role"]
          ]
        )
      })
    )
  )

  it.effect("does not send user, a field Mistral's chat request does not have", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        const llm = yield* mistral(v1(server))
        yield* llm.chat({ ...hello("mistral-small-latest"), user: "user-1234" })
        assert.notProperty(onlyRequest(server).body, "user")
      })
    )
  )
})

describe("Mistral responses", () => {
  it.effect("reads usage from the last chunk of a stream sent without stream_options", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("mistral", "length-stream.sse"))
        const llm = yield* mistral(v1(server))

        const chunks = yield* collect(llm.stream(hello("mistral-large-latest")))
        const last = chunks[chunks.length - 1]!
        assert.deepStrictEqual(last.usage, { inputTokens: 31992, outputTokens: 776, totalTokens: 32768 })
        assert.strictEqual(fold(chunks, "mistral", "mistral-large-latest").content, "Once upon a time")
      })
    )
  )

  it.effect("maps finish_reason model_length to length", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("mistral", "length-stream.sse"))
        const llm = yield* mistral(v1(server))

        const response = fold(yield* collect(llm.stream(hello("mistral-large-latest"))), "mistral", "m")
        assert.strictEqual(response.finishReason, "length")
        assert.strictEqual(response.rawFinishReason, "model_length")
      })
    )
  )

  it.effect("folds tool calls that come without index or type, two in one delta, with the finish reason", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("mistral", "tool-call-stream.sse"))
        const llm = yield* mistral(v1(server))

        const chunks = yield* collect(llm.stream({ ...hello("mistral-small-latest"), tools: [weatherTool] }))
        const deltas = chunks.flatMap((chunk) => chunk.toolCallDeltas ?? [])
        assert.deepStrictEqual(
          deltas.map((delta) => [delta.index, delta.id]),
          [
            [0, "D681PevKs"],
            [1, "k3Xq9LmPz"]
          ]
        )
        const response = fold(chunks, "mistral", "mistral-small-latest")
        assert.deepStrictEqual(response.toolCalls, [
          { id: "D681PevKs", name: "get_weather", arguments: '{"city": "Paris"}' },
          { id: "k3Xq9LmPz", name: "get_weather", arguments: '{"city": "Lyon"}' }
        ])
        assert.strictEqual(response.finishReason, "tool_calls")
        assert.deepStrictEqual(response.usage, { inputTokens: 88, outputTokens: 34, totalTokens: 122 })
      })
    )
  )

  it.effect("separates Magistral thinking chunks from the answer in a non-streaming response", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("mistral", "magistral.json"))
        const llm = yield* mistral(v1(server))

        const response = yield* llm.chat(hello("magistral-medium-2507"))
        assert.strictEqual(response.reasoning, "The user asks for 2+2. That is 4.")
        assert.strictEqual(response.content, "2 + 2 = 4")
        assert.deepStrictEqual(response.toolCalls, [])
        assert.strictEqual(response.finishReason, "stop")
      })
    )
  )

  it.effect("streams Magistral thinking chunks as reasoningDelta and text chunks as delta", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(sseReply("mistral", "magistral-stream.sse"))
        const llm = yield* mistral(v1(server))

        const chunks = yield* collect(llm.stream(hello("magistral-medium-2507")))
        assert.deepStrictEqual(
          chunks.map((chunk) => [chunk.reasoningDelta, chunk.delta]),
          [
            ["The user asks for 2+2.", ""],
            [" That is 4.", ""],
            [undefined, "2 + 2 = 4"],
            [undefined, ""]
          ]
        )
        const response = fold(chunks, "mistral", "magistral-medium-2507")
        assert.strictEqual(response.reasoning, "The user asks for 2+2. That is 4.")
        assert.strictEqual(response.content, "2 + 2 = 4")
      })
    )
  )
})

describe("Mistral errors", () => {
  it.effect("reads the flat error body: message and code reach the error", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("mistral", "invalid-model.json", { status: 400 }))
        const llm = yield* mistral(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("mistral-huge-latest")))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(error.provider, "mistral")
        assert.strictEqual(error.status, 400)
        assert.strictEqual(error.code, "1500")
        assert.include(error.message, "Invalid model: mistral-huge-latest")
        assert.notInclude(error.message, '"object"')
      })
    )
  )

  it.effect("reads a 422 validation error whose message is an object: the field at fault and the type", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("mistral", "extra-forbidden.json", { status: 422 }))
        const llm = yield* mistral(v1(server))

        const error = yield* Effect.flip(llm.chat(hello("mistral-small-latest")))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(error.status, 422)
        assert.isFalse(error.retryable)
        assert.include(error.message, "Extra inputs are not permitted")
        assert.include(error.message, "max_completion_tokens")
        assert.strictEqual(error.code, "invalid_request_error")
      })
    )
  )
})

describe("Mistral embeddings", () => {
  it.effect("asks for float vectors by default and reads them in input order", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("mistral", "embeddings.json"))
        const llm = yield* mistral(v1(server))

        const response = yield* llm.embed({ model: "mistral-embed", input: ["first", "second"] })
        const { body, path } = onlyRequest(server)
        assert.strictEqual(path, "/v1/embeddings")
        assert.deepStrictEqual(body, { model: "mistral-embed", input: ["first", "second"], encoding_format: "float" })
        assert.strictEqual(response.provider, "mistral")
        assert.deepStrictEqual(response.embeddings, [
          [-0.0389404296875, 0.048065185546875, 0.07159423828125, 0.00139617919921875],
          [-0.0535888671875, 0.019500732421875, 0.057464599609375, 0.0029582977294921875]
        ])
        assert.strictEqual(response.usage.inputTokens, 16)
      })
    )
  )

  it.effect("sends dimensions as output_dimension, the only spelling Mistral's strict schema accepts", () =>
    runTest(
      Effect.gen(function* () {
        const server = yield* startServer
        server.enqueue(jsonReply("mistral", "embeddings.json"))
        const llm = yield* mistral(v1(server))

        yield* llm.embed({ model: "codestral-embed", input: ["first", "second"], dimensions: 256 })
        const { body } = onlyRequest(server)
        assert.strictEqual(body.output_dimension, 256)
        assert.notProperty(body, "dimensions")
      })
    )
  )
})
