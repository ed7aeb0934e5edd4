// What an instrumented call records: span attributes, metrics and the log line, for chat, stream and embed, for
// failures and cancellations, and what the reliability layers below it add (cache, circuit, rate limit, balancer).
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { ChatRequest } from "../../src/core/ChatRequest.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import { AuthenticationError, CircuitOpenError, ProviderError } from "../../src/core/LlmError.js"
import * as Usage from "../../src/core/Usage.js"
import * as Observability from "../../src/observability/Observability.js"
import * as Redaction from "../../src/observability/Redaction.js"
import * as Cache from "../../src/reliability/Cache.js"
import * as CircuitBreaker from "../../src/reliability/CircuitBreaker.js"
import * as LoadBalancer from "../../src/reliability/LoadBalancer.js"
import * as RateLimit from "../../src/reliability/RateLimit.js"
import * as Retry from "../../src/reliability/Retry.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"
import { untilSleeping } from "../reliability/helpers.js"
import { histogramOf, observed, sumOf } from "./helpers.js"

const ask = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: "user", content: "Hello there" }],
  ...extra
})

const memory = Effect.flatMap(Observability.Memory, (memory) =>
  Effect.all({ tree: memory.spanTree, spans: memory.spans, metrics: memory.metrics, logs: memory.logs })
)

const parseLine = (line: string) =>
  JSON.parse(line) as { message: string; logLevel: string; annotations: Record<string, unknown> }

