// The server's behaviour under stress and over time: a client that leaves cancels the upstream request at once;
// shutdown lets a stream in flight finish (and cuts it at the deadline); the WebSocket route streams the same chunks;
// health, readiness and metrics tell the truth.
import * as Socket from "@effect/platform/Socket"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import { assert, describe, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { FakeOpenAi, FakeProviderServer, FakeReply } from "../../src/testing/FakeProviderServer.js"
import { configFor, get, harness, post } from "./helpers.js"

const streamBody = (content: string) =>
  JSON.stringify({ model: "openai/gpt-4o-mini", stream: true, messages: [{ role: "user", content }] })

/** Starts a streamed request and reads it until `until` appears in the text; resolves with the reader. */
const openStream = (url: string, body: string, signal?: AbortSignal) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      ...(signal === undefined ? {} : { signal })
    })
    return { response, reader: response.body!.getReader() }
  })

const readUntil = (reader: ReadableStreamDefaultReader<Uint8Array>, until: string) =>
  Effect.promise(async () => {
    const decoder = new TextDecoder()
    let text = ""
    while (!text.includes(until)) {
      const { value, done } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    return text
  })

const readAll = (reader: ReadableStreamDefaultReader<Uint8Array>) =>
  Effect.promise(async () => {
    const decoder = new TextDecoder()
    let text = ""
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return { text, error: undefined }
        text += decoder.decode(value, { stream: true })
      }
    } catch (error) {
      return { text, error }
    }
  })

const refused = (url: string) =>
  Effect.promise(() =>
    fetch(`${url}/health/live`).then(
      () => false,
      () => true
    )
  )

describe("gateway: a client that disconnects", () => {
  it.scoped("cancels the upstream request of a non-streaming call at once, and is settled as 499", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.fake.enqueue(FakeReply.hang())
      const abort = new AbortController()
      const call = fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
        signal: abort.signal
      }).catch(() => "aborted")
      yield* Effect.promise(() => h.fake.waitForRequests(1))
      abort.abort()
      yield* Effect.promise(() => h.fake.waitForClientClose(0))
      assert.strictEqual(yield* Effect.promise(() => call), "aborted")
      assert.isTrue(h.fake.requests[0]?.closedByClient)
      const records = yield* h.auth.usage.records({ limit: 10 }).pipe(Effect.orDie)
      assert.strictEqual(records[0]?.status, 499)
      assert.strictEqual(records[0]?.errorType, "client_closed")
    })
  )

  it.scoped("cancels the upstream stream when the client leaves mid-stream", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      h.fake.enqueue(
        FakeReply.stream(FakeOpenAi.chatCompletionChunks("one two three four", { chunks: 4 }), { stallAfter: 2 })
      )
      const abort = new AbortController()
      const { reader } = yield* openStream(h.url, streamBody("x"), abort.signal)
      const text = yield* readUntil(reader, "one")
      assert.include(text, "one")
      abort.abort()
      yield* Effect.promise(() => h.fake.waitForClientClose(0))
      assert.isTrue(h.fake.requests[0]?.closedByClient)
    })
  )
})

describe("gateway: graceful shutdown", () => {
  it.effect("stops accepting, lets a stream in flight finish, then closes", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const h = yield* Scope.extend(harness(), scope)
      h.fake.enqueue(
        FakeReply.stream(FakeOpenAi.chatCompletionChunks("the stream finishes", { chunks: 3 }), { holdFirstByte: true })
      )
      // The gateway sends no headers before the first chunk, so the response is awaited only after the release.
      const pending = fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: streamBody("x")
      })
      yield* Effect.promise(() => h.fake.waitForRequests(1))
      assert.strictEqual(yield* h.gateway.inFlight, 1)
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      // New connections are refused as soon as the drain starts...
      yield* Effect.repeat(refused(h.url), { until: (isRefused) => isRefused })
      // ...while the stream in flight still runs to its end.
      h.fake.release()
      const response = yield* Effect.promise(() => pending)
      const { text, error } = yield* readAll(response.body!.getReader())
      assert.isUndefined(error)
      assert.include(text, "data: [DONE]")
      assert.include(text, '"content":"the st')
      yield* Fiber.join(closing)
    })
  )

  it.scoped("closes a stream that outlives shutdownGraceMs, which cancels its upstream request", () =>
    Effect.gen(function* () {
      // The fake outlives the gateway, to see the upstream request cancelled after the gateway closed.
      const fakeServer = yield* FakeProviderServer.make()
      const scope = yield* Scope.make()
      const h = yield* Scope.extend(harness({ gateway: { shutdownGraceMs: 5000 }, fakeServer }), scope)
      h.fake.enqueue(FakeReply.stream(FakeOpenAi.chatCompletionChunks("never ends", { chunks: 4 }), { stallAfter: 2 }))
      const { reader } = yield* openStream(h.url, streamBody("x"))
      // The fake sends the role chunk and the first piece ("nev"), then stalls.
      yield* readUntil(reader, '"nev"')
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* Effect.repeat(refused(h.url), { until: (isRefused) => isRefused })
      // Before the deadline the stream is still open.
      yield* TestClock.adjust("4 seconds")
      assert.strictEqual(yield* h.gateway.inFlight, 1)
      yield* TestClock.adjust("2 seconds")
      const { text, error } = yield* readAll(reader)
      assert.isDefined(error)
      assert.notInclude(text, "[DONE]")
      yield* Fiber.join(closing)
      yield* Effect.promise(() => fakeServer.waitForClientClose(0))
      assert.isTrue(h.fake.requests[0]?.closedByClient)
    })
  )
})

