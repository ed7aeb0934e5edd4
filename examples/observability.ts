// Observability: every call traced (OpenTelemetry GenAI conventions), measured and logged, with keys redacted.
// In production one layer sends traces and metrics to an OpenTelemetry collector and logs JSON lines:
//   Observability.layer({ serviceName: "checkout", otlpEndpoint: "http://localhost:4318" })
// Here the same instrumentation records into memory instead, so that the example can print what a collector gets.
// Run against the fake provider server: npm run example -- observability
import { HttpTransport, LlmClient } from "@agent-adapter/sdk"
import { Observability, Redaction } from "@agent-adapter/sdk/observability"
import { OpenAi } from "@agent-adapter/sdk/openai"
import { Retry } from "@agent-adapter/sdk/reliability"
import { Console, Effect, Layer, Stream } from "effect"

// Keys of any shape can be registered; well-known shapes (sk-…, Bearer …, AKIA…, ?key=…) are removed anyway.
Redaction.register(process.env.OPENAI_API_KEY ?? "")

// The instrumentation goes outermost: its span is the call, the provider calls under Retry are its attempts.
const Live = Observability.layerMemory({ serviceName: "observability-example" }).pipe(
  Layer.provide(Retry.layer({ maxRetries: 2 })),
  Layer.provide(OpenAi.layerConfig()),
  Layer.provide(HttpTransport.layer)
)

const program = Effect.gen(function* () {
  const question = { role: "user" as const, content: "Every call leaves a trace." }
  yield* LlmClient.chat({ model: "gpt-4o-mini", messages: [question], temperature: 0 })
  yield* Stream.runDrain(LlmClient.stream({ model: "gpt-4o-mini", messages: [question] }))
  // Application logs go through the same redacting logger.
  yield* Effect.logInfo(`connected with ${process.env.OPENAI_API_KEY}`)

  const memory = yield* Observability.Memory
  for (const call of yield* memory.spanTree) {
    const attributes = call.attributes
    yield* Console.log(
      `span ${call.name} [${attributes["agent_adapter.operation"]}] ${call.status.code}: ` +
        `${attributes["gen_ai.usage.input_tokens"]} in, ${attributes["gen_ai.usage.output_tokens"]} out, ` +
        `finish ${String(attributes["gen_ai.response.finish_reasons"])}`
    )
    for (const attempt of call.children) {
      yield* Console.log(
        `  ${attempt.name} #${attempt.attributes["agent_adapter.attempt.number"]} ` +
          `${attempt.attributes["gen_ai.provider.name"]} http ${attempt.attributes["http.response.status_code"]}`
      )
    }
  }
  for (const log of yield* memory.logs) yield* Console.log(`log: ${String(log.message)}`)
  const duration = (yield* memory.metrics).find((metric) => metric.name === "gen_ai.client.operation.duration")
  const calls = duration?.points
    .filter((point) => point.attributes["gen_ai.request.model"] === "gpt-4o-mini")
    .reduce((sum, point) => sum + (typeof point.value === "number" ? 0 : point.value.count), 0)
  yield* Console.log(`metric gen_ai.client.operation.duration (${duration?.unit}): ${calls} calls`)
})

await Effect.runPromise(program.pipe(Effect.provide(Live)))