describe("Observability: chat", () => {
  it.effect("request parameters, response, usage and provider names follow the GenAI conventions", () =>
    Effect.gen(function* () {
      // A provider named like one of ours gets the well-known GenAI name.
      const gemini = MockLlm.make({
        name: "gemini",
        script: [
          MockReply.text("Bonjour", {
            usage: Usage.make({ inputTokens: 12, outputTokens: 3, reasoningTokens: 2, cacheReadTokens: 5 })
          })
        ]
      }).client
      const request = ask("m-chat-attrs", {
        temperature: 0.2,
        topP: 0.9,
        maxTokens: 100,
        frequencyPenalty: 0.5,
        presencePenalty: -0.5,
        seed: 7,
        stop: "STOP",
        responseFormat: { type: "json" }
      })
      const { response, tree, logs } = yield* observed(
        gemini,
        Effect.gen(function* () {
          const response = yield* LlmClient.chat(request)
          return { response, ...(yield* memory) }
        })
      )
      assert.strictEqual(tree.length, 1)
      const call = tree[0]!
      assert.strictEqual(call.name, "chat m-chat-attrs")
      assert.strictEqual(call.kind, "client")
      assert.deepInclude(call.attributes, {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "gcp.gemini",
        "gen_ai.system": "gcp.gemini",
        "agent_adapter.provider": "gemini",
        "agent_adapter.operation": "chat",
        "gen_ai.request.model": "m-chat-attrs",
        "gen_ai.request.stream": false,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.top_p": 0.9,
        "gen_ai.request.max_tokens": 100,
        "gen_ai.request.frequency_penalty": 0.5,
        "gen_ai.request.presence_penalty": -0.5,
        "gen_ai.request.seed": 7,
        "gen_ai.output.type": "json",
        "gen_ai.response.id": response.id,
        "gen_ai.response.model": "m-chat-attrs",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 3,
        "gen_ai.usage.reasoning.output_tokens": 2,
        "gen_ai.usage.cache_read.input_tokens": 5,
        "agent_adapter.outcome": "success",
        "agent_adapter.attempts": 1
      })
      assert.deepStrictEqual(call.attributes["gen_ai.request.stop_sequences"], ["STOP"])
      assert.deepStrictEqual(call.attributes["gen_ai.response.finish_reasons"], ["stop"])
      // Content is not recorded unless asked for.
      assert.notProperty(call.attributes, "gen_ai.input.messages")
      assert.notProperty(call.attributes, "gen_ai.output.messages")
      assert.strictEqual(call.children.length, 1)
      assert.strictEqual(call.children[0]!.name, "gen_ai.attempt")
      const line = parseLine(logs[0]!.line)
      assert.strictEqual(line.message, "chat m-chat-attrs success")
      assert.strictEqual(line.logLevel, "INFO")
      assert.deepInclude(line.annotations, {
        provider: "gemini",
        model: "m-chat-attrs",
        response_id: response.id,
        input_tokens: 12,
        output_tokens: 3,
        finish_reason: "stop",
        outcome: "success",
        attempts: 1
      })
      assert.notProperty(line.annotations, "cost_usd")
    })
  )

  it.effect("content is recorded when asked for, in the conventions' message shapes, redacted", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make([MockReply.toolCall("get_weather", { city: "Paris" }, { id: "call_1" })])
      const request: ChatRequest = {
        model: "m-content",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Weather in Paris? my token is Bearer abcdefgh12345678" }
        ]
      }
      const { tree } = yield* observed(mock.client, Effect.zipRight(LlmClient.chat(request), memory), {
        captureContent: true
      })
      const attributes = tree[0]!.attributes
      assert.deepStrictEqual(JSON.parse(String(attributes["gen_ai.system_instructions"])), [
        { type: "text", content: "Be brief." }
      ])
      assert.deepStrictEqual(JSON.parse(String(attributes["gen_ai.input.messages"])), [
        { role: "user", parts: [{ type: "text", content: "Weather in Paris? my token is Bearer [REDACTED]" }] }
      ])
      assert.deepStrictEqual(JSON.parse(String(attributes["gen_ai.output.messages"])), [
        {
          role: "assistant",
          parts: [{ type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
          finish_reason: "tool_calls"
        }
      ])
    })
  )

  it.effect("a failure: error type, status and retryable on the span, the error metric label, a warning line", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make([
        MockReply.fail(new AuthenticationError({ message: "invalid key", provider: "mock", status: 401 }))
      ])
      const { error, tree, metrics, logs } = yield* observed(
        mock.client,
        Effect.gen(function* () {
          const error = yield* Effect.flip(LlmClient.chat(ask("m-chat-fail")))
          return { error, ...(yield* memory) }
        })
      )
      assert.instanceOf(error, AuthenticationError)
      const call = tree[0]!
      assert.strictEqual(call.status.code, "error")
      assert.strictEqual(call.status.message, "invalid key")
      assert.deepInclude(call.attributes, {
        "error.type": "AuthenticationError",
        "http.response.status_code": 401,
        "agent_adapter.error.retryable": false,
        "agent_adapter.outcome": "error"
      })
      assert.deepInclude(call.children[0]!.attributes, {
        "error.type": "AuthenticationError",
        "http.response.status_code": 401
      })
      const duration = histogramOf(metrics, "gen_ai.client.operation.duration", {
        "gen_ai.request.model": "m-chat-fail",
        "error.type": "AuthenticationError"
      })
      assert.strictEqual(duration.count, 1)
      const line = parseLine(logs[0]!.line)
      assert.strictEqual(line.logLevel, "WARN")
      assert.deepInclude(line.annotations, {
        outcome: "error",
        "error.type": "AuthenticationError",
        "error.message": "invalid key"
      })
    })
  )

  it.effect("the error the caller gets is redacted too, keeping its class", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make([MockReply.fail(new ProviderError({ message: "upstream echoed odd-key-9931" }))])
      const error = yield* observed(mock.client, Effect.flip(LlmClient.chat(ask("m-redact-error"))), {
        redaction: { secrets: ["odd-key-9931"] }
      })
      assert.instanceOf(error, ProviderError)
      assert.strictEqual(error.message, "upstream echoed [REDACTED]")
    })
  )

  it.effect("cost: from the response or the price function, on the span, the log line and the cost counter", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make([
        MockReply.text("a", { usage: Usage.make({ inputTokens: 1000, outputTokens: 500 }) }),
        MockReply.text("b", { usage: Usage.make({ inputTokens: 1000, outputTokens: 500 }) })
      ])
      const price = (usage: Usage.Usage) => (usage.inputTokens * 2 + usage.outputTokens * 8) / 1_000_000
      const { tree, metrics, logs } = yield* observed(
        mock.client,
        Effect.gen(function* () {
          yield* LlmClient.chat(ask("m-cost"))
          yield* Stream.runDrain(LlmClient.stream(ask("m-cost")))
          return yield* memory
        }),
        { cost: price }
      )
      for (const call of tree) assert.strictEqual(call.attributes["agent_adapter.cost.usd"], 0.006)
      for (const log of logs) assert.strictEqual(parseLine(log.line).annotations.cost_usd, 0.006)
      assert.closeTo(sumOf(metrics, "agent_adapter.client.cost", { "gen_ai.request.model": "m-cost" }), 0.012, 1e-12)
    })
  )

  it.effect("logCalls: false writes no line; spans and metrics stay", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ whenEmpty: "echo" })
      const { tree, logs } = yield* observed(mock.client, Effect.zipRight(LlmClient.chat(ask("m-quiet")), memory), {
        logCalls: false
      })
      assert.strictEqual(tree.length, 1)
      assert.deepStrictEqual(logs, [])
    })
  )
})

