/**
 * `agent-adapter serve`: the gateway, as `npm start` runs it: the configuration (with `--config`, or as every
 * command finds it), on `--host`/`--port` when given (else the configuration's `gateway.host`/`gateway.port`, else
 * 127.0.0.1:8787). Ctrl-C or SIGTERM shut it down gracefully (requests in flight finish) and it exits 0.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Gateway from "../../gateway/Gateway.js"
import * as Flags from "../Flags.js"
import * as Interrupts from "../Interrupts.js"
import { err, out, style } from "../Output.js"
import { commonOptions, configFileOf, loadConfig, reportAndExit } from "../Session.js"

/**
 * The `serve` command.
 *
 * @since 0.1.0
 */
export const serve = Command.make(
  "serve",
  {
    ...commonOptions,
    port: Flags.number("port", { integer: true, min: 0, max: 65_535 }).pipe(
      Options.withAlias("p"),
      Options.withDescription("The port to listen on (0: any free port). Default: gateway.port, else 8787."),
      Options.optional
    ),
    host: Options.text("host").pipe(
      Options.withPseudoName("HOST"),
      Options.withDescription("The address to listen on. Default: gateway.host, else 127.0.0.1 (this machine only)."),
      Options.optional
    )
  },
  (options) =>
    Effect.gen(function* () {
      const file = configFileOf(options.config)
      const config = yield* loadConfig(file).pipe(Effect.catchAll((error) => reportAndExit(error)))
      const stop = yield* Deferred.make<void>()
      yield* Interrupts.register(() => Deferred.unsafeDone(stop, Exit.void), ["SIGINT", "SIGTERM"])
      const context = yield* Layer.build(
        Gateway.layerConfig(config, {
          host: Option.getOrUndefined(options.host),
          port: Option.getOrUndefined(options.port)
        })
      ).pipe(Effect.catchAll((error) => reportAndExit(error)))
      const server = Context.get(context, Gateway.GatewayServer)
      yield* err(
        style.dim(`agent-adapter gateway · configuration: ${file ?? "environment"} · auth: ${server.authMode}\n`)
      )
      yield* out(`listening on ${server.url}\n`)
      yield* Deferred.await(stop)
      yield* err(style.dim("shutting down: letting requests in flight finish\n"))
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Run the gateway (OpenAI- and Anthropic-compatible HTTP server), as npm start does."))
