/**
 * Our gateway in its own process, as `npm start` would run it: one OpenAI provider instance (the fake upstream at
 * `BENCH_UPSTREAM`), keys and usage in SQLite (`BENCH_DATABASE`: a file, or `:memory:`), open on loopback, no
 * request logging.
 *
 * `BENCH_VARIANT` builds diagnostic variants, to show where the gateway's time goes (`--diagnose`):
 * - `no-usage`: admission and settling do nothing (no limits, no usage record written);
 * - `no-router`: the routes call the OpenAI provider client directly, without the router and its reliability stack;
 * - `bare`: both, which leaves the server, the wire formats and the provider client.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { LlmClient } from "../../src/core/LlmClient.js"
import { GatewayAuth } from "../../src/gateway/auth/GatewayAuth.js"
import * as Gateway from "../../src/gateway/Gateway.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as RouterModule from "../../src/routing/Router.js"
import { Router } from "../../src/routing/Router.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"
import { benchGatewayConfig } from "./benchConfig.js"
import { serveChild } from "./protocol.js"

const upstream = process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:1"
const variant = process.env.BENCH_VARIANT ?? "full"

const config = benchGatewayConfig(upstream, process.env.BENCH_DATABASE ?? ":memory:")

const stack = Gateway.layerConfig(config, { host: "127.0.0.1", port: 0, router: { env: {} } })

// The variants replace one service under the same server.
const withoutUsage = Layer.effect(
  GatewayAuth,
  Effect.map(GatewayAuth, (auth) => ({
    ...auth,
    admit: (_principal, request) =>
      Effect.succeed({ keyId: "open", model: request.model, estimatedTokens: request.estimatedTokens, reservedUsd: 0 }),
    settle: () => Effect.void
  }))
)

const withoutRouter = Layer.effect(
  Router,
  Effect.gen(function* () {
    const router = yield* Router
    const openai = yield* LlmClient
    const strip = <R extends { readonly model: string }>(request: R): R => ({
      ...request,
      model: request.model.slice("openai/".length)
    })
    return {
      ...router,
      client: {
        ...openai,
        chat: (request) => openai.chat(strip(request)),
        stream: (request) => Stream.suspend(() => openai.stream(strip(request))),
        embed: (request) => openai.embed(strip(request))
      }
    }
  })
).pipe(
  Layer.provide(
    OpenAi.layer({ apiKey: "sk-bench", baseUrl: `${upstream}/v1` }).pipe(Layer.provide(HttpTransport.layer))
  )
)

const routerLayer = RouterModule.layer(config, { env: {} }).pipe(Layer.provide(HttpTransport.layer))
const authLayer = GatewayAuth.layer({ ...config.gateway, open: true })
const server = Gateway.layer({ host: "127.0.0.1", port: 0 })

const layerOf = (name: string) => {
  switch (name) {
    case "no-usage":
      return server.pipe(Layer.provide(Layer.merge(routerLayer, withoutUsage.pipe(Layer.provide(authLayer)))))
    case "no-router":
      return server.pipe(Layer.provide(Layer.merge(withoutRouter.pipe(Layer.provide(routerLayer)), authLayer)))
    case "bare":
      return server.pipe(
        Layer.provide(
          Layer.merge(withoutRouter.pipe(Layer.provide(routerLayer)), withoutUsage.pipe(Layer.provide(authLayer)))
        )
      )
    default:
      return stack
  }
}

const main = Effect.gen(function* () {
  const scope = yield* Scope.make()
  const context = yield* Layer.buildWithScope(layerOf(variant), scope)
  const gateway = Context.get(context, Gateway.GatewayServer)
  serveChild(gateway.url, () => Effect.runPromise(Scope.close(scope, Exit.void)))
})

Effect.runPromise(main).catch((error: unknown) => {
  process.stderr.write(`gateway child: ${String(error)}\n`)
  process.exit(1)
})
