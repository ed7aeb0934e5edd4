import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeOpenAi, FakeReply } from "../../../src/testing/FakeProviderServer.js"
import { API_KEY, fixtureJson, fixtureText, harness, hello, onlyBody, onlyRequest } from "./helpers.js"

const jsonFixture = (name: string, headers: Record<string, string> = {}) =>
  FakeReply.text(fixtureText(name), { contentType: "application/json", headers })

describe("OpenAi chat", () => {
  it.effect("maps a completion: content, usage with cached and reasoning tokens, ids, finish reason", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonFixture("completion-text.json", { "x-request-id": "req_7b9e0c41d2a3f5" }))

      const response = yield* llm.chat({
        model: "o4-mini",
        messages: [{ role: "user", content: "What is the capital of France?" }]
      })

      assert.deepStrictEqual(response, {
        id: "chatcmpl-C3xSe4Qg0AcRl5Jt8VmYu7DxO3Ioq",
        model: "o4-mini-2025-04-16",
        provider: "openai",
        created: 1754870533,
        content: "Paris is the capital of France.",
        toolCalls: [],
        finishReason: "stop",
        rawFinishReason: "stop",
        usage: {
          inputTokens: 1290,
          outputTokens: 212,
          totalTokens: 1502,
          reasoningTokens: 192,
          cacheReadTokens: 1024
        },
        requestId: "req_7b9e0c41d2a3f5"
      })
      const request = onlyRequest(server)
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.path, "/v1/chat/completions")
      assert.match(request.headers["content-type"] ?? "", /^application\/json/)
      assert.deepStrictEqual(request.body, {
        model: "o4-mini",
        messages: [{ role: "user", content: "What is the capital of France?" }]
      })
    }).pipe(Effect.scoped)
  )

  it.effect("takes the request id from x-request-id and keeps the system fingerprint as metadata", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.requestId, "req_fake_1")
      assert.strictEqual(response.id, "chatcmpl-fake-1")
      assert.strictEqual(response.content, "Hello")
      assert.deepStrictEqual(response.providerMetadata, { openai: { systemFingerprint: "fp_fake" } })
      assert.deepStrictEqual(response.usage, {
        inputTokens: 2,
        outputTokens: 2,
        totalTokens: 4,
        reasoningTokens: 0,
        cacheReadTokens: 0
      })
      assert.strictEqual(onlyBody(server).stream, undefined)
    }).pipe(Effect.scoped)
  )

  it.effect("surfaces a structured-output refusal and leaves content empty", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonFixture("completion-refusal.json"))

      const response = yield* llm.chat({
        model: "gpt-4o",
        messages: [{ role: "user", content: "Explain how to pick a lock." }],
        responseFormat: { type: "json_schema", name: "steps", schema: { type: "object", properties: {} } }
      })

      assert.strictEqual(response.refusal, "I'm sorry, I can't help with that.")
      assert.strictEqual(response.content, "")
      assert.strictEqual(response.finishReason, "stop")
      assert.deepStrictEqual(response.toolCalls, [])
      assert.deepStrictEqual(onlyBody(server).response_format, {
        type: "json_schema",
        json_schema: { name: "steps", schema: { type: "object", properties: {} } }
      })
    }).pipe(Effect.scoped)
  )

  it.effect("reads tool calls of a non-streamed response", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      server.enqueue(jsonFixture("completion-tool-calls.json"))

      const response = yield* llm.chat({
        model: "gpt-4o",
        messages: [{ role: "user", content: "Weather and time in Paris?" }],
        tools: [
          { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
          { name: "get_time", parameters: { type: "object", properties: { tz: { type: "string" } } } }
        ]
      })

      assert.deepStrictEqual(response.toolCalls, [
        { id: "call_Ab3dE5fG7hI9jK1lM3nO5pQ7", name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' },
        { id: "call_Rs2tU4vW6xY8zA0bC2dE4fG6", name: "get_time", arguments: '{"tz":"Europe/Paris"}' }
      ])
      assert.deepStrictEqual(
        response.toolCalls.map((call) => JSON.parse(call.arguments) as unknown),
        [{ city: "Paris", unit: "celsius" }, { tz: "Europe/Paris" }]
      )
      assert.strictEqual(response.content, "")
      assert.strictEqual(response.finishReason, "tool_calls")
      assert.strictEqual(response.rawFinishReason, "tool_calls")
      assert.deepStrictEqual(response.providerMetadata, { openai: { systemFingerprint: "fp_07871e2ad8" } })
      const tools = onlyBody(server).tools as ReadonlyArray<{ readonly function: { readonly name: string } }>
      assert.deepStrictEqual(
        tools.map((tool) => tool.function.name),
        ["get_weather", "get_time"]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("maps legacy and unknown finish reasons, keeping the raw value", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness()
      const withFinish = (finish: string) => {
        const body = FakeOpenAi.chatCompletion("hi", { id: "chatcmpl-x" }) as {
          choices: Array<Record<string, unknown>>
        }
        body.choices[0]!.finish_reason = finish
        return FakeReply.json(body)
      }
      server.enqueue(withFinish("function_call"), withFinish("some_new_reason"))

      const legacy = yield* llm.chat(hello())
      const unknown = yield* llm.chat(hello())

      assert.strictEqual(legacy.finishReason, "tool_calls")
      assert.strictEqual(legacy.rawFinishReason, "function_call")
      assert.strictEqual(unknown.finishReason, "unknown")
      assert.strictEqual(unknown.rawFinishReason, "some_new_reason")
      assert.strictEqual(server.requests.length, 2)
    }).pipe(Effect.scoped)
  )

  it.effect("sends the key as Authorization: Bearer and no organisation headers by default", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({}, { apiKey: API_KEY })

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.content, "Hello")
      const { headers } = onlyRequest(server)
      assert.strictEqual(headers.authorization, `Bearer ${API_KEY}`)
      assert.strictEqual(headers["openai-organization"], undefined)
      assert.strictEqual(headers["openai-project"], undefined)
    }).pipe(Effect.scoped)
  )

  it.effect("sends OpenAI-Organization, OpenAI-Project and extra headers when given", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness({
        organization: "org-Zq81YbWc3",
        project: "proj_Hn4kT0aLx",
        headers: { "x-trace": "trace-42" }
      })

      const response = yield* llm.chat(hello())

      assert.strictEqual(response.requestId, "req_fake_1")
      const { headers } = onlyRequest(server)
      assert.strictEqual(headers["openai-organization"], "org-Zq81YbWc3")
      assert.strictEqual(headers["openai-project"], "proj_Hn4kT0aLx")
      assert.strictEqual(headers["x-trace"], "trace-42")
      assert.strictEqual(headers.authorization, `Bearer ${API_KEY}`)
    }).pipe(Effect.scoped)
  )

  it.effect("accepts a base URL with a trailing slash", () =>
    Effect.gen(function* () {
      const { server, llm } = yield* harness((url) => ({ baseUrl: `${url}/v1/` }))
      server.enqueue(FakeReply.json(fixtureJson("completion-text.json")))

      const response = yield* llm.chat(hello("o4-mini"))

      assert.strictEqual(response.content, "Paris is the capital of France.")
      assert.strictEqual(onlyRequest(server).path, "/v1/chat/completions")
    }).pipe(Effect.scoped)
  )
})