describe("gateway: WebSocket", () => {
  it.scoped("streams the same chunk objects, then [DONE], for each request on one connection", () =>
    Effect.gen(function* () {
      const h = yield* harness({ fake: { streamChunks: 3 } })
      const socket = yield* Socket.makeWebSocket(`${h.url.replace("http", "ws")}/v1/chat/completions/ws`).pipe(
        Effect.provide(NodeSocket.layerWebSocketConstructor)
      )
      const write = yield* socket.writer
      const messages: Array<string> = []
      const twoDone = yield* Deferred.make<void>()
      yield* Effect.forkScoped(
        socket.runRaw((data) => {
          messages.push(typeof data === "string" ? data : new TextDecoder().decode(data))
          if (messages.filter((message) => message === "[DONE]").length === 2) Deferred.unsafeDone(twoDone, Exit.void)
        })
      )
      yield* write(
        JSON.stringify({
          model: "openai/gpt-4o-mini",
          messages: [{ role: "user", content: "first answer" }],
          stream_options: { include_usage: true },
          stream: true
        })
      )
      yield* write(JSON.stringify({ model: "fast", messages: [{ role: "user", content: "second" }] }))
      yield* Deferred.await(twoDone)
      const split = messages.indexOf("[DONE]")
      const first = messages.slice(0, split).map((message) => JSON.parse(message))
      const second = messages.slice(split + 1, -1).map((message) => JSON.parse(message))
      assert.strictEqual(first.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""), "first answer")
      assert.strictEqual(first[0].object, "chat.completion.chunk")
      assert.strictEqual(first[first.length - 1].usage.completion_tokens, 3)
      assert.strictEqual(second.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""), "second")
      assert.strictEqual(second[second.length - 1].choices[0].finish_reason, "stop")
    })
  )

  it.scoped("answers a bad request with one error message, and the connection keeps serving", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const socket = yield* Socket.makeWebSocket(`${h.url.replace("http", "ws")}/v1/chat/completions/ws`).pipe(
        Effect.provide(NodeSocket.layerWebSocketConstructor)
      )
      const write = yield* socket.writer
      const messages: Array<string> = []
      const done = yield* Deferred.make<void>()
      yield* Effect.forkScoped(
        socket.runRaw((data) => {
          messages.push(String(data))
          if (String(data) === "[DONE]") Deferred.unsafeDone(done, Exit.void)
        })
      )
      yield* write(
        JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }], colour: "blue" })
      )
      yield* write(JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "ok" }] }))
      yield* Deferred.await(done)
      const error = JSON.parse(messages[0]!)
      assert.strictEqual(error.error.type, "invalid_request_error")
      assert.strictEqual(error.error.param, "colour")
      assert.strictEqual(messages[messages.length - 1], "[DONE]")
    })
  )

  it.scoped("answers a plain GET with 400 naming the protocol", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      const reply = yield* get(`${h.url}/v1/chat/completions/ws`)
      assert.strictEqual(reply.status, 400)
      assert.strictEqual(reply.json.error.code, "websocket_required")
    })
  )
})

