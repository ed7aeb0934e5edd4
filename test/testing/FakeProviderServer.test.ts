import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import {
  FakeOpenAi,
  FakeProvider,
  FakeProviderServer,
  type FakeProviderServerOptions,
  FakeReply
} from "../../src/testing/FakeProviderServer.js"

const withServer = async (
  options: FakeProviderServerOptions,
  body: (server: FakeProviderServer) => Promise<void>
): Promise<void> => {
  const server = await FakeProviderServer.start(options)
  try {
    await body(server)
  } finally {
    await server.close()
  }
}

const post = (url: string, body: unknown, init: RequestInit = {}): Promise<Response> =>
  fetch(url, {
    method: "POST",
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body)
  })

type Json = Record<string, unknown>

const dataFrames = (text: string): Array<string> =>
  text
    .split("\n\n")
    .filter((frame) => frame.length > 0)
    .map((frame) => {
      assert.isTrue(frame.startsWith("data: "), `not a data frame: ${frame}`)
      return frame.slice("data: ".length)
    })

const chunksOf = (text: string): Array<Json> => {
  const frames = dataFrames(text)
  assert.strictEqual(frames.at(-1), "[DONE]")
  return frames.slice(0, -1).map((frame) => JSON.parse(frame) as Json)
}

/** Reads a body until it ends or fails; returns what arrived and the failure, if any. */
const readAll = async (response: Response): Promise<{ text: string; error: unknown }> => {
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let text = ""
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return { text, error: undefined }
      text += decoder.decode(value, { stream: true })
    }
  } catch (error) {
    return { text, error }
  }
}

/** Reads until `frames` SSE frames have arrived, leaving the body open. */
const readFrames = async (reader: ReadableStreamDefaultReader<Uint8Array>, frames: number): Promise<string> => {
  const decoder = new TextDecoder()
  let text = ""
  while (text.split("\n\n").length - 1 < frames) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`body ended after: ${text}`)
    text += decoder.decode(value, { stream: true })
  }
  return text
}

/** Resolves with the rejection reason; fails when the promise fulfils. */
const rejects = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => assert.fail("expected a rejection"),
    (error: unknown) => error
  )

const chatBody = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello there, fake!" }] }

