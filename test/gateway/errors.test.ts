// Bad input and failures, in the caller's wire format: 413 for bodies over the limit, 400 naming the field for
// malformed JSON, wrong types and unknown fields, 404 listing the models for an unknown one, and provider failures
// mapped to statuses the SDKs understand (before a stream starts) or to an error event (after).
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeOpenAi, FakeReply } from "../../src/testing/FakeProviderServer.js"
import { failure, harness, post } from "./helpers.js"

const chat = (model = "openai/gpt-4o-mini") => ({ model, messages: [{ role: "user" as const, content: "hi" }] })
const message = (model = "claude/claude-sonnet-4-5") => ({
  model,
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "hi" }]
})

describe("gateway: request errors in OpenAI's format", () => {
  it.scoped("answers 413 for a body over maxBodyBytes, and says how large the limit is", () =>
    Effect.gen(function* () {
      const h = yield* harness({ gateway: { maxBodyBytes: 1024 } })
      const big = JSON.stringify({ ...chat(), messages: [{ role: "user", content: "x".repeat(5000) }] })
      const reply = yield* post(`${h.url}/v1/chat/completions`, big)
      assert.strictEqual(reply.status, 413)
      assert.strictEqual(reply.json.error.code, "request_too_large")
      assert.include(reply.json.error.message, "1024 bytes")
      assert.strictEqual(h.fake.requests.length, 0)
      // Just under the limit passes.
      const small = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify(chat()))
      assert.strictEqual(small.status, 200)
    })
  )

  it.scoped("counts streamed body bytes too (no content-length)", () =>
    Effect.gen(function* () {
      const h = yield* harness({ gateway: { maxBodyBytes: 2048 } })
      const status = yield* Effect.promise(async () => {
        const chunk = new TextEncoder().encode(" ".repeat(1000))
        let sent = 0
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ < 10) controller.enqueue(chunk)
            else controller.close()
          }
        })
        const response = await fetch(`${h.url}/v1/chat/completions`, {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
          duplex: "half"
        } as RequestInit)
        await response.text()
        return response.status
      })
      assert.strictEqual(status, 413)
    })
  )

  it.scoped("answers 400 for malformed JSON", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const reply = yield* post(`${h.url}/v1/chat/completions`, '{"model": "openai/gpt-4o-mini", "messages": [')
      assert.strictEqual(reply.status, 400)
      assert.strictEqual(reply.json.error.type, "invalid_request_error")
      assert.strictEqual(reply.json.error.code, "invalid_json")
      assert.include(reply.json.error.message, "not valid JSON")
    })
  )

  it.scoped("answers 400 naming the field of a wrong type, deep in the body", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const reply = yield* post(
        `${h.url}/v1/chat/completions`,
        JSON.stringify({ ...chat(), messages: [{ role: "user", content: 42 }] })
      )
      assert.strictEqual(reply.status, 400)
      assert.strictEqual(reply.json.error.param, "messages[0].content")
      assert.strictEqual(reply.json.error.code, "invalid_type")
      assert.include(reply.json.error.message, "'messages[0].content'")
      assert.include(reply.json.error.message, "the integer 42")
      const temperature = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify({ ...chat(), temperature: 3 }))
      assert.strictEqual(temperature.json.error.param, "temperature")
      assert.include(temperature.json.error.message, "from 0 to 2")
    })
  )

  it.scoped("answers 400 naming an unknown field, top level or nested", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const top = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify({ ...chat(), temprature: 0.5 }))
      assert.strictEqual(top.status, 400)
      assert.strictEqual(top.json.error.param, "temprature")
      assert.strictEqual(top.json.error.message, "Unrecognized request argument supplied: temprature")
      const nested = yield* post(
        `${h.url}/v1/chat/completions`,
        JSON.stringify({ ...chat(), messages: [{ role: "user", content: "hi", mood: "happy" }] })
      )
      assert.strictEqual(nested.json.error.param, "messages[0].mood")
      const missing = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify({ model: "openai/gpt-4o-mini" }))
      assert.strictEqual(missing.json.error.param, "messages")
      assert.strictEqual(missing.json.error.code, "missing_required_parameter")
      assert.strictEqual(h.fake.requests.length, 0)
    })
  )

  it.scoped("the openai SDK raises these as BadRequestError with the param", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const error = (yield* failure(() => h.openai().chat.completions.create({ ...chat(), n: 3 } as never))) as {
        status: number
        param: string
        constructor: { name: string }
      }
      assert.strictEqual(error.constructor.name, "BadRequestError")
      assert.strictEqual(error.status, 400)
      assert.strictEqual(error.param, "n")
    })
  )

  it.scoped("answers 404 for an unknown model, listing the models there are", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const error = (yield* failure(() => h.openai().chat.completions.create(chat("gpt-5-nonexistent")))) as {
        status: number
        code: string
        param: string
        message: string
        constructor: { name: string }
      }
      assert.strictEqual(error.constructor.name, "NotFoundError")
      assert.strictEqual(error.status, 404)
      assert.strictEqual(error.code, "model_not_found")
      assert.strictEqual(error.param, "model")
      assert.include(error.message, "gpt-5-nonexistent")
      assert.include(error.message, "Available models: openai/gpt-4o-mini, openai/text-embedding-3-small")
      assert.include(error.message, "smart")
      const unknownProvider = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify(chat("nope/gpt-4o")))
      assert.strictEqual(unknownProvider.status, 404)
      assert.include(unknownProvider.json.error.message, 'unknown provider "nope"')
      assert.strictEqual(h.fake.requests.length, 0)
    })
  )

  it.scoped("answers 404 in OpenAI's format for a path it does not serve", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const reply = yield* post(`${h.url}/v1/completions`, "{}")
      assert.strictEqual(reply.status, 404)
      assert.strictEqual(reply.json.error.message, "Invalid URL (POST /v1/completions)")
    })
  )
})

