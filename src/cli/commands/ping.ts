/**
 * `agent-adapter ping`: one tiny request to each configured provider instance, all at once; a table of status,
 * latency and, for failures, the typed error. Exits 1 when any fails.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Catalog from "../../catalog/Catalog.js"
import type { ProviderConfig } from "../../config/types.js"
import { TimeoutError } from "../../core/LlmError.js"
import type { RouterService } from "../../routing/Router.js"
import { CliExit, ExitCode, tagOf } from "../Failure.js"
import * as Flags from "../Flags.js"
import { err, formatMillis, out, style, table } from "../Output.js"
import { commonOptions, router as loadRouter } from "../Session.js"

/**
 * The result of pinging one provider instance.
 *
 * @since 0.1.0
 */
export interface PingResult {
  readonly provider: string
  readonly model: string | undefined
  readonly ok: boolean
  readonly latencyMs: number | undefined
  /** The error's `_tag` when it failed. */
  readonly error?: string
  readonly message?: string
}

// The cheapest chat model the catalog prices for the provider: a ping should cost next to nothing.
const cheapestModel = (type: string): string | undefined =>
  Catalog.builtin
    .models(type)
    .filter((info) => info.provider === type && info.maxOutputTokens > 0 && info.pricing !== undefined)
    .sort(
      (a, b) =>
        a.pricing!.inputPerMillion +
        a.pricing!.outputPerMillion -
        b.pricing!.inputPerMillion -
        b.pricing!.outputPerMillion
    )[0]?.id

/**
 * The model pinged on an instance: the one `--model instance/model` names, else the first the instance lists,
 * else the catalog's cheapest for its type.
 *
 * @since 0.1.0
 */
export const pingModel = (
  name: string,
  provider: ProviderConfig,
  explicit: ReadonlyArray<string>
): string | undefined => {
  const chosen = explicit.find((model) => model.startsWith(`${name}/`))
  if (chosen !== undefined) return chosen.slice(name.length + 1)
  return provider.models?.[0] ?? cheapestModel(provider.type)
}

const pingOne = (
  router: RouterService,
  name: string,
  model: string | undefined,
  timeout: Duration.Duration
): Effect.Effect<PingResult> => {
  if (model === undefined) {
    return Effect.succeed({
      provider: name,
      model,
      ok: false,
      latencyMs: undefined,
      error: "NoModel",
      message: `no model to ping: list one under providers.${name}.models or pass --model ${name}/MODEL`
    })
  }
  const started = performance.now()
  return router.client
    .chat({ model: `${name}/${model}`, messages: [{ role: "user", content: "ping" }], maxTokens: 16 })
    .pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new TimeoutError({
            message: `no answer within ${Duration.format(timeout)}`,
            phase: "total",
            provider: name
          })
      }),
      Effect.match({
        onSuccess: (): PingResult => ({ provider: name, model, ok: true, latencyMs: performance.now() - started }),
        onFailure: (error): PingResult => ({
          provider: name,
          model,
          ok: false,
          latencyMs: performance.now() - started,
          error: tagOf(error),
          message: error.message
        })
      })
    )
}

/**
 * The `ping` command.
 *
 * @since 0.1.0
 */
export const ping = Command.make(
  "ping",
  {
    ...commonOptions,
    model: Options.text("model").pipe(
      Options.withAlias("m"),
      Options.withPseudoName("INSTANCE/MODEL"),
      Options.withDescription("instance/model to ping on that instance (repeatable). Default: its first listed model."),
      Options.repeated
    ),
    timeout: Flags.number("timeout", { min: 0.001 }).pipe(
      Options.withDescription("Seconds to wait for each provider."),
      Options.withDefault(30)
    ),
    json: Options.boolean("json").pipe(Options.withDescription("Print the results as JSON."))
  },
  (options) =>
    Effect.gen(function* () {
      const router = yield* loadRouter(options.config)
      const config = yield* router.config
      const instances = Object.entries(config.providers)
      if (instances.length === 0) {
        yield* err(`${style.red("error")} no providers configured: nothing to ping\n`)
        return yield* new CliExit({ code: ExitCode.failure })
      }
      const results = yield* Effect.forEach(
        instances,
        ([name, provider]) =>
          pingOne(router, name, pingModel(name, provider, options.model), Duration.seconds(options.timeout)),
        { concurrency: "unbounded" }
      )
      if (options.json) {
        yield* out(`${JSON.stringify(results, null, 2)}\n`)
      } else {
        yield* out(
          table(
            [
              { header: "PROVIDER" },
              { header: "MODEL" },
              { header: "STATUS" },
              { header: "LATENCY", align: "right" },
              { header: "ERROR" }
            ],
            results.map((result) => [
              result.provider,
              result.model ?? "-",
              result.ok ? style.green("ok") : style.red("failed"),
              result.latencyMs === undefined ? "-" : formatMillis(result.latencyMs),
              result.ok ? "" : `${result.error}: ${result.message}`
            ])
          )
        )
      }
      if (results.some((result) => !result.ok)) return yield* new CliExit({ code: ExitCode.failure })
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Send one tiny request to each configured provider; exit 1 when any fails."))
