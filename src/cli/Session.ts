/**
 * What every command starts from: the configuration (from `--config FILE`, else `$AGENT_ADAPTER_CONFIG`, else
 * `./agent-adapter.yaml` when it exists, else the environment alone, exactly as the SDK reads it) and the router
 * over it. The options shared by every command live here too.
 *
 * @since 0.1.0
 */
import { existsSync } from "node:fs"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Config from "../config/Config.js"
import type { ConfigError } from "../config/ConfigError.js"
import type { AdapterConfig } from "../config/types.js"
import type { LlmError } from "../core/LlmError.js"
import * as Router from "../routing/Router.js"
import * as HttpTransport from "../transport/HttpTransport.js"
import { CliExit, describeError, ExitCode } from "./Failure.js"
import { err, style } from "./Output.js"

/**
 * The file read when neither `--config` nor `$AGENT_ADAPTER_CONFIG` names one (only when it exists).
 *
 * @since 0.1.0
 */
export const defaultConfigFile = "agent-adapter.yaml"

/**
 * `--config FILE`, accepted by every command.
 *
 * @since 0.1.0
 */
export const configOption = Options.text("config").pipe(
  Options.withAlias("c"),
  Options.withPseudoName("FILE"),
  Options.withDescription(
    `The configuration file (YAML or JSON). Default: $AGENT_ADAPTER_CONFIG, else ./${defaultConfigFile} when it exists, else the environment only.`
  ),
  Options.optional
)

/**
 * `--no-color`, accepted by every command (read before parsing; see `Output.colorEnabled`).
 *
 * @since 0.1.0
 */
export const noColorOption = Options.boolean("no-color").pipe(
  Options.withDescription("Never colour the output (also: NO_COLOR=1). Colour is only used on a terminal.")
)

/**
 * The options every command takes.
 *
 * @since 0.1.0
 */
export const commonOptions = { config: configOption, noColor: noColorOption } as const

/**
 * The file a command reads its configuration from, or undefined for the environment only.
 *
 * @since 0.1.0
 */
export const configFileOf = (
  explicit: Option.Option<string>,
  env: Readonly<Record<string, string | undefined>> = process.env
): string | undefined => {
  if (Option.isSome(explicit)) return explicit.value
  const named = env[Config.fileVariable]
  if (named !== undefined && named !== "") return named
  return existsSync(defaultConfigFile) ? defaultConfigFile : undefined
}

/**
 * Loads the configuration as the SDK does.
 *
 * @since 0.1.0
 */
export const loadConfig = (file: string | undefined): Effect.Effect<AdapterConfig, ConfigError> =>
  Config.load({ file, env: process.env })

/**
 * Loads the configuration and builds the router, or reports why not on stderr and ends with exit code 1.
 *
 * @since 0.1.0
 */
export const router = (explicit: Option.Option<string>): Effect.Effect<Router.RouterService, CliExit, Scope.Scope> =>
  Effect.gen(function* () {
    const config = yield* loadConfig(configFileOf(explicit))
    // Built in the caller's scope: the transport's connections live as long as the router does.
    const transport = yield* Layer.build(HttpTransport.layer)
    return yield* Router.make(config, { env: process.env }).pipe(Effect.provide(transport))
  }).pipe(Effect.catchAll((error: ConfigError | LlmError) => reportAndExit(error)))

/**
 * Writes `error` (tag and message) to stderr and fails with exit code 1.
 *
 * @since 0.1.0
 */
export const reportAndExit = (error: unknown, code: number = ExitCode.failure): Effect.Effect<never, CliExit> =>
  Effect.zipRight(err(`${style.red("error")} ${describeError(error)}\n`), Effect.fail(new CliExit({ code })))

/**
 * The variable naming the model when `--model` is not given.
 *
 * @since 0.1.0
 */
export const modelVariable = "AGENT_ADAPTER_MODEL"

/**
 * The model used when neither `--model` nor `$AGENT_ADAPTER_MODEL` names one and the configuration lists none: the
 * built-in mock, which echoes.
 *
 * @since 0.1.0
 */
export const fallbackModel = "mock/echo"

/**
 * The model a command uses when `--model` is not given: `$AGENT_ADAPTER_MODEL`, else the first model the configuration
 * lists for a real provider (so `chat "hi"` works with only a key set), else the mock.
 *
 * @since 0.1.0
 */
export const defaultModel = (router: Router.RouterService): Effect.Effect<string> =>
  Effect.map(router.models, (models) => {
    const fromEnv = process.env[modelVariable]
    if (fromEnv !== undefined && fromEnv !== "") return fromEnv
    const configured = models.find((model) => model.kind === "model" && model.providers[0] !== "mock")
    return configured?.id ?? fallbackModel
  })
