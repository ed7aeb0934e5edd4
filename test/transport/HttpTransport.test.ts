import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { FakeOpenAi, FakeProviderServer, FakeReply } from "../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

// The default transport against a real server on loopback: every accessor of the platform's response interface,
// interruption, and the fallback for streamed request bodies.
const setup = Effect.gen(function* () {
  const server = yield* FakeProviderServer.make()
  const context = yield* Layer.build(HttpTransport.layer)
  const client = yield* Effect.provide(HttpClient.HttpClient, context)
  return { server, client }
})

const decoder = new TextDecoder()

describe("HttpTransport.layer", () => {
  it.effect("GET: status, headers, json, text and arrayBuffer share one read of the body", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      const response = yield* client.get(`${server.url}/v1/models`)
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["content-type"], "application/json")
      assert.match(response.headers["x-request-id"] ?? "", /^req_fake_/)
      assert.isTrue(Option.isSome(response.remoteAddress))
      const json = (yield* response.json) as { object: string }
      assert.strictEqual(json.object, "list")
      const text = yield* response.text
      assert.deepStrictEqual(JSON.parse(text) as unknown, json)
      const bytes = yield* response.arrayBuffer
      assert.strictEqual(decoder.decode(bytes), text)
    }).pipe(Effect.scoped)
  )

  it.effect("POST a JSON body with query parameters, through a wrapped client", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      const wrapped = HttpClient.mapRequest(client, HttpClientRequest.setHeader("x-extra", "yes"))
      const request = HttpClientRequest.post(`${server.url}/v1/chat/completions`).pipe(
        HttpClientRequest.setUrlParam("api-version", "2024-10-21"),
        HttpClientRequest.bodyUnsafeJson({ model: "gpt-4o", messages: [{ role: "user", content: "hi there" }] })
      )
      const response = yield* wrapped.execute(request)
      const body = (yield* response.json) as { choices: Array<{ message: { content: string } }> }
      assert.strictEqual(body.choices[0]?.message.content, "hi there")
      const sent = server.requests[0]
      assert.strictEqual(sent?.path, "/v1/chat/completions?api-version=2024-10-21")
      assert.strictEqual(sent?.headers["x-extra"], "yes")
      assert.strictEqual(sent?.headers["content-length"], String(sent?.rawBody.length))
    }).pipe(Effect.scoped)
  )

  it.effect("a streamed request body goes through the platform client on the same agents", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      const payload = JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "streamed body" }] })
      const request = HttpClientRequest.post(`${server.url}/v1/chat/completions`).pipe(
        HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode(payload)), {
          contentType: "application/json"
        })
      )
      const response = yield* client.execute(request)
      const body = (yield* response.json) as { choices: Array<{ message: { content: string } }> }
      assert.strictEqual(body.choices[0]?.message.content, "streamed body")
    }).pipe(Effect.scoped)
  )

  it.effect("the body as a stream gives the same bytes as text", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("streamed answer", { chunks: 5 })))
      const response = yield* client.post(`${server.url}/v1/chat/completions`)
      const parts = yield* Stream.runCollect(response.stream)
      const text = Chunk.toReadonlyArray(parts)
        .map((part) => decoder.decode(part))
        .join("")
      assert.strictEqual(text, FakeOpenAi.chatCompletionChunks("streamed answer", { chunks: 5 }).join(""))
    }).pipe(Effect.scoped)
  )

  it.effect("interrupting a request that hangs closes the connection", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      server.enqueue(FakeReply.hang())
      const fiber = yield* Effect.fork(client.get(`${server.url}/v1/models`))
      yield* Effect.promise(() => server.waitForRequests(1))
      yield* Fiber.interrupt(fiber)
      yield* Effect.promise(() => server.waitForClientClose(0))
      assert.isTrue(server.requests[0]?.closedByClient)
    }).pipe(Effect.scoped)
  )

  it.effect("leaving a body stream early closes the connection", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("a b c d e f", { chunks: 6 }), { stallAfter: 2 }))
      const response = yield* client.post(`${server.url}/v1/chat/completions`)
      const first = yield* Stream.runCollect(Stream.take(response.stream, 1))
      assert.strictEqual(Chunk.size(first), 1)
      yield* Effect.promise(() => server.waitForClientClose(0))
    }).pipe(Effect.scoped)
  )

  it.effect("a body cut mid-way fails the read with a ResponseError", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      server.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("cut here", { chunks: 4 }), { cutAfter: 2 }))
      const response = yield* client.post(`${server.url}/v1/chat/completions`)
      const error = yield* Effect.flip(response.text)
      assert.strictEqual(error._tag, "ResponseError")
    }).pipe(Effect.scoped)
  )

  it.effect("an invalid URL and a refused connection fail with RequestError", () =>
    Effect.gen(function* () {
      const { client } = yield* setup
      const invalid = yield* Effect.flip(client.get("not a url"))
      assert.strictEqual(invalid._tag, "RequestError")
      assert.strictEqual(invalid._tag === "RequestError" ? invalid.reason : undefined, "InvalidUrl")
      const refused = yield* Effect.flip(client.get("http://127.0.0.1:1/"))
      assert.strictEqual(refused._tag === "RequestError" ? refused.reason : undefined, "Transport")
    }).pipe(Effect.scoped)
  )

  it.effect("connections are kept alive and reused", () =>
    Effect.gen(function* () {
      const { server, client } = yield* setup
      for (let i = 0; i < 5; i++) {
        const response = yield* client.get(`${server.url}/v1/models`)
        yield* response.text
      }
      assert.deepStrictEqual(
        server.requests.map((request) => request.headers.connection),
        ["keep-alive", "keep-alive", "keep-alive", "keep-alive", "keep-alive"]
      )
      // One socket for all five sequential requests.
      assert.strictEqual(new Set(server.requests.map((request) => request.connection)).size, 1)
    }).pipe(Effect.scoped)
  )
})
