// One configuration, one client: models are addressed as provider/model, by alias, or as a balanced group.
// Run against the fake provider server: npm run example -- routing
import { Config, HttpTransport, LlmClient, Router } from "@agent-adapter/sdk"
import { Console, Effect, Layer } from "effect"

// In a real deployment this is agent-adapter.yaml (read with Config.layerFile, which also reloads it on change).
const yaml = `
providers:
  openai: { apiKey: "\${OPENAI_API_KEY}", baseUrl: "\${OPENAI_BASE_URL}" }
  local:  { type: ollama, baseUrl: "\${OLLAMA_HOST:-http://127.0.0.1:11434}" }
aliases:
  smart: openai/gpt-4o
models:
  fast:
    strategy: weighted
    targets: [ { model: openai/gpt-4o-mini, weight: 3 }, { model: local/llama3.2, weight: 1 } ]
    fallbacks: [ mock/echo ]
retry: { maxRetries: 2, baseDelay: 200ms }
timeout: { total: 60s, idle: 15s }
`

const RouterLive = Layer.unwrapEffect(
  Effect.map(Config.parse(yaml, { source: "agent-adapter.yaml" }), (config) => Router.layer(config))
).pipe(Layer.provide(HttpTransport.layer))

const ask = (model: string) =>
  LlmClient.chat({ model, messages: [{ role: "user", content: "Routing picks who answers." }] })

const program = Effect.gen(function* () {
  const smart = yield* ask("smart")
  yield* Console.log(`smart → ${smart.provider}/${smart.model}: ${smart.content}`)
  const answeredBy: Array<string> = []
  for (let i = 0; i < 4; i++) answeredBy.push((yield* ask("fast")).provider)
  yield* Console.log(`fast, 4 calls, weighted 3:1 → ${answeredBy.join(", ")}`)
  const missing = yield* Effect.flip(ask("gpt-5-turbo-ultra"))
  yield* Console.log(`${missing._tag}: ${missing.message}`)
  const router = yield* Router.Router
  const names = (yield* router.models).filter((model) => model.kind !== "model").map((model) => model.id)
  yield* Console.log(`groups and aliases: ${names.join(", ")}`)
})

await Effect.runPromise(program.pipe(Effect.provide(RouterLive)))