describe("Observability: stream", () => {
  it.effect("time to first chunk, time per chunk and chunk rate, on the TestClock", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ script: [MockReply.text("one two three four")], chunkDelay: "100 millis" })
      const { chunks, tree, metrics, logs } = yield* observed(
        mock.client,
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(Stream.runCollect(LlmClient.stream(ask("m-stream-timing"))))
          // Six chunks (id, four words, finish), each 100 ms after the one before.
          for (let i = 0; i < 6; i++) {
            yield* untilSleeping()
            yield* TestClock.adjust("100 millis")
          }
          const chunks = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
          return { chunks, ...(yield* memory) }
        })
      )
      assert.strictEqual(chunks.length, 6)
      const call = tree[0]!
      assert.strictEqual(call.durationMs, 600)
      assert.deepInclude(call.attributes, {
        "gen_ai.response.time_to_first_chunk": 0.1,
        "agent_adapter.stream.chunks": 6,
        "gen_ai.request.stream": true,
        "agent_adapter.operation": "stream"
      })
      const labels = { "gen_ai.request.model": "m-stream-timing" }
      const ttfc = histogramOf(metrics, "gen_ai.client.operation.time_to_first_chunk", labels)
      assert.deepInclude(ttfc, { count: 1, sum: 0.1 })
      const perChunk = histogramOf(metrics, "gen_ai.client.operation.time_per_output_chunk", labels)
      assert.strictEqual(perChunk.count, 5)
      assert.closeTo(perChunk.sum, 0.5, 1e-9)
      const rate = histogramOf(metrics, "agent_adapter.client.stream.chunk_rate", labels)
      assert.closeTo(rate.sum, 10, 1e-9)
      assert.deepInclude(histogramOf(metrics, "gen_ai.client.operation.duration", labels), { count: 1, sum: 0.6 })
      assert.deepInclude(parseLine(logs[0]!.line).annotations, { ttfc_ms: 100, latency_ms: 600, chunks: 6 })
    })
  )

  it.effect("an interrupted stream ends its spans as cancelled and still logs its line", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ script: [MockReply.text("one two three four")], chunkDelay: "100 millis" })
      const { tree, logs } = yield* observed(
        mock.client,
        Effect.gen(function* () {
          const fiber = yield* Effect.fork(Stream.runDrain(LlmClient.stream(ask("m-stream-cancel"))))
          yield* untilSleeping()
          yield* TestClock.adjust("100 millis")
          yield* untilSleeping()
          yield* Fiber.interrupt(fiber)
          return yield* memory
        })
      )
      assert.strictEqual(tree.length, 1)
      const call = tree[0]!
      assert.strictEqual(call.attributes["agent_adapter.outcome"], "cancelled")
      assert.strictEqual(call.attributes["agent_adapter.stream.chunks"], 1)
      assert.strictEqual(call.children.length, 1)
      const line = parseLine(logs[0]!.line)
      assert.strictEqual(line.message, "stream m-stream-cancel cancelled")
      assert.strictEqual(line.annotations.outcome, "cancelled")
    })
  )

  it.effect("a stream failing mid-way records the error after the chunks it delivered", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make([
        MockReply.failAfter(
          MockReply.text("partial answer here"),
          2,
          new ProviderError({ message: "cut", status: 502 })
        )
      ])
      const { error, tree } = yield* observed(
        mock.client,
        Effect.gen(function* () {
          const error = yield* Effect.flip(Stream.runDrain(LlmClient.stream(ask("m-stream-fail"))))
          return { error, ...(yield* memory) }
        })
      )
      assert.instanceOf(error, ProviderError)
      const call = tree[0]!
      assert.strictEqual(call.status.code, "error")
      assert.deepInclude(call.attributes, {
        "error.type": "ProviderError",
        "http.response.status_code": 502,
        "agent_adapter.stream.chunks": 2,
        "agent_adapter.outcome": "error"
      })
    })
  )
})