describe("gateway: health and metrics", () => {
  it.scoped("is live, and ready with storage and each provider's circuit", () =>
    Effect.gen(function* () {
      const h = yield* harness({
        config: (url) => ({ ...configFor(url), circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60_000 } })
      })
      const live = yield* get(`${h.url}/health/live`)
      assert.strictEqual(live.status, 200)
      assert.deepStrictEqual(live.json, { status: "ok" })
      h.fake.enqueue(FakeOpenAi.error(500, "boom", { type: "server_error" }))
      const failed = yield* post(
        `${h.url}/v1/chat/completions`,
        JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "x" }] })
      )
      assert.strictEqual(failed.status, 502)
      const ready = yield* get(`${h.url}/health/ready`)
      assert.strictEqual(ready.status, 200)
      assert.strictEqual(ready.json.status, "ready")
      assert.strictEqual(ready.json.checks.storage, true)
      assert.strictEqual(ready.json.checks.config, true)
      const circuits = Object.fromEntries(
        (ready.json.checks.providers as Array<{ name: string; circuit: string }>).map((p) => [p.name, p.circuit])
      )
      assert.deepStrictEqual(circuits, { openai: "open", claude: "closed", mock: "closed" })
    })
  )

  it.scoped("is not ready (503) when the key store is unreachable", () =>
    Effect.gen(function* () {
      const h = yield* harness({ authOverride: (service) => ({ ...service, ready: Effect.succeed(false) }) })
      const ready = yield* get(`${h.url}/health/ready`)
      assert.strictEqual(ready.status, 503)
      assert.strictEqual(ready.json.status, "not_ready")
      assert.strictEqual(ready.json.checks.storage, false)
    })
  )

  it.scoped("serves Prometheus text with request counts, latency histograms, tokens and in-flight gauges", () =>
    Effect.gen(function* () {
      const h = yield* harness()
      yield* Effect.promise(() =>
        h
          .openai()
          .chat.completions.create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "count me" }] })
      )
      yield* post(`${h.url}/v1/chat/completions`, "{bad")
      const reply = yield* get(`${h.url}/metrics`)
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8")
      const samples = new Map<string, number>()
      const types = new Map<string, string>()
      for (const line of reply.text.split("\n")) {
        if (line === "") continue
        if (line.startsWith("# TYPE ")) {
          const [name, type] = line.slice(7).split(" ")
          types.set(name!, type!)
          continue
        }
        if (line.startsWith("#")) continue
        // Every sample line is `name{labels} value` with a number (or +Inf/NaN).
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|NaN)$/.exec(line)
        assert.isNotNull(match, `not a Prometheus sample: ${line}`)
        samples.set(`${match![1]}${match![2] ?? ""}`, Number(match![3]))
      }
      assert.strictEqual(types.get("agent_adapter_gateway_requests_total"), "counter")
      assert.strictEqual(types.get("agent_adapter_gateway_request_duration_seconds"), "histogram")
      assert.strictEqual(types.get("agent_adapter_gateway_requests_in_flight"), "gauge")
      assert.isAtLeast(
        samples.get('agent_adapter_gateway_requests_total{route="chat_completions",status="200"}') ?? 0,
        1
      )
      assert.isAtLeast(
        samples.get('agent_adapter_gateway_requests_total{route="chat_completions",status="400"}') ?? 0,
        1
      )
      assert.isAtLeast(samples.get('agent_adapter_gateway_tokens_total{provider="openai",type="output"}') ?? 0, 2)
      // The metrics request itself is in flight while it renders.
      assert.isAtLeast(samples.get('agent_adapter_gateway_requests_in_flight{route="metrics"}') ?? 0, 1)
      const buckets = [...samples.entries()]
        .filter(([key]) =>
          key.startsWith('agent_adapter_gateway_request_duration_seconds_bucket{route="chat_completions"')
        )
        .map(([, value]) => value)
      assert.isAbove(buckets.length, 5)
      for (let i = 1; i < buckets.length; i++) assert.isAtLeast(buckets[i]!, buckets[i - 1]!)
      assert.strictEqual(
        buckets[buckets.length - 1],
        samples.get('agent_adapter_gateway_request_duration_seconds_count{route="chat_completions"}')
      )
    })
  )
})

describe("gateway: the fast lane and the platform's router", () => {
  const chat = JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "same either way" }] })
  const bad = JSON.stringify({ model: "openai/gpt-4o-mini", messages: "not a list" })

  it.scoped("answer the model routes alike: with server spans on, the platform's router serves them", () =>
    Effect.gen(function* () {
      const replies = []
      for (const spans of [false, true]) {
        const { url } = yield* harness({ gateway: { spans } })
        const ok = yield* post(`${url}/v1/chat/completions`, chat, { "x-request-id": `lane-${spans}` })
        const refused = yield* post(`${url}/v1/chat/completions`, bad)
        const embedded = yield* post(
          `${url}/v1/embeddings`,
          JSON.stringify({ model: "openai/text-embedding-3-small", input: "x" })
        )
        replies.push({ ok, refused, embedded })
        assert.strictEqual(ok.status, 200)
        assert.strictEqual(ok.headers.get("x-request-id"), `lane-${spans}`)
        assert.strictEqual(ok.headers.get("content-type"), "application/json")
        assert.strictEqual(Number(ok.headers.get("content-length")), Buffer.byteLength(ok.text))
        assert.strictEqual(refused.status, 400)
        assert.strictEqual(refused.json.error.param, "messages")
        assert.strictEqual(embedded.status, 200)
      }
      const [fast, platform] = replies
      assert.deepStrictEqual(fast!.ok.json.choices, platform!.ok.json.choices)
      assert.deepStrictEqual(fast!.refused.json, platform!.refused.json)
      assert.deepStrictEqual(fast!.embedded.json.data.length, platform!.embedded.json.data.length)
    })
  )

  it.scoped("routes a model route with a query string, and leaves other methods and paths to the router", () =>
    Effect.gen(function* () {
      const { url } = yield* harness()
      const withQuery = yield* post(`${url}/v1/chat/completions?api-version=1`, chat)
      assert.strictEqual(withQuery.status, 200)
      const wrongMethod = yield* get(`${url}/v1/chat/completions`)
      assert.strictEqual(wrongMethod.status, 404)
      assert.strictEqual(wrongMethod.json.error.code, "unknown_url")
      const live = yield* get(`${url}/health/live`)
      assert.strictEqual(live.status, 200)
    })
  )
})
