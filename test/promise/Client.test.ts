import { afterAll, afterEach, assert, beforeAll, describe, it } from "@effect/vitest"
import {
  AuthenticationError,
  Client,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ResponseDecodeError
} from "../../src/index.js"
import {
  FakeOpenAi,
  type FakeProviderServer,
  FakeReply,
  FakeProviderServer as FakeServer
} from "../../src/testing/index.js"

let server: FakeProviderServer
let client: Client

beforeAll(async () => {
  server = await FakeServer.start()
  // Retries off: these tests look at each error as the provider sent it (the retry policy has its own tests).
  client = new Client({ provider: "openai", apiKey: "sk-facade-test", baseUrl: `${server.url}/v1`, retry: false })
})

afterAll(async () => {
  await client.close()
  await server.close()
})

afterEach(() => server.reset())

const bodyOf = (index: number): Record<string, unknown> =>
  (server.requests[index]?.body ?? {}) as Record<string, unknown>

const messages = (content: string) => [{ role: "user" as const, content }]

describe("Client (promise facade)", () => {
  it("chat resolves to a ChatResponse", async () => {
    const reply = await client.chat({ model: "gpt-4o", messages: messages("Hello there"), maxTokens: 20 })
    assert.strictEqual(reply.content, "Hello there")
    assert.strictEqual(reply.provider, "openai")
    assert.strictEqual(reply.finishReason, "stop")
    assert.isAbove(reply.usage.totalTokens, 0)
    const sent = server.requests[0]
    assert.strictEqual(sent?.headers.authorization, "Bearer sk-facade-test")
    assert.deepStrictEqual(sent?.body, { model: "gpt-4o", messages: messages("Hello there"), max_tokens: 20 })
  })

  it("stream: true resolves to an async iterable of chunks; toResponse folds the rest", async () => {
    const stream = await client.chat({ model: "gpt-4o", messages: messages("one two three four"), stream: true })
    let text = ""
    for await (const chunk of stream) {
      text += chunk.delta
    }
    assert.strictEqual(text, "one two three four")
    const body = bodyOf(0)
    assert.strictEqual(body.stream, true)
    assert.deepStrictEqual(body.stream_options, { include_usage: true })

    const again = await client.chat({ model: "gpt-4o", messages: messages("fold me"), stream: true })
    const response = await again.toResponse()
    assert.strictEqual(response.content, "fold me")
    assert.strictEqual(response.finishReason, "stop")
    assert.isAbove(response.usage.outputTokens, 0)
  })

  it("a stream has one consumer", async () => {
    const stream = await client.chat({ model: "gpt-4o", messages: messages("x"), stream: true })
    stream[Symbol.asyncIterator]()
    assert.throws(() => stream[Symbol.asyncIterator](), TypeError, "iterated only once")
    await stream.abort()
  })

  it("breaking out of for await cancels the HTTP request, quietly", async () => {
    server.enqueue(
      FakeReply.stream(FakeOpenAi.chatCompletionChunks("never ending story", { chunks: 3 }), { stallAfter: 2 })
    )
    const stream = await client.chat({ model: "gpt-4o", messages: messages("x"), stream: true })
    const seen: Array<string> = []
    for await (const chunk of stream) {
      seen.push(chunk.delta)
      if (chunk.delta !== "") break
    }
    await server.waitForClientClose(0)
    assert.isAtLeast(seen.length, 1)
    assert.isTrue(server.requests[0]?.closedByClient)
  })

  it("an AbortSignal cancels a stream mid-way: the iteration rejects with the abort reason", async () => {
    server.enqueue(
      FakeReply.stream(FakeOpenAi.chatCompletionChunks("stalls after a bit", { chunks: 3 }), { stallAfter: 2 })
    )
    const controller = new AbortController()
    const stream = await client.chat({
      model: "gpt-4o",
      messages: messages("x"),
      stream: true,
      signal: controller.signal
    })
    const iterator = stream[Symbol.asyncIterator]()
    await iterator.next()
    controller.abort(new Error("user cancelled"))
    // The HTTP request is cancelled at once, even though nobody is pulling.
    await server.waitForClientClose(0)
    const error = await iterator.next().then(
      () => undefined,
      (e: unknown) => e
    )
    assert.instanceOf(error, Error)
    assert.strictEqual((error as Error).message, "user cancelled")
    await server.waitForClientClose(0)
  })

  it("an AbortSignal cancels a non-streaming call that hangs", async () => {
    server.enqueue(FakeReply.hang())
    const controller = new AbortController()
    const pending = client.chat({ model: "gpt-4o", messages: messages("x"), signal: controller.signal })
    await server.waitForRequests(1)
    controller.abort()
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e
    )
    assert.strictEqual((error as DOMException).name, "AbortError")
    await server.waitForClientClose(0)
  })

  it("an AbortSignal cancels a stream before its first chunk", async () => {
    server.enqueue(FakeReply.hang())
    const controller = new AbortController()
    const pending = client.chat({ model: "gpt-4o", messages: messages("x"), stream: true, signal: controller.signal })
    await server.waitForRequests(1)
    controller.abort()
    const error = await pending.then(
      () => undefined,
      (e: unknown) => e
    )
    assert.strictEqual((error as DOMException).name, "AbortError")
    await server.waitForClientClose(0)
  })

  it("errors are thrown as the exported classes, with their fields", async () => {
    server.enqueue(
      FakeOpenAi.error(429, "Rate limit reached", { code: "rate_limit_exceeded", headers: { "retry-after": "3" } })
    )
    const error = await client.chat({ model: "gpt-4o", messages: messages("x") }).catch((e: unknown) => e)
    assert.instanceOf(error, RateLimitError)
    const rateLimit = error as RateLimitError
    assert.strictEqual(rateLimit.retryAfterMs, 3000)
    assert.strictEqual(rateLimit.status, 429)
    assert.strictEqual(rateLimit.provider, "openai")
    assert.isTrue(rateLimit.retryable)
  })

  it("an error before the first chunk rejects the stream call itself", async () => {
    server.enqueue(FakeOpenAi.error(401, "Incorrect API key provided", { code: "invalid_api_key" }))
    const error = await client.chat({ model: "gpt-4o", messages: messages("x"), stream: true }).catch((e: unknown) => e)
    assert.instanceOf(error, AuthenticationError)
  })

  it("a broken stream throws from the loop after the chunks before it", async () => {
    const frames = FakeOpenAi.chatCompletionChunks("good text", { chunks: 2 })
    server.enqueue(FakeReply.stream([frames[0]!, frames[1]!, "data: {not json}\n\n"]))
    const stream = await client.chat({ model: "gpt-4o", messages: messages("x"), stream: true })
    let text = ""
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.delta
    })().catch((e: unknown) => e)
    assert.instanceOf(error, ResponseDecodeError)
    assert.isAbove(text.length, 0)
  })

  it("an invalid request throws InvalidRequestError and sends nothing", async () => {
    const error = await client.chat({ model: "gpt-4o", messages: [] }).catch((e: unknown) => e)
    assert.instanceOf(error, InvalidRequestError)
    assert.strictEqual((error as InvalidRequestError).param, "messages")
    assert.strictEqual(server.requests.length, 0)
  })

  it("embed resolves to vectors", async () => {
    const response = await client.embed({ model: "text-embedding-3-small", input: ["a", "b"], dimensions: 4 })
    assert.strictEqual(response.embeddings.length, 2)
    assert.strictEqual(response.embeddings[0]?.length, 4)
    assert.strictEqual(bodyOf(0).encoding_format, "base64")
  })

  it("a preset of the compatible family reports its own name", async () => {
    const deepseek = new Client({ provider: "deepseek", apiKey: "sk-ds", baseUrl: `${server.url}/v1` })
    try {
      const reply = await deepseek.chat({ model: "deepseek-chat", messages: messages("hi") })
      assert.strictEqual(reply.provider, "deepseek")
      const error = await deepseek.embed({ model: "x", input: "a" }).catch((e: unknown) => e)
      assert.strictEqual((error as { _tag?: string })._tag, "UnsupportedError")
    } finally {
      await deepseek.close()
    }
  })

  it("a closed client refuses calls with a clear error, and closing twice is harmless", async () => {
    const closing = new Client({ provider: "mock" })
    await closing.close()
    await closing.close()
    const error = await closing.chat({ model: "m", messages: messages("x") }).catch((e: unknown) => e)
    assert.instanceOf(error, InvalidRequestError)
    assert.include((error as Error).message, "this Client is closed")
  })

  it("the mock provider needs no key and no network", async () => {
    const mock = new Client({ provider: "mock" })
    try {
      const reply = await mock.chat({ model: "demo", messages: messages("echo this") })
      assert.strictEqual(reply.content, "echo this")
    } finally {
      await mock.close()
    }
  })
})