describe("Observability: embed", () => {
  it.effect("an embeddings span with its dimensions, encoding and input tokens", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ whenEmpty: "echo" })
      const { tree, metrics } = yield* observed(
        mock.client,
        Effect.gen(function* () {
          yield* LlmClient.embed({ model: "m-embed", input: ["one", "two"], dimensions: 4, encodingFormat: "float" })
          return yield* memory
        })
      )
      const call = tree[0]!
      assert.strictEqual(call.name, "embeddings m-embed")
      assert.deepInclude(call.attributes, {
        "gen_ai.operation.name": "embeddings",
        "gen_ai.embeddings.dimension.count": 4,
        "gen_ai.response.model": "m-embed"
      })
      assert.deepStrictEqual(call.attributes["gen_ai.request.encoding_formats"], ["float"])
      const input = histogramOf(metrics, "gen_ai.client.token.usage", {
        "gen_ai.request.model": "m-embed",
        "gen_ai.token.type": "input"
      })
      assert.strictEqual(input.count, 1)
      assert.strictEqual(input.sum, call.attributes["gen_ai.usage.input_tokens"])
      assert.strictEqual(
        histogramOf(metrics, "gen_ai.client.operation.duration", {
          "gen_ai.request.model": "m-embed",
          "gen_ai.operation.name": "embeddings"
        }).count,
        1
      )
    })
  )
})

