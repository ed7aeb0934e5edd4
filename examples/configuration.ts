// A configuration file: provider instances with keys from the environment, a model group, reliability settings,
// all validated in one pass. Loads it, prints what it says, calls the provider it configures, shows how mistakes
// are reported, and reloads it after an edit.
// Run against the fake provider server: npm run example -- configuration
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Config, HttpTransport, LlmClient, type ProviderConfig, providers } from "@agent-adapter/sdk"
import { Console, Effect, Layer } from "effect"

// `${VAR}` reads the environment (the example runner points OPENAI_* at the fake provider server);
// `${VAR:-default}` has a default.
const text = `
providers:
  openai: { apiKey: "\${OPENAI_API_KEY}", baseUrl: "\${OPENAI_BASE_URL}", timeout: 45s }
  local:  { type: ollama, baseUrl: "\${LOCAL_OLLAMA:-http://127.0.0.1:11434}" }
models:
  fast:
    strategy: weighted
    targets: [ { model: openai/gpt-4o-mini, weight: 3 }, { model: local/llama3.2, weight: 1 } ]
    fallbacks: [ mock/echo ]
retry: { maxRetries: 3, baseDelay: 1s, maxDelay: 30s, jitter: true }
timeout: { total: 60s, firstChunk: 20s, idle: 15s }
`

const directory = mkdtempSync(join(tmpdir(), "agent-adapter-example-"))
const file = join(directory, "agent-adapter.yaml")
writeFileSync(file, text)

const describeProvider = (name: string, provider: ProviderConfig) =>
  `${name}: ${provider.type}${provider.apiKey === undefined ? "" : `, key ${provider.apiKey}`}` +
  `${provider.timeoutMs === undefined ? "" : `, timeout ${provider.timeoutMs} ms`}`

// A configured instance as an LlmClient, through the provider registry (the router does this for every instance).
const clientOf = (provider: ProviderConfig) =>
  (providers[provider.type]?.layer(provider) ?? Layer.die(`no provider ${provider.type}`)).pipe(
    Layer.provide(HttpTransport.layer)
  )

const program = Effect.gen(function* () {
  // The environment adds an instance of every provider whose key variable is set and that the file does not
  // configure (the example runner sets several), and explicit `overrides` would win over both.
  const config = yield* Config.load({ file })
  for (const [name, provider] of Object.entries(config.providers)) yield* Console.log(describeProvider(name, provider))
  for (const [name, group] of Object.entries(config.models)) {
    const targets = group.targets.map((target) => `${target.model} x${target.weight ?? 1}`).join(", ")
    yield* Console.log(`group ${name}: ${group.strategy} over ${targets}; then ${group.fallbacks.join(", ")}`)
  }
  yield* Console.log(
    `retry: ${config.retry?.maxRetries} retries, ${config.retry?.baseDelayMs}-${config.retry?.maxDelayMs} ms; ` +
      `deadlines: total ${config.timeout?.totalMs} ms, first chunk ${config.timeout?.firstChunkMs} ms`
  )

  const openai = config.providers.openai
  if (openai !== undefined) {
    const answer = yield* LlmClient.chat({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Configured providers answer like any other." }]
    }).pipe(Effect.provide(clientOf(openai)))
    yield* Console.log(`openai answered: ${answer.content}`)
  }

  // Every mistake at once, with where it is and what was expected.
  const mistakes = yield* Effect.flip(
    Config.parse(
      "providers:\n  openai: { apiKey: sk-x, baseURL: http://localhost }\nretry: { maxDelay: 30 parsecs }\n",
      {
        source: "broken.yaml"
      }
    )
  )
  yield* Console.log(mistakes.message)

  // As a service: edit the file, reload, and the new configuration is live (with watching on, it reloads itself).
  const maxRetries = yield* Effect.gen(function* () {
    writeFileSync(file, text.replace("maxRetries: 3", "maxRetries: 5"))
    const reloaded = yield* Config.reload
    return reloaded.retry?.maxRetries
  }).pipe(Effect.provide(Config.layerFile(file, { watch: false })))
  yield* Console.log(`after the edit: ${maxRetries} retries`)
})

try {
  await Effect.runPromise(program)
} finally {
  rmSync(directory, { recursive: true, force: true })
}
