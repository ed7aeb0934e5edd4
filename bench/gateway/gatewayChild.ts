/**
 * Our gateway in its own process, as `npm start` would run it: one OpenAI provider instance (the fake upstream at
 * `BENCH_UPSTREAM`), keys and usage in a SQLite file (`BENCH_DATABASE`), open on loopback, no request logging.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { emptyConfig } from "../../src/config/types.js"
import * as Gateway from "../../src/gateway/Gateway.js"
import { serveChild } from "./protocol.js"

const upstream = process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:1"

const config = {
  ...emptyConfig,
  providers: {
    openai: {
      type: "openai",
      apiKey: Redacted.make("sk-bench"),
      baseUrl: `${upstream}/v1`,
      extra: {},
      models: ["gpt-4o-mini"]
    }
  },
  gateway: { database: Redacted.make(`sqlite:${process.env.BENCH_DATABASE ?? ":memory:"}`) }
}

const main = Effect.gen(function* () {
  const scope = yield* Scope.make()
  const context = yield* Layer.buildWithScope(
    Gateway.layerConfig(config, { host: "127.0.0.1", port: 0, router: { env: {} } }),
    scope
  )
  const gateway = Effect.runSync(Effect.provide(Gateway.GatewayServer, context))
  serveChild(gateway.url, () => Effect.runPromise(Scope.close(scope, Exit.void)))
})

Effect.runPromise(main).catch((error: unknown) => {
  process.stderr.write(`gateway child: ${String(error)}\n`)
  process.exit(1)
})