describe("Client construction", () => {
  it("an unknown provider throws NotFoundError listing the providers", () => {
    assert.throws(
      () => new Client({ provider: "skynet" as "openai" }),
      NotFoundError,
      'unknown provider "skynet"; the providers are: openai, openai-compatible, deepseek'
    )
  })

  it("a missing key throws AuthenticationError naming the environment variable", () => {
    const saved = process.env.OPENAI_API_KEY
    delete process.env.OPENAI_API_KEY
    try {
      assert.throws(() => new Client({ provider: "openai" }), AuthenticationError, "set OPENAI_API_KEY")
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved
    }
  })

  it("the key is read from the vendor's environment variable", async () => {
    const saved = process.env.GROQ_API_KEY
    process.env.GROQ_API_KEY = "gsk-from-env"
    const groq = new Client({ provider: "groq", baseUrl: `${server.url}/v1` })
    try {
      await groq.chat({ model: "llama-3.3-70b-versatile", messages: messages("x") })
      assert.strictEqual(server.requests[0]?.headers.authorization, "Bearer gsk-from-env")
    } finally {
      await groq.close()
      if (saved === undefined) delete process.env.GROQ_API_KEY
      else process.env.GROQ_API_KEY = saved
    }
  })

  it("an unknown option and a missing baseUrl are typed errors", () => {
    assert.throws(
      () => new Client({ provider: "openai", apiKey: "k", base_url: "x" } as never),
      InvalidRequestError,
      'unknown option "base_url"'
    )
    assert.throws(() => new Client({ provider: "openai-compatible" }), InvalidRequestError, "needs a baseUrl")
  })
})