describe("FakeProviderServer: default OpenAI routes", () => {
  it("answers a chat completion by echoing the last user message", () =>
    withServer({}, async (server) => {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      const response = await post(`${server.url}/v1/chat/completions`, {
        model: "gpt-4o",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "first" },
          { role: "assistant", content: "ignored" },
          {
            role: "user",
            content: [
              { type: "text", text: "Hello, " },
              { type: "image_url", image_url: { url: "https://example.com/a.png" } },
              { type: "text", text: "world" }
            ]
          }
        ]
      })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("x-request-id"), "req_fake_1")
      assert.match(response.headers.get("content-type") ?? "", /^application\/json/)
      const body = (await response.json()) as Json
      assert.strictEqual(body.id, "chatcmpl-fake-1")
      assert.strictEqual(body.object, "chat.completion")
      assert.strictEqual(body.model, "gpt-4o")
      assert.isNumber(body.created)
      assert.isString(body.system_fingerprint)
      assert.deepStrictEqual(body.choices, [
        {
          index: 0,
          message: { role: "assistant", content: "Hello, world", refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: "stop"
        }
      ])
      // prompt: "Be brief." + "first" + "ignored" + "Hello, world" = 33 chars -> 9 tokens; reply 12 chars -> 3
      const usage = body.usage as Json
      assert.strictEqual(usage.prompt_tokens, 9)
      assert.strictEqual(usage.completion_tokens, 3)
      assert.strictEqual(usage.total_tokens, 12)
      assert.deepInclude(usage, { prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 } })
      assert.strictEqual((usage.completion_tokens_details as Json).reasoning_tokens, 0)

      const second = (await (await post(`${server.url}/v1/chat/completions`, chatBody)).json()) as Json
      assert.strictEqual(second.id, "chatcmpl-fake-2")
    }))

  it("streams data-only SSE chunks without usage by default", () =>
    withServer({}, async (server) => {
      const response = await post(`${server.url}/v1/chat/completions`, { ...chatBody, stream: true })
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers.get("content-type"), "text/event-stream")
      assert.strictEqual(response.headers.get("x-request-id"), "req_fake_1")
      const text = await response.text()
      assert.notInclude(text, "event:")
      const chunks = chunksOf(text)
      // role chunk + 4 content chunks + finish chunk
      assert.strictEqual(chunks.length, 6)
      for (const chunk of chunks) {
        assert.strictEqual(chunk.id, "chatcmpl-fake-1")
        assert.strictEqual(chunk.object, "chat.completion.chunk")
        assert.strictEqual(chunk.model, "gpt-4o-mini")
        assert.isFalse("usage" in chunk)
      }
      assert.deepStrictEqual(chunks[0]!.choices, [
        { index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }
      ])
      const pieces = chunks.slice(1, 5).map((chunk) => {
        const [choice] = chunk.choices as Array<{ delta: { content: string }; finish_reason: unknown }>
        assert.strictEqual(choice!.finish_reason, null)
        return choice!.delta.content
      })
      assert.deepStrictEqual(pieces, ["Hello", " ther", "e, f", "ake!"])
      assert.deepStrictEqual(chunks[5]!.choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }])
    }))

  it("adds the usage chunk and null usage elsewhere when include_usage is on", () =>
    withServer({ streamChunks: 10 }, async (server) => {
      const response = await post(`${server.url}/v1/chat/completions`, {
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Hey" }],
        stream: true,
        stream_options: { include_usage: true }
      })
      const chunks = chunksOf(await response.text())
      // role + 3 one-character pieces (text shorter than streamChunks) + finish + usage
      assert.strictEqual(chunks.length, 6)
      for (const chunk of chunks.slice(0, -1)) assert.strictEqual(chunk.usage, null)
      const contents = chunks
        .slice(1, 4)
        .map((chunk) => (chunk.choices as Array<{ delta: { content: string } }>)[0]!.delta.content)
      assert.deepStrictEqual(contents, ["H", "e", "y"])
      const last = chunks.at(-1)!
      assert.deepStrictEqual(last.choices, [])
      assert.deepInclude(last.usage as Json, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 })
    }))

  it("pads every chunk with a delta with obfuscation, as OpenAI does, unless include_obfuscation is false", () =>
    withServer({ streamChunks: 3 }, async (server) => {
      const ask = (streamOptions: Json) =>
        post(`${server.url}/v1/chat/completions`, {
          model: "gpt-4o-mini",
          messages: [{ role: "user", content: "Hello there" }],
          stream: true,
          stream_options: streamOptions
        }).then(async (response) => chunksOf(await response.text()))
      const padded = await ask({ include_usage: true })
      // role + 3 pieces + finish + usage
      assert.strictEqual(padded.length, 6)
      for (const chunk of padded.slice(0, -1)) {
        const [choice] = chunk.choices as Array<{ delta: { content?: string } }>
        const padding = chunk.obfuscation
        assert.isString(padding)
        assert.match(padding as string, /^[A-Za-z0-9]+$/)
        // Deterministic: the delta and its padding fill a multiple of 16 characters.
        assert.strictEqual(((choice!.delta.content ?? "").length + (padding as string).length) % 16, 0)
        assert.strictEqual(chunk.usage, null)
      }
      assert.isFalse("obfuscation" in padded.at(-1)!)
      const plain = await ask({ include_obfuscation: false })
      assert.strictEqual(plain.length, 5)
      for (const chunk of plain) assert.isFalse("obfuscation" in chunk)
      // The builder for scripted replies pads only when asked.
      const scripted = (obfuscation?: boolean) =>
        chunksOf(FakeOpenAi.chatCompletionChunks("Hello", obfuscation === undefined ? {} : { obfuscation }).join(""))
      assert.isTrue(scripted(true).every((chunk) => typeof chunk.obfuscation === "string"))
      assert.isTrue(scripted().every((chunk) => !("obfuscation" in chunk)))
    }))

  it("embeds strings deterministically as floats", () =>
    withServer({}, async (server) => {
      const response = await post(`${server.url}/v1/embeddings`, {
        model: "text-embedding-3-small",
        input: ["alpha", "beta", "alpha"]
      })
      assert.strictEqual(response.status, 200)
      const body = (await response.json()) as {
        object: string
        model: string
        data: Array<{ object: string; index: number; embedding: Array<number> }>
        usage: Json
      }
      assert.strictEqual(body.object, "list")
      assert.strictEqual(body.model, "text-embedding-3-small")
      assert.deepStrictEqual(body.usage, { prompt_tokens: 5, total_tokens: 5 })
      assert.deepStrictEqual(
        body.data.map((item) => [item.object, item.index, item.embedding.length]),
        [
          ["embedding", 0, 8],
          ["embedding", 1, 8],
          ["embedding", 2, 8]
        ]
      )
      const [alpha, beta, alphaAgain] = body.data.map((item) => item.embedding)
      assert.deepStrictEqual(alpha, alphaAgain)
      assert.notDeepEqual(alpha, beta)
      const norm = Math.sqrt(alpha!.reduce((sum, value) => sum + value * value, 0))
      assert.closeTo(norm, 1, 1e-6)

      const sized = (await (
        await post(`${server.url}/v1/embeddings`, { model: "text-embedding-3-small", input: "alpha", dimensions: 3 })
      ).json()) as { data: Array<{ embedding: Array<number> }> }
      assert.strictEqual(sized.data[0]!.embedding.length, 3)
    }))

  it("encodes embeddings as base64 little-endian float32 on request", () =>
    withServer({ embeddingDimensions: 16 }, async (server) => {
      const request = { model: "text-embedding-3-small", input: "some text" }
      const floats = (await (await post(`${server.url}/v1/embeddings`, request)).json()) as {
        data: Array<{ embedding: Array<number> }>
      }
      const encoded = (await (
        await post(`${server.url}/v1/embeddings`, { ...request, encoding_format: "base64" })
      ).json()) as { data: Array<{ embedding: string }> }
      const bytes = Buffer.from(encoded.data[0]!.embedding, "base64")
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      const decoded = Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true))
      assert.strictEqual(decoded.length, 16)
      assert.deepStrictEqual(decoded, floats.data[0]!.embedding)
    }))

  it("lists the configured models", () =>
    withServer({ models: ["m-1", "m-2"] }, async (server) => {
      const body = (await (await fetch(`${server.url}/v1/models`)).json()) as {
        object: string
        data: Array<Json>
      }
      assert.strictEqual(body.object, "list")
      assert.deepStrictEqual(
        body.data.map(({ id, object, owned_by }) => ({ id, object, owned_by })),
        [
          { id: "m-1", object: "model", owned_by: "fake" },
          { id: "m-2", object: "model", owned_by: "fake" }
        ]
      )
      assert.isNumber(body.data[0]!.created)
      const one = await fetch(`${server.url}/v1/models/m-2`)
      assert.strictEqual(((await one.json()) as Json).id, "m-2")
      const missing = await fetch(`${server.url}/v1/models/nope`)
      assert.strictEqual(missing.status, 404)
    }))

  it("rejects invalid requests with OpenAI error bodies", () =>
    withServer({}, async (server) => {
      const errorOf = async (response: Response): Promise<Json> => {
        assert.isNotNull(response.headers.get("x-request-id"))
        const body = (await response.json()) as { error: Json }
        assert.hasAllKeys(body.error, ["message", "type", "param", "code"])
        return { status: response.status, ...body.error }
      }
      const chat = `${server.url}/v1/chat/completions`
      const malformed = await errorOf(await post(chat, "{not json"))
      assert.deepInclude(malformed, { status: 400, type: "invalid_request_error", param: null })
      assert.include(malformed.message as string, "could not parse the JSON body")

      const noModel = await errorOf(await post(chat, { messages: [] }))
      assert.deepInclude(noModel, { status: 400, message: "you must provide a model parameter" })

      const noMessages = await errorOf(await post(chat, { model: "gpt-4o" }))
      assert.deepInclude(noMessages, { status: 400, param: "messages", code: "missing_required_parameter" })

      const noInput = await errorOf(await post(`${server.url}/v1/embeddings`, { model: "text-embedding-3-small" }))
      assert.deepInclude(noInput, { status: 400, param: "input" })

      const unknown = await errorOf(await post(`${server.url}/v1/completions/legacy`, chatBody))
      assert.deepInclude(unknown, {
        status: 404,
        type: "invalid_request_error",
        message: "Invalid URL (POST /v1/completions/legacy)"
      })
    }))

  it("checks the API key when one is configured, without echoing it", () =>
    withServer({ apiKey: "sk-right" }, async (server) => {
      const chat = `${server.url}/v1/chat/completions`
      const missing = await post(chat, chatBody)
      assert.strictEqual(missing.status, 401)
      assert.deepInclude(((await missing.json()) as { error: Json }).error, {
        type: "invalid_request_error",
        code: "invalid_api_key"
      })

      const wrong = await post(chat, chatBody, { headers: { authorization: "Bearer sk-wrong-secret" } })
      assert.strictEqual(wrong.status, 401)
      const wrongText = await wrong.text()
      assert.notInclude(wrongText, "sk-wrong-secret")
      assert.include(wrongText, "invalid_api_key")

      const right = await post(chat, chatBody, { headers: { authorization: "Bearer sk-right" } })
      assert.strictEqual(right.status, 200)
    }))

  it("accepts any key when none is configured", () =>
    withServer({}, async (server) => {
      const response = await post(`${server.url}/v1/chat/completions`, chatBody, {
        headers: { authorization: "Bearer whatever" }
      })
      assert.strictEqual(response.status, 200)
    }))
})

