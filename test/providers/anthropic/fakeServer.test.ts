// The Anthropic dialect of FakeProviderServer, spoken to over plain HTTP: it must refuse what Anthropic refuses, so
// that the provider tests catch conversion mistakes, and frame its streams like Anthropic does.
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeAnthropic } from "../../../src/testing/FakeAnthropic.js"
import { FakeProviderServer } from "../../../src/testing/FakeProviderServer.js"
import { MODEL } from "./helpers.js"

const KEY = "sk-ant-api03-FAKE-SERVER-KEY-42"

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": KEY, ...headers },
      body: JSON.stringify(body)
    })
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

const valid = { model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "Hi" }] }

const refusals: ReadonlyArray<readonly [string, unknown, string]> = [
  ["no max_tokens", { model: MODEL, messages: valid.messages }, "max_tokens: Field required"],
  ["no messages", { model: MODEL, max_tokens: 10 }, "messages: Field required"],
  ["a system role", { ...valid, messages: [{ role: "system", content: "x" }] }, "messages.0.role"],
  [
    "two user turns in a row",
    { ...valid, messages: [valid.messages[0], valid.messages[0]] },
    'roles must alternate between "user" and "assistant"'
  ],
  ["temperature above 1", { ...valid, temperature: 1.3 }, "temperature: Input should be less than or equal to 1"],
  [
    "a tool_use without its tool_result first in the next turn",
    {
      ...valid,
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_9", name: "f", input: {} }] },
        { role: "user", content: [{ type: "text", text: "well?" }] }
      ]
    },
    "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_9"
  ],
  [
    "a thinking block whose signature it did not make",
    {
      ...valid,
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hm", signature: "forged" },
            { type: "text", text: "Hi" }
          ]
        },
        { role: "user", content: "Again" }
      ]
    },
    "Invalid `signature` in `thinking` block"
  ],
  [
    "a thinking budget not below max_tokens",
    { ...valid, thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 2048 },
    "`max_tokens` must be greater than `thinking.budget_tokens`"
  ]
]

describe("FakeProviderServer, Anthropic dialect", () => {
  it.effect("answers 401 authentication_error without the key, never echoing what it was given", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ apiKey: KEY })

      const missing = yield* post(server.url, valid, { "x-api-key": "" })
      const wrong = yield* post(server.url, valid, { "x-api-key": "sk-ant-wrong-key-123456" })

      assert.strictEqual(missing.status, 401)
      assert.include(missing.text, "x-api-key header is required")
      assert.deepStrictEqual(JSON.parse(wrong.text), {
        type: "error",
        error: { type: "authentication_error", message: "invalid x-api-key" },
        request_id: "req_fake_2"
      })
      assert.notInclude(wrong.text, "sk-ant-wrong-key-123456")
      assert.strictEqual(wrong.headers.get("request-id"), "req_fake_2")
    }).pipe(Effect.scoped)
  )

  it.effect("answers 400 without the anthropic-version header", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const response = yield* post(server.url, valid, { "anthropic-version": "" })

      assert.strictEqual(response.status, 400)
      assert.include(response.text, "anthropic-version")
    }).pipe(Effect.scoped)
  )

  for (const [name, body, message] of refusals) {
    it.effect(`answers 400 invalid_request_error for ${name}`, () =>
      Effect.gen(function* () {
        const server = yield* FakeProviderServer.make()

        const response = yield* post(server.url, body)

        assert.strictEqual(response.status, 400)
        const json = JSON.parse(response.text) as { type: string; error: { type: string; message: string } }
        assert.strictEqual(json.type, "error")
        assert.strictEqual(json.error.type, "invalid_request_error")
        assert.include(json.error.message, message)
      }).pipe(Effect.scoped)
    )
  }

  it.effect("streams named events framed like Anthropic's, ping included", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make({ streamChunks: 2 })

      const response = yield* post(server.url, {
        ...valid,
        stream: true,
        messages: [{ role: "user", content: "Hi you" }]
      })

      assert.strictEqual(response.status, 200)
      assert.include(response.headers.get("content-type") ?? "", "text/event-stream")
      const events = response.text.split("\n\n").filter((event) => event !== "")
      assert.deepStrictEqual(
        events.map((event) => event.split("\n")[0]),
        [
          "event: message_start",
          "event: content_block_start",
          "event: ping",
          "event: content_block_delta",
          "event: content_block_delta",
          "event: content_block_stop",
          "event: message_delta",
          "event: message_stop"
        ]
      )
      assert.strictEqual(events[2], 'event: ping\ndata: {"type": "ping"}')
      assert.strictEqual(
        events[3],
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi "}}'
      )
      assert.isTrue(response.text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'))
    }).pipe(Effect.scoped)
  )

  it.effect("claims only /v1/messages: other paths still reach the OpenAI dialect", () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()

      const openai = yield* Effect.promise(async () => {
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })
        })
        return (await response.json()) as { object: string }
      })

      assert.strictEqual(openai.object, "chat.completion")
    }).pipe(Effect.scoped)
  )

  it.effect("FakeAnthropic.messageEvents frames a thinking block, text and a tool call in order", () =>
    Effect.sync(() => {
      const frames = FakeAnthropic.messageEvents("Checking.", {
        id: "msg_b",
        chunks: 1,
        thinking: { text: "Plan", signature: "sig_x" },
        toolUse: { id: "toolu_b", name: "f", input: { a: 1 } }
      })

      const types = frames.map(
        (frame) => JSON.parse(frame.split("\ndata: ")[1]!) as { type: string; delta?: { type: string } }
      )
      assert.deepStrictEqual(
        types.map((event) => event.delta?.type ?? event.type),
        [
          "message_start",
          "content_block_start",
          "ping",
          "thinking_delta",
          "signature_delta",
          "content_block_stop",
          "content_block_start",
          "text_delta",
          "content_block_stop",
          "content_block_start",
          "input_json_delta",
          "input_json_delta",
          "input_json_delta",
          "content_block_stop",
          "message_delta",
          "message_stop"
        ]
      )
      assert.include(frames[frames.length - 2], '"stop_reason":"tool_use"')
    })
  )
})
