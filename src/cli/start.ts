/**
 * What `npm start` runs: the gateway, ready for a first `curl`.
 *
 * - listens on 127.0.0.1:8787 (`HOST` and `PORT` override);
 * - reads `$AGENT_ADAPTER_CONFIG`, else `agent-adapter.yaml` when the current directory has one, else nothing;
 * - routes to every provider whose key is in the environment (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, ...) and to
 *   the built-in `mock` provider, which needs no key and no network;
 * - keeps keys and usage in `agent-adapter.db` (SQLite) unless the configuration names another database;
 * - with no master key (`gateway.masterKey` or `AGENT_ADAPTER_MASTER_KEY`) on a loopback address, runs open.
 *
 * On start it prints the address, the models it routes and a `curl` line to try; Ctrl-C drains and stops.
 */
import { existsSync } from "node:fs"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Config from "../config/Config.js"
import type { AdapterConfig } from "../config/types.js"
import { GatewayAuth } from "../gateway/auth/GatewayAuth.js"
import * as Gateway from "../gateway/Gateway.js"
import { defaultDatabase } from "../gateway/store/GatewayStore.js"
import { type RoutedModel, Router } from "../routing/Router.js"

const defaultFile = "agent-adapter.yaml"

/** The mock answers any model name; this is the one the router lists for it. */
const mockModel = "echo"

const configFile = (): string | undefined =>
  process.env[Config.fileVariable] !== undefined && process.env[Config.fileVariable] !== ""
    ? process.env[Config.fileVariable]
    : existsSync(defaultFile)
      ? defaultFile
      : undefined

// At most a few names per provider: the catalog knows dozens; `GET /v1/models` lists them all.
const describeModels = (models: ReadonlyArray<RoutedModel>): Array<string> => {
  const byProvider = new Map<string, Array<string>>()
  const named: Array<string> = []
  for (const model of models) {
    if (model.kind === "model") {
      const provider = model.providers[0] ?? "?"
      const list = byProvider.get(provider) ?? []
      list.push(model.id)
      byProvider.set(provider, list)
    } else {
      named.push(`${model.id} → ${model.targets.join(", ")} (${model.kind})`)
    }
  }
  const lines: Array<string> = []
  for (const [provider, ids] of byProvider) {
    const shown = ids.slice(0, 4).join(", ")
    lines.push(`${provider}: ${shown}${ids.length > 4 ? `, … (${ids.length} in all)` : ""}`)
  }
  return [...lines, ...named]
}

const databaseOf = (config: AdapterConfig): string => {
  const database = config.gateway?.database
  if (database === undefined) return defaultDatabase
  const text = Redacted.value(database)
  // A PostgreSQL URL carries a password: show only where it points.
  return text.startsWith("sqlite:") ? text : text.replace(/\/\/[^@/]*@/, "//***@")
}

const banner = (
  file: string | undefined,
  config: AdapterConfig,
  gateway: Gateway.GatewayServerService,
  models: ReadonlyArray<RoutedModel>
): string => {
  const auth =
    gateway.authMode === "open"
      ? "open: no master key, so no key is needed (loopback only). Set AGENT_ADAPTER_MASTER_KEY to require keys."
      : gateway.authMode === "master-key"
        ? "master key set: requests need it or a virtual key (create keys with POST /admin/keys)."
        : "no master key and not on loopback: only virtual keys get in, and the admin API is closed."
  const real = models.filter((model) => model.kind === "model" && model.providers[0] !== "mock")
  const curl = [
    `curl -N ${gateway.url}/v1/chat/completions \\`,
    "    -H 'content-type: application/json' \\",
    ...(gateway.authMode === "open" ? [] : ["    -H 'authorization: Bearer <your key>' \\"]),
    `    -d '{"model": "mock/${mockModel}", "stream": true, "messages": [{"role": "user", "content": "Hello from curl, streamed word by word"}]}'`
  ]
  return [
    "",
    `agent-adapter gateway listening on ${gateway.url}`,
    "",
    `  config      ${file ?? "none (providers from the environment)"}`,
    `  auth        ${auth}`,
    `  storage     ${databaseOf(config)}`,
    "  models",
    ...describeModels(models).map((line) => `    ${line}`),
    ...(real.length === 0
      ? [
          "    (only the mock: put OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, ... in the environment for real models)"
        ]
      : []),
    "",
    "  try",
    ...curl.map((line) => `    ${line}`),
    "",
    `  OpenAI clients: baseURL ${gateway.url}/v1 · Anthropic clients: baseURL ${gateway.url} · GET /metrics · GET /health/ready`,
    ""
  ].join("\n")
}

const main = Effect.gen(function* () {
  const file = configFile()
  const config = yield* Config.load({ file })
  const context = yield* Layer.build(Gateway.layerConfig(config))
  const gateway = yield* Effect.provide(Gateway.GatewayServer, context)
  const router = yield* Effect.provide(Router, context)
  yield* Effect.provide(GatewayAuth, context)
  yield* Console.log(banner(file, config, gateway, yield* router.models))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  Effect.catchAll((error) =>
    Effect.zipRight(
      Console.error(`agent-adapter: ${"message" in error ? error.message : String(error)}`),
      Effect.sync(() => {
        process.exitCode = 1
      })
    )
  ),
  Logger.withMinimumLogLevel(LogLevel.Info)
)

NodeRuntime.runMain(main)