describe("FakeProviderServer: scripted replies", () => {
  it("serves queued replies in FIFO order, then the default routes", () =>
    withServer({}, async (server) => {
      server.enqueue(FakeReply.json({ n: 1 }), FakeReply.json({ n: 2 }))
      server.enqueue(FakeReply.json({ n: 3 }, { status: 201 }))
      const chat = `${server.url}/v1/chat/completions`
      const first = await post(chat, chatBody)
      assert.deepStrictEqual(await first.json(), { n: 1 })
      assert.strictEqual(first.headers.get("x-request-id"), "req_fake_1")
      assert.deepStrictEqual(await (await fetch(`${server.url}/anything`)).json(), { n: 2 })
      const third = await post(chat, chatBody)
      assert.strictEqual(third.status, 201)
      assert.deepStrictEqual(await third.json(), { n: 3 })
      const fourth = (await (await post(chat, chatBody)).json()) as Json
      assert.strictEqual(fourth.object, "chat.completion")
    }))

  it("serves enqueueFor replies only on their path, before the general queue", () =>
    withServer({}, async (server) => {
      server.enqueue(FakeReply.json({ from: "general" }))
      server.enqueueFor("/v1/embeddings", FakeReply.json({ from: "embeddings" }))
      const embeddings = await post(`${server.url}/v1/embeddings?api-version=1`, { model: "m", input: "x" })
      assert.deepStrictEqual(await embeddings.json(), { from: "embeddings" })
      const chat = await post(`${server.url}/v1/chat/completions`, chatBody)
      assert.deepStrictEqual(await chat.json(), { from: "general" })
      const again = (await (await post(`${server.url}/v1/embeddings`, { model: "m", input: "x" })).json()) as Json
      assert.strictEqual(again.object, "list")
    }))

  it("sends JSON errors with status and headers", () =>
    withServer({}, async (server) => {
      server.enqueue(
        FakeOpenAi.error(429, "Rate limit reached", {
          type: "requests",
          code: "rate_limit_exceeded",
          headers: { "Retry-After": "2" }
        })
      )
      const response = await post(`${server.url}/v1/chat/completions`, chatBody)
      assert.strictEqual(response.status, 429)
      assert.strictEqual(response.headers.get("retry-after"), "2")
      assert.strictEqual(response.headers.get("x-request-id"), "req_fake_1")
      assert.deepStrictEqual(await response.json(), {
        error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" }
      })
    }))

  it("sends raw text bodies", () =>
    withServer({}, async (server) => {
      server.enqueue(
        FakeReply.text("<html><body>502 Bad Gateway</body></html>", { status: 502, contentType: "text/html" }),
        FakeReply.text('{"id": "chatcmpl-1", "choi')
      )
      const html = await post(`${server.url}/v1/chat/completions`, chatBody)
      assert.strictEqual(html.status, 502)
      assert.strictEqual(html.headers.get("content-type"), "text/html")
      assert.strictEqual(await html.text(), "<html><body>502 Bad Gateway</body></html>")
      const truncated = await post(`${server.url}/v1/chat/completions`, chatBody)
      assert.strictEqual(truncated.status, 200)
      assert.strictEqual(await truncated.text(), '{"id": "chatcmpl-1", "choi')
    }))

  it("streams large binary frames through backpressure, in order", () =>
    withServer({}, async (server) => {
      const frames = Array.from({ length: 200 }, (_, i) => new Uint8Array(64 * 1024).fill(i % 251))
      server.enqueue(FakeReply.stream(frames, { contentType: "application/octet-stream" }))
      const response = await fetch(`${server.url}/v1/blob`)
      const bytes = new Uint8Array(await response.arrayBuffer())
      assert.strictEqual(bytes.length, 200 * 64 * 1024)
      for (let i = 0; i < 200; i++) {
        assert.strictEqual(bytes[i * 64 * 1024], i % 251)
        assert.strictEqual(bytes[(i + 1) * 64 * 1024 - 1], i % 251)
      }
    }))

  it("computes replies with a handler", () =>
    withServer({}, async (server) => {
      server.enqueue(
        FakeReply.handler((request) => FakeReply.json({ saw: request.path })),
        FakeReply.handler(async (request) => FakeReply.text(request.method))
      )
      assert.deepStrictEqual(await (await fetch(`${server.url}/v1/x?y=1`)).json(), { saw: "/v1/x?y=1" })
      assert.strictEqual(await (await fetch(`${server.url}/v1/x`, { method: "DELETE" })).text(), "DELETE")
    }))

  it("answers 500 when a reply cannot be produced", () =>
    withServer({}, async (server) => {
      server.enqueue(
        FakeReply.handler(() => {
          throw new Error("boom")
        }),
        FakeReply.json(1n),
        FakeReply.text("x", { status: 42 })
      )
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${server.url}/v1/models`)
        assert.strictEqual(response.status, 500)
        assert.include(await response.text(), "FakeProviderServer: reply failed")
      }
    }))

  it("records requests with method, path, headers and bodies", () =>
    withServer({}, async (server) => {
      await post(`${server.url}/v1/chat/completions?trace=1`, chatBody, {
        headers: { "X-Custom-Header": "yes", authorization: "Bearer k" }
      })
      await post(`${server.url}/v1/chat/completions`, "not json")
      const requests = await server.waitForRequests(2)
      assert.strictEqual(requests.length, 2)
      const [first, second] = requests
      assert.strictEqual(first!.index, 0)
      assert.strictEqual(first!.method, "POST")
      assert.strictEqual(first!.path, "/v1/chat/completions?trace=1")
      assert.strictEqual(first!.headers["x-custom-header"], "yes")
      assert.strictEqual(first!.headers.authorization, "Bearer k")
      assert.strictEqual(first!.headers["content-type"], "application/json")
      assert.strictEqual(first!.rawBody, JSON.stringify(chatBody))
      assert.deepStrictEqual(first!.body, chatBody)
      assert.isFalse(first!.closedByClient)
      assert.strictEqual(second!.rawBody, "not json")
      assert.isUndefined(second!.body)
      assert.deepStrictEqual(server.requests, requests)
    }))

  it("reset() clears the queue, the recorded requests and the ids", () =>
    withServer({}, async (server) => {
      await post(`${server.url}/v1/chat/completions`, chatBody)
      server.enqueue(FakeReply.json({ queued: true }))
      server.enqueueFor("/v1/chat/completions", FakeReply.json({ queued: true }))
      server.reset()
      assert.deepStrictEqual(server.requests, [])
      const body = (await (await post(`${server.url}/v1/chat/completions`, chatBody)).json()) as Json
      assert.strictEqual(body.id, "chatcmpl-fake-1")
      const requests = await server.waitForRequests(1)
      assert.strictEqual(requests[0]!.index, 0)
    }))
})

describe("FakeProviderServer: faults", () => {
  it("cuts a stream after some frames", () =>
    withServer({}, async (server) => {
      const frames = FakeOpenAi.chatCompletionChunks("Hello world, this is cut", { model: "gpt-4o" })
      server.enqueue(FakeReply.stream(frames, { cutAfter: 2 }))
      const response = await post(`${server.url}/v1/chat/completions`, { ...chatBody, stream: true })
      assert.strictEqual(response.status, 200)
      const { text, error } = await readAll(response)
      assert.isDefined(error)
      assert.strictEqual(text, frames.slice(0, 2).join(""))
      const [request] = await server.waitForRequests(1)
      assert.isFalse(request!.closedByClient)
      await rejects(server.waitForClientClose(0))
    }))

  it("cuts before the first frame when cutAfter is 0", () =>
    withServer({}, async (server) => {
      server.enqueue(FakeReply.stream(["data: {}\n\n"], { cutAfter: 0, status: 200 }))
      const response = await post(`${server.url}/v1/chat/completions`, chatBody)
      assert.strictEqual(response.status, 200)
      const { text, error } = await readAll(response)
      assert.strictEqual(text, "")
      assert.isDefined(error)
    }))

  it("stalls a stream until the client aborts, and reports the disconnect", () =>
    withServer({}, async (server) => {
      const frames = FakeOpenAi.chatCompletionChunks("Hello world", { includeUsage: true })
      server.enqueue(FakeReply.stream(frames, { stallAfter: 2 }))
      const controller = new AbortController()
      const response = await post(
        `${server.url}/v1/chat/completions`,
        { ...chatBody, stream: true },
        { signal: controller.signal }
      )
      const reader = response.body!.getReader()
      assert.strictEqual(await readFrames(reader, 2), frames.slice(0, 2).join(""))
      const pending = reader.read()
      controller.abort()
      await rejects(pending)
      await server.waitForClientClose(0)
      assert.isTrue(server.requests[0]!.closedByClient)
    }))

  it("holds the first byte until release()", () =>
    withServer({}, async (server) => {
      server.enqueue(FakeReply.stream(["data: one\n\n", "data: two\n\n"], { holdFirstByte: true }))
      let answered = false
      const pending = post(`${server.url}/v1/chat/completions`, chatBody).then((response) => {
        answered = true
        return response
      })
      await server.waitForRequests(1)
      // A full round trip on another connection after the held request arrived.
      assert.strictEqual((await fetch(`${server.url}/v1/models`)).status, 200)
      assert.isFalse(answered)
      server.release()
      const response = await pending
      assert.strictEqual(await response.text(), "data: one\n\ndata: two\n\n")
    }))

  it("hangs until the client aborts", () =>
    withServer({}, async (server) => {
      server.enqueue(FakeReply.hang())
      const controller = new AbortController()
      const pending = post(`${server.url}/v1/chat/completions`, chatBody, { signal: controller.signal })
      await server.waitForRequests(1)
      controller.abort()
      await rejects(pending)
      await server.waitForClientClose(0)
      assert.isTrue(server.requests[0]!.closedByClient)
    }))

  it("resets the connection without a response", () =>
    withServer({}, async (server) => {
      server.enqueue(FakeReply.reset())
      await rejects(post(`${server.url}/v1/chat/completions`, chatBody))
      const [request] = await server.waitForRequests(1)
      assert.isFalse(request!.closedByClient)
      // The server keeps serving after a reset.
      assert.strictEqual((await post(`${server.url}/v1/chat/completions`, chatBody)).status, 200)
    }))

  it("waitForClientClose rejects when the response finished normally", () =>
    withServer({}, async (server) => {
      await (await post(`${server.url}/v1/chat/completions`, chatBody)).text()
      await rejects(server.waitForClientClose(0))
    }))

  it("close() ends open stalled and held responses", async () => {
    const server = await FakeProviderServer.start()
    server.enqueue(
      FakeReply.stream(["data: a\n\n", "data: b\n\n"], { stallAfter: 1 }),
      FakeReply.json({}, { holdFirstByte: true })
    )
    const stalled = await post(`${server.url}/v1/chat/completions`, chatBody)
    const reader = stalled.body!.getReader()
    await readFrames(reader, 1)
    // Both settle during close(), so their rejections are observed right away.
    const held = rejects(post(`${server.url}/v1/chat/completions`, chatBody))
    const waiting = rejects(server.waitForRequests(3))
    await server.waitForRequests(2)
    await server.close()
    await rejects(reader.read())
    await held
    await waiting
    assert.isFalse(server.requests[0]!.closedByClient)
    await server.close()
  })
})

describe("FakeProviderServer: Effect", () => {
  it.effect("layer provides the server under the FakeProvider tag", () =>
    Effect.gen(function* () {
      const server = yield* FakeProvider
      const response = yield* Effect.promise(() => post(`${server.url}/v1/chat/completions`, chatBody))
      const body = (yield* Effect.promise(() => response.json())) as Json
      assert.strictEqual(body.object, "chat.completion")
    }).pipe(Effect.provide(FakeProviderServer.layer()))
  )

  it.effect("make closes the server with its scope", () =>
    Effect.gen(function* () {
      const url = yield* Effect.scoped(
        Effect.gen(function* () {
          const server = yield* FakeProviderServer.make()
          const response = yield* Effect.promise(() => fetch(`${server.url}/v1/models`))
          assert.strictEqual(response.status, 200)
          yield* Effect.promise(() => response.text())
          return server.url
        })
      )
      const refused = yield* Effect.promise(() =>
        fetch(`${url}/v1/models`).then(
          () => false,
          () => true
        )
      )
      assert.isTrue(refused)
    })
  )
})
