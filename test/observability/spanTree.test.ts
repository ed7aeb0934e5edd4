// The acceptance test of the traces: a streamed call through Retry and Fallback over real HTTP, where the first
// provider answers 503 twice (one retry, then the fallback), gives exactly this span tree, these metrics and this
// log line.
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../src/core/ChatRequest.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import * as Observability from "../../src/observability/Observability.js"
import * as Anthropic from "../../src/providers/anthropic/Anthropic.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as Fallback from "../../src/reliability/Fallback.js"
import * as Retry from "../../src/reliability/Retry.js"
import { FakeOpenAi, FakeProviderServer } from "../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"
import { histogramOf, observed, type Shape, shapeOf, sumOf } from "./helpers.js"

const overloaded = () => FakeOpenAi.error(503, "The server is overloaded", { type: "server_error" })

// OpenAI primary with one retry, then Anthropic: the stack of a production call.
const stack = Effect.gen(function* () {
  const primary = yield* FakeProviderServer.make()
  const backup = yield* FakeProviderServer.make()
  const transport = yield* Layer.build(HttpTransport.layer)
  const openai = yield* OpenAi.make({ apiKey: "sk-test-primary-0000", baseUrl: `${primary.url}/v1` }).pipe(
    Effect.provide(transport)
  )
  const anthropic = yield* Anthropic.make({ apiKey: "sk-ant-test-backup-0000", baseUrl: backup.url }).pipe(
    Effect.provide(transport)
  )
  const llm = Fallback.decorateClient([{ client: anthropic, model: "claude-haiku-4-5" }])(
    Retry.decorateClient({ maxRetries: 1, baseDelay: "0 millis", jitter: false })(openai)
  )
  return { primary, backup, llm }
})

const failedAttempt = (number: number, retry: number): Shape => ({
  name: "gen_ai.attempt",
  kind: "internal",
  status: "error",
  attributes: {
    "gen_ai.provider.name": "openai",
    "agent_adapter.provider": "openai",
    "gen_ai.request.model": "gpt-4o-tree",
    "agent_adapter.attempt.number": number,
    "agent_adapter.attempt.retry": retry,
    "agent_adapter.fallback.index": 0,
    "agent_adapter.fallback.target": "openai",
    "http.response.status_code": 503,
    "error.type": "ProviderError"
  },
  events: ["exception"],
  children: []
})