describe("Observability: what the reliability layers add", () => {
  it.effect("a cache hit: no attempt, cached on the span and the line, hit and miss counted", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ whenEmpty: "echo" })
      const cache = yield* Cache.make()
      const { tree, metrics, logs } = yield* observed(
        cache.decorateClient(mock.client),
        Effect.gen(function* () {
          yield* LlmClient.chat(ask("m-cache"))
          yield* LlmClient.chat(ask("m-cache"))
          return yield* memory
        })
      )
      assert.strictEqual(mock.controls.calls().length, 1)
      const [miss, hit] = tree
      assert.strictEqual(miss!.children.length, 1)
      assert.strictEqual(hit!.children.length, 0)
      assert.strictEqual(hit!.attributes["agent_adapter.cache.hit"], true)
      assert.strictEqual(hit!.attributes["agent_adapter.attempts"], 0)
      assert.strictEqual(parseLine(logs[1]!.line).annotations.cached, true)
      const labels = { "gen_ai.request.model": "m-cache" }
      assert.strictEqual(
        sumOf(metrics, "agent_adapter.client.cache.requests", { ...labels, "agent_adapter.cache.result": "hit" }),
        1
      )
      assert.strictEqual(
        sumOf(metrics, "agent_adapter.client.cache.requests", { ...labels, "agent_adapter.cache.result": "miss" }),
        1
      )
    })
  )

  it.effect("an open circuit: the rejected call shows an attempt that never left, the state gauge says open", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({
        name: "circuit-mock",
        script: [MockReply.fail(new ProviderError({ message: "down" }))]
      })
      const breaker = yield* CircuitBreaker.make({ failureThreshold: 1 })
      const { second, tree, metrics } = yield* observed(
        CircuitBreaker.decorateClient(breaker)(mock.client),
        Effect.gen(function* () {
          yield* Effect.flip(LlmClient.chat(ask("m-circuit")))
          const second = yield* Effect.flip(LlmClient.chat(ask("m-circuit")))
          return { second, ...(yield* memory) }
        })
      )
      assert.instanceOf(second, CircuitOpenError)
      assert.strictEqual(mock.controls.calls().length, 1)
      const [first, rejected] = tree
      assert.deepInclude(first!.children[0]!.attributes, {
        "agent_adapter.circuit": "circuit-mock",
        "agent_adapter.circuit.state": "closed",
        "error.type": "ProviderError"
      })
      assert.deepInclude(rejected!.children[0]!.attributes, {
        "agent_adapter.circuit": "circuit-mock",
        "agent_adapter.circuit.state": "open",
        "error.type": "CircuitOpenError"
      })
      assert.strictEqual(
        sumOf(metrics, "agent_adapter.client.circuit.state", { "agent_adapter.circuit": "circuit-mock" }),
        2
      )
      assert.strictEqual(
        sumOf(metrics, "agent_adapter.client.circuit.rejections", {
          "agent_adapter.circuit": "circuit-mock",
          "gen_ai.request.model": "m-circuit"
        }),
        1
      )
    })
  )

  it.effect("a rate limiter wait is measured on the span and in the wait histogram", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ whenEmpty: "echo" })
      const limiter = yield* RateLimit.makeLimiter("m-limit", { requestsPerMinute: 1 }).pipe(
        Effect.provide(RateLimit.layerStoreMemory)
      )
      const { tree, metrics } = yield* observed(
        RateLimit.decorateClient(limiter, { requestsPerMinute: 1 })(mock.client),
        Effect.gen(function* () {
          yield* LlmClient.chat(ask("m-limit"))
          const fiber = yield* Effect.fork(LlmClient.chat(ask("m-limit")))
          yield* untilSleeping()
          yield* TestClock.adjust("60 seconds")
          yield* Fiber.join(fiber)
          return yield* memory
        })
      )
      assert.notProperty(tree[0]!.attributes, "agent_adapter.rate_limit.wait")
      assert.strictEqual(tree[1]!.attributes["agent_adapter.rate_limit.wait"], 60)
      const wait = histogramOf(metrics, "agent_adapter.client.rate_limit.wait", { "gen_ai.request.model": "m-limit" })
      assert.deepInclude(wait, { count: 2, sum: 60 })
    })
  )

  it.effect("load-balanced members: each attempt says which member it went to", () =>
    Effect.gen(function* () {
      const a = MockLlm.make({ name: "member-a", whenEmpty: "echo" })
      const b = MockLlm.make({ name: "member-b", whenEmpty: "echo" })
      const balancer = LoadBalancer.make([
        { client: a.client, name: "a" },
        { client: b.client, name: "b" }
      ])
      const { tree } = yield* observed(
        balancer.client,
        Effect.gen(function* () {
          yield* LlmClient.chat(ask("m-balance"))
          yield* LlmClient.chat(ask("m-balance"))
          return yield* memory
        })
      )
      assert.deepStrictEqual(
        tree.map((call) => [
          call.children[0]!.attributes["agent_adapter.balancer.member"],
          call.attributes["agent_adapter.provider"]
        ]),
        [
          ["a", "member-a"],
          ["b", "member-b"]
        ]
      )
    })
  )

  it.effect("a chat retried under Retry: one attempt span per try, numbered, with its retry", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make([
        MockReply.fail(new ProviderError({ message: "busy", status: 503 })),
        MockReply.text("ok")
      ])
      const { tree, metrics } = yield* observed(
        Retry.decorateClient({ maxRetries: 2, baseDelay: "0 millis", jitter: false })(mock.client),
        Effect.zipRight(LlmClient.chat(ask("m-retry-chat")), memory)
      )
      const call = tree[0]!
      assert.deepInclude(call.attributes, { "agent_adapter.attempts": 2, "agent_adapter.retries": 1 })
      assert.deepStrictEqual(
        call.children.map((attempt) => [
          attempt.attributes["agent_adapter.attempt.number"],
          attempt.attributes["agent_adapter.attempt.retry"],
          attempt.status.code
        ]),
        [
          [1, 0, "error"],
          [2, 1, "ok"]
        ]
      )
      assert.strictEqual(
        sumOf(metrics, "agent_adapter.client.retries", {
          "gen_ai.request.model": "m-retry-chat",
          "error.type": "ProviderError"
        }),
        1
      )
    })
  )
})

