// A production stack from the reliability layers: cache → total deadline → fallback over two providers, each
// provider with retry → circuit breaker → rate limit → per-attempt deadlines. The example runner makes OpenAI
// answer 503 three times, so the retries run out and Anthropic answers; the second call is a cache hit.
// Run against the fake provider server: npm run example -- reliability-stack
import { HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { Anthropic } from "@agent-adapter/sdk/anthropic"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { Cache, CircuitBreaker, Fallback, RateLimit, Retry, Timeout } from "@agent-adapter/sdk/reliability"
import { Console, Effect, Layer } from "effect"

// What every provider gets: outermost first, so Retry sees the breaker's, limiter's and deadlines' errors.
const perProvider = <E, R>(provider: Layer.Layer<LlmClient, E, R>) =>
  Retry.layer({ maxRetries: 2, baseDelay: "100 millis" }).pipe(
    Layer.provide(CircuitBreaker.layer({ failureThreshold: 5, resetTimeout: "30 seconds" })),
    Layer.provide(
      RateLimit.layer({ requestsPerMinute: 500, tokensPerMinute: 200_000, concurrency: 32, maxWait: "30 seconds" })
    ),
    Layer.provide(Timeout.layer({ attempt: "30 seconds", firstChunk: "20 seconds", idle: "15 seconds" })),
    Layer.provide(provider)
  )

const OpenAiLive = perProvider(OpenAi.layerConfig()).pipe(Layer.provide(HttpTransport.layer))
const AnthropicLive = perProvider(Anthropic.layerConfig()).pipe(Layer.provide(HttpTransport.layer))

const Stack = Cache.layer({ ttl: "10 minutes" }).pipe(
  Layer.provide(Timeout.layer({ total: "60 seconds" })),
  Layer.provide(Fallback.layer([{ layer: AnthropicLive, model: "claude-haiku-4-5" }])),
  Layer.provide(OpenAiLive)
)

const program = Effect.gen(function* () {
  const request = {
    model: "gpt-4o-mini",
    messages: [{ role: "user" as const, content: "Reliable answers survive outages." }]
  }
  const first = yield* LlmClient.chat(request)
  yield* Console.log(`answered by ${first.provider}/${first.model} after ${first.attempts} attempts: ${first.content}`)
  const second = yield* LlmClient.chat(request)
  yield* Console.log(`second call cached: ${second.cached === true}`)
  const stats = yield* (yield* Cache.ResponseCaches).stats
  yield* Console.log(`cache hits ${stats.hits}, misses ${stats.misses}`)
})

await Effect.runPromise(program.pipe(Effect.provide(Stack)))