describe("Observability: the span tree of a call with one retry and one fallback", () => {
  it.effect("a stream: call span, two failed OpenAI attempts (503), the Anthropic attempt that answered", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { primary, backup, llm } = yield* stack
        primary.enqueue(overloaded(), overloaded())
        const request: ChatRequest = {
          model: "gpt-4o-tree",
          messages: [{ role: "user", content: "Survive the outage" }],
          temperature: 0,
          maxTokens: 64,
          stop: ["END"]
        }
        const { chunks, tree, metrics, logs } = yield* observed(
          llm,
          Effect.gen(function* () {
            const chunks = yield* Stream.runCollect(LlmClient.stream(request))
            const memory = yield* Observability.Memory
            return {
              chunks: Chunk.toReadonlyArray(chunks),
              tree: yield* memory.spanTree,
              metrics: yield* memory.metrics,
              logs: yield* memory.logs
            }
          })
        )
        assert.strictEqual(chunks.map((chunk) => chunk.delta).join(""), "Survive the outage")
        assert.strictEqual(primary.requests.length, 2)
        assert.strictEqual(backup.requests.length, 1)

        assert.strictEqual(tree.length, 1)
        const root = tree[0]!
        const usage = chunks.find((chunk) => chunk.usage !== undefined)?.usage
        assert.isDefined(usage)
        assert.deepStrictEqual(shapeOf(root), {
          name: "chat gpt-4o-tree",
          kind: "client",
          status: "ok",
          attributes: {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "anthropic",
            "gen_ai.system": "anthropic",
            "agent_adapter.provider": "anthropic",
            "agent_adapter.operation": "stream",
            "gen_ai.request.model": "gpt-4o-tree",
            "gen_ai.request.stream": true,
            "gen_ai.request.temperature": 0,
            "gen_ai.request.max_tokens": 64,
            "gen_ai.request.stop_sequences": ["END"],
            "agent_adapter.outcome": "success",
            "agent_adapter.attempts": 3,
            "agent_adapter.retries": 1,
            "agent_adapter.fallbacks": 1,
            "gen_ai.response.id": "msg_fake_1",
            "gen_ai.response.model": "claude-haiku-4-5",
            "gen_ai.response.finish_reasons": ["stop"],
            "agent_adapter.request_id": "req_fake_1",
            "gen_ai.usage.input_tokens": usage.inputTokens,
            "gen_ai.usage.output_tokens": usage.outputTokens,
            "gen_ai.usage.cache_read.input_tokens": 0,
            "gen_ai.usage.cache_creation.input_tokens": 0,
            // The TestClock does not move: the first chunk came 0 s after the call.
            "gen_ai.response.time_to_first_chunk": 0,
            "agent_adapter.stream.chunks": chunks.length
          },
          events: [],
          children: [
            failedAttempt(1, 0),
            failedAttempt(2, 1),
            {
              name: "gen_ai.attempt",
              kind: "internal",
              status: "ok",
              attributes: {
                "gen_ai.provider.name": "anthropic",
                "agent_adapter.provider": "anthropic",
                "gen_ai.request.model": "claude-haiku-4-5",
                "agent_adapter.attempt.number": 3,
                "agent_adapter.fallback.index": 1,
                "agent_adapter.fallback.target": "anthropic/claude-haiku-4-5",
                "http.response.status_code": 200
              },
              events: [],
              children: []
            }
          ]
        })
        // Every span of the call is in one trace, and the failures say why.
        const [first, second, third] = root.children
        for (const span of [first, second, third]) assert.strictEqual(span!.traceId, root.traceId)
        assert.include(first!.status.message, "The server is overloaded")
        assert.include(String(first!.events[0]!.attributes["exception.message"]), "The server is overloaded")

        // Metrics: one call answered by Anthropic, one retry and one fallback caused by the 503s.
        const call = { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-tree" }
        const duration = histogramOf(metrics, "gen_ai.client.operation.duration", {
          ...call,
          "gen_ai.provider.name": "anthropic"
        })
        assert.strictEqual(duration.count, 1)
        const retried = { ...call, "gen_ai.provider.name": "openai", "error.type": "ProviderError" }
        assert.strictEqual(sumOf(metrics, "agent_adapter.client.retries", retried), 1)
        assert.strictEqual(sumOf(metrics, "agent_adapter.client.fallbacks", retried), 1)
        const tokens = { ...call, "gen_ai.provider.name": "anthropic" }
        assert.strictEqual(
          histogramOf(metrics, "gen_ai.client.token.usage", { ...tokens, "gen_ai.token.type": "input" }).sum,
          usage.inputTokens
        )
        assert.strictEqual(
          histogramOf(metrics, "gen_ai.client.token.usage", { ...tokens, "gen_ai.token.type": "output" }).sum,
          usage.outputTokens
        )
        assert.strictEqual(histogramOf(metrics, "gen_ai.client.operation.time_to_first_chunk", tokens).count, 1)

        // One log line for the call, with what happened.
        assert.strictEqual(logs.length, 1)
        const line = JSON.parse(logs[0]!.line) as { message: string; annotations: Record<string, unknown> }
        assert.strictEqual(line.message, "stream gpt-4o-tree success")
        assert.deepInclude(line.annotations, {
          provider: "anthropic",
          model: "gpt-4o-tree",
          response_model: "claude-haiku-4-5",
          request_id: "req_fake_1",
          outcome: "success",
          attempts: 3,
          retries: 1,
          fallbacks: 1,
          input_tokens: usage.inputTokens,
          output_tokens: usage.outputTokens,
          latency_ms: 0,
          ttfc_ms: 0,
          trace_id: root.traceId,
          span_id: root.spanId
        })
      })
    )
  )
})
