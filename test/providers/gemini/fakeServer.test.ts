import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { FakeGemini } from "../../../src/testing/FakeGemini.js"
import { FakeProviderServer, type FakeProviderServerOptions } from "../../../src/testing/FakeProviderServer.js"
import { fixtureText } from "./helpers.js"

interface Answer {
  readonly status: number
  readonly contentType: string
  readonly text: string
}

const call = (
  options: FakeProviderServerOptions,
  path: string,
  init: { readonly method?: string; readonly body?: string; readonly headers?: Record<string, string> } = {}
) =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make(options)
    return yield* Effect.promise(
      (): Promise<Answer> =>
        fetch(`${server.url}${path}`, {
          method: init.method ?? "POST",
          headers: { "content-type": "application/json", ...init.headers },
          ...(init.body === undefined ? {} : { body: init.body })
        }).then(async (response) => ({
          status: response.status,
          contentType: response.headers.get("content-type") ?? "",
          text: await response.text()
        }))
    )
  })

const ask = (text: string) => JSON.stringify({ contents: [{ role: "user", parts: [{ text }] }] })

describe("FakeProviderServer, Gemini dialect", () => {
  it.effect("streams `data: {json}\\r\\n\\r\\n` events in Google's JSON layout, with no terminator", () =>
    Effect.gen(function* () {
      const answer = yield* call({ streamChunks: 2 }, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", {
        body: ask("abcd")
      })

      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.contentType, "text/event-stream")
      const usage = (candidates: number) =>
        `"usageMetadata": {"promptTokenCount": 1,"candidatesTokenCount": ${candidates},"totalTokenCount": ${1 + candidates},"promptTokensDetails": [{"modality": "TEXT","tokenCount": 1}]}`
      assert.strictEqual(
        answer.text,
        `data: {"candidates": [{"content": {"parts": [{"text": "ab"}],"role": "model"},"index": 0}],${usage(1)},"modelVersion": "gemini-2.5-flash","responseId": "fake-gemini-1"}\r\n\r\n` +
          `data: {"candidates": [{"content": {"parts": [{"text": "cd"}],"role": "model"},"finishReason": "STOP","index": 0}],${usage(1)},"modelVersion": "gemini-2.5-flash","responseId": "fake-gemini-1"}\r\n\r\n`
      )
    }).pipe(Effect.scoped)
  )

  it.effect("answers the stream method without alt=sse as one JSON array, like Gemini", () =>
    Effect.gen(function* () {
      const answer = yield* call({ streamChunks: 2 }, "/v1beta/models/gemini-2.5-flash:streamGenerateContent", {
        body: ask("abcd")
      })

      assert.strictEqual(answer.status, 200)
      assert.strictEqual(answer.contentType, "application/json")
      const responses = JSON.parse(answer.text) as Array<{
        candidates: Array<{ content: { parts: Array<{ text: string }> } }>
      }>
      assert.deepStrictEqual(
        responses.map((response) => response.candidates[0]?.content.parts[0]?.text),
        ["ab", "cd"]
      )
    }).pipe(Effect.scoped)
  )

  it.effect("FakeGemini.frame writes the layout of the fixtures, captured from Gemini", () =>
    Effect.sync(() => {
      const [first] = fixtureText("text-usage.sse").split(/(?<=\r\n\r\n)/)
      const parsed = JSON.parse(first!.slice("data: ".length)) as unknown

      assert.strictEqual(FakeGemini.frame(parsed), first)
      assert.strictEqual(FakeGemini.frame({ text: "a\nb", list: [] }), 'data: {"text": "a\\nb","list": []}\r\n\r\n')
    })
  )

  it.effect("without a key answers 403 PERMISSION_DENIED, and takes the key from ?key= too", () =>
    Effect.gen(function* () {
      const path = "/v1beta/models/gemini-2.5-flash:generateContent"
      const missing = yield* call({ apiKey: "k-123" }, path, { body: ask("x") })
      const query = yield* call({ apiKey: "k-123" }, `${path}?key=k-123`, { body: ask("x") })

      assert.strictEqual(missing.status, 403)
      assert.deepStrictEqual(JSON.parse(missing.text), {
        error: {
          code: 403,
          message:
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          status: "PERMISSION_DENIED"
        }
      })
      assert.strictEqual(query.status, 200)
    }).pipe(Effect.scoped)
  )

  it.effect("answers malformed requests with Gemini's 400 bodies", () =>
    Effect.gen(function* () {
      const path = "/v1beta/models/gemini-2.5-flash:generateContent"
      const notJson = yield* call({}, path, { body: "{nope" })
      const noContents = yield* call({}, path, { body: "{}" })
      const badRole = yield* call({}, path, {
        body: JSON.stringify({ contents: [{ role: "assistant", parts: [{ text: "x" }] }] })
      })

      for (const answer of [notJson, noContents, badRole]) {
        assert.strictEqual(answer.status, 400)
        assert.strictEqual((JSON.parse(answer.text) as { error: { status: string } }).error.status, "INVALID_ARGUMENT")
      }
      assert.include(noContents.text, "contents is not specified")
      assert.include(badRole.text, "Please use a valid role: user, model.")
    }).pipe(Effect.scoped)
  )

  it.effect("lists Gemini models and answers an unknown one with NOT_FOUND", () =>
    Effect.gen(function* () {
      const list = yield* call({}, "/v1beta/models", { method: "GET" })
      const unknown = yield* call({}, "/v1beta/models/gemini-9", { method: "GET" })

      assert.deepStrictEqual(
        (JSON.parse(list.text) as { models: Array<{ name: string }> }).models.map((model) => model.name),
        ["models/gemini-2.5-flash", "models/gemini-2.5-pro", "models/gemini-embedding-001"]
      )
      assert.strictEqual(unknown.status, 404)
      assert.include(unknown.text, "NOT_FOUND")
    }).pipe(Effect.scoped)
  )

  it.effect("leaves OpenAI's routes to the OpenAI dialect", () =>
    Effect.gen(function* () {
      const answer = yield* call({}, "/v1/chat/completions", {
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      })
      const models = yield* call({}, "/v1/models", { method: "GET" })

      assert.strictEqual(answer.status, 200)
      assert.strictEqual((JSON.parse(answer.text) as { object: string }).object, "chat.completion")
      assert.strictEqual((JSON.parse(models.text) as { object: string }).object, "list")
    }).pipe(Effect.scoped)
  )
})