describe("Observability: where spans are made", () => {
  it.effect("decorated but not instrumented: no span, even with a tracer installed", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ whenEmpty: "echo" })
      const llm = Retry.decorateClient()(mock.client)
      const spans = yield* Effect.gen(function* () {
        yield* llm.chat(ask("m-bare"))
        yield* Stream.runDrain(llm.stream(ask("m-bare")))
        return yield* (yield* Observability.Memory).spans
      }).pipe(Effect.provide(Observability.layerMemoryTelemetry()))
      assert.deepStrictEqual(spans, [])
    })
  )

  it.effect("an instrumented client inside another: one call span, not two", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ whenEmpty: "echo" })
      const twice = Observability.instrument()(Observability.instrument()(mock.client))
      const { tree, logs } = yield* observed(twice, Effect.zipRight(LlmClient.chat(ask("m-nested")), memory))
      assert.strictEqual(tree.length, 1)
      assert.strictEqual(tree[0]!.children.length, 1)
      assert.strictEqual(logs.length, 1)
    })
  )

  it.effect("a caller's span is the parent of the call span", () =>
    Effect.gen(function* () {
      const mock = MockLlm.make({ whenEmpty: "echo" })
      const { tree } = yield* observed(
        mock.client,
        Effect.zipRight(LlmClient.chat(ask("m-parent")).pipe(Effect.withSpan("handle request")), memory)
      )
      assert.strictEqual(tree.length, 1)
      assert.strictEqual(tree[0]!.name, "handle request")
      assert.strictEqual(tree[0]!.children[0]!.name, "chat m-parent")
      // The call's log line is not attached to the caller's span as an event.
      assert.deepStrictEqual(tree[0]!.events, [])
    })
  )

  it.effect("registered secrets leave application logs too, through the redacting logger", () =>
    Effect.gen(function* () {
      Redaction.register("app-secret-5150")
      try {
        const mock = MockLlm.make({ whenEmpty: "echo" })
        const { logs } = yield* observed(
          mock.client,
          Effect.zipRight(
            Effect.logInfo("connecting with app-secret-5150").pipe(Effect.annotateLogs({ apiKey: "whatever" })),
            memory
          )
        )
        assert.strictEqual(logs[0]!.message, "connecting with [REDACTED]")
        assert.strictEqual(logs[0]!.annotations.apiKey, "[REDACTED]")
        assert.notInclude(logs[0]!.line, "app-secret-5150")
      } finally {
        Redaction.unregister("app-secret-5150")
      }
    })
  )
})