describe("gateway: request errors in Anthropic's format", () => {
  it.scoped("413, 400 and 404 come as {type: error, error: {type, message}}", () =>
    Effect.gen(function* () {
      const h = yield* harness({ gateway: { maxBodyBytes: 512 } })
      const big = yield* post(`${h.url}/v1/messages`, JSON.stringify({ ...message(), system: "x".repeat(1000) }))
      assert.strictEqual(big.status, 413)
      assert.strictEqual(big.json.type, "error")
      assert.strictEqual(big.json.error.type, "request_too_large")
      assert.strictEqual(big.json.request_id, big.headers.get("request-id"))
      const malformed = yield* post(`${h.url}/v1/messages`, "{not json")
      assert.strictEqual(malformed.status, 400)
      assert.strictEqual(malformed.json.error.type, "invalid_request_error")
      const { max_tokens: _, ...withoutMax } = message()
      const missing = yield* post(`${h.url}/v1/messages`, JSON.stringify(withoutMax))
      assert.strictEqual(missing.status, 400)
      assert.include(missing.json.error.message, "'max_tokens'")
      const unknown = yield* post(`${h.url}/v1/messages`, JSON.stringify({ ...message(), top_z: 1 }))
      assert.include(unknown.json.error.message, "top_z")
      const wrongType = yield* post(
        `${h.url}/v1/messages`,
        JSON.stringify({ ...message(), messages: [{ role: "user", content: [{ type: "text", text: 5 }] }] })
      )
      assert.include(wrongType.json.error.message, "'messages[0].content[0].text'")
      const unknownModel = yield* post(`${h.url}/v1/messages`, JSON.stringify(message("claude-9")))
      assert.strictEqual(unknownModel.status, 404)
      assert.strictEqual(unknownModel.json.error.type, "not_found_error")
      assert.include(unknownModel.json.error.message, "Available models:")
      assert.strictEqual(h.fake.requests.length, 0)
    })
  )

  it.scoped("the Anthropic SDK raises them with their classes", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const error = (yield* failure(() =>
        h.anthropic().messages.create({ ...message(), temperature: 1.5 } as never)
      )) as { status: number; error: { error: { type: string; message: string } }; constructor: { name: string } }
      assert.strictEqual(error.constructor.name, "BadRequestError")
      assert.strictEqual(error.error.error.type, "invalid_request_error")
      assert.include(error.error.error.message, "'temperature'")
    })
  )
})

describe("gateway: provider failures", () => {
  it.scoped("a provider's 429 reaches the caller as 429 with retry-after, before any stream starts", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.fake.enqueue(
        FakeOpenAi.error(429, "Rate limit reached", {
          type: "requests",
          code: "rate_limit_exceeded",
          headers: { "retry-after": "7" }
        })
      )
      const reply = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify({ ...chat(), stream: true }))
      assert.strictEqual(reply.status, 429)
      assert.strictEqual(reply.headers.get("retry-after"), "7")
      assert.strictEqual(reply.json.error.type, "rate_limit_error")
      assert.include(reply.json.error.message, "Rate limit reached")
    })
  )

  it.scoped("a provider that rejects the gateway's own key is a 502, and the key never shows", () =>
    Effect.gen(function* () {
      const h = yield* harness({ fake: { apiKey: "sk-the-right-one" } })
      const reply = yield* post(`${h.url}/v1/chat/completions`, JSON.stringify(chat()))
      assert.strictEqual(reply.status, 502)
      assert.strictEqual(reply.json.error.code, "upstream_authentication_error")
      assert.notInclude(reply.text, "SECRET")
    })
  )

  it.scoped("a stream that breaks after it started ends with an error event the SDKs raise", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.fake.enqueue(
        FakeReply.stream(FakeOpenAi.chatCompletionChunks("partial answer here", { chunks: 4 }), { cutAfter: 3 })
      )
      const outcome = yield* Effect.promise(async () => {
        const stream = await h.openai().chat.completions.create({ ...chat(), stream: true })
        const seen: Array<string> = []
        try {
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "")
          return { seen, error: undefined }
        } catch (error) {
          return { seen, error: error as { message: string; constructor: { name: string } } }
        }
      })
      assert.isAbove(outcome.seen.join("").length, 0)
      assert.strictEqual(outcome.error?.constructor.name, "APIError")
      assert.match(outcome.error?.message ?? "", /^openai: reading the response failed/)
      h.fake.enqueue(
        FakeReply.stream(FakeOpenAi.chatCompletionChunks("partial answer here", { chunks: 4 }), { cutAfter: 3 })
      )
      const anthropicError = yield* failure(() =>
        h
          .anthropic()
          .messages.stream({ ...message("openai/gpt-4o-mini"), messages: [{ role: "user", content: "hi" }] })
          .finalMessage()
      )
      assert.match((anthropicError as Error).message, /openai: reading the response failed/)
    })
  )
})
