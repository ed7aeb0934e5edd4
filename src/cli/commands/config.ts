/**
 * `agent-adapter config check [FILE]`: validates a configuration as the SDK would load it (file, environment,
 * interpolation) and builds the router over it (so a missing key or a group naming nothing is caught too). Prints
 * every problem with its path and line, or a summary of what it would route.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { formatIssue } from "../../config/ConfigError.js"
import type { AdapterConfig } from "../../config/types.js"
import * as Router from "../../routing/Router.js"
import * as HttpTransport from "../../transport/HttpTransport.js"
import { CliExit, describeError, ExitCode } from "../Failure.js"
import { err, out, style, table } from "../Output.js"
import { commonOptions, configFileOf, loadConfig } from "../Session.js"

const summary = (source: string, config: AdapterConfig): string => {
  const providers = Object.entries(config.providers)
  const groups = Object.entries(config.models)
  const aliases = Object.entries(config.aliases)
  const sections: Array<string> = [`${style.green("ok")} ${source}\n`]
  sections.push(
    providers.length === 0
      ? "\nno providers configured (only the built-in mock/… is routed)\n"
      : `\n${style.bold("providers")}\n${table(
          [{ header: "NAME" }, { header: "TYPE" }, { header: "KEY" }, { header: "BASE URL" }, { header: "MODELS" }],
          providers.map(([name, provider]) => [
            name,
            provider.type,
            // Whether a key is set, never any of it.
            provider.apiKey === undefined || Redacted.value(provider.apiKey) === "" ? "-" : "set",
            provider.baseUrl ?? "default",
            provider.models === undefined ? "catalog" : provider.models.join(", ")
          ])
        )}`
  )
  if (groups.length > 0) {
    sections.push(
      `\n${style.bold("model groups")}\n${table(
        [{ header: "NAME" }, { header: "STRATEGY" }, { header: "TARGETS" }, { header: "FALLBACKS" }],
        groups.map(([name, group]) => [
          name,
          group.strategy,
          group.targets
            .map((target) => (target.weight === undefined ? target.model : `${target.model} (${target.weight})`))
            .join(", "),
          group.fallbacks.join(", ") || "-"
        ])
      )}`
    )
  }
  if (aliases.length > 0) {
    sections.push(
      `\n${style.bold("aliases")}\n${table(
        [{ header: "ALIAS" }, { header: "STANDS FOR" }],
        aliases.map(([name, target]) => [name, target])
      )}`
    )
  }
  return sections.join("")
}

const check = Command.make(
  "check",
  {
    ...commonOptions,
    file: Args.text({ name: "FILE" }).pipe(
      Args.withDescription("The file to check. Default: as for every command (--config, $AGENT_ADAPTER_CONFIG, ...)."),
      Args.optional
    )
  },
  (options) =>
    Effect.gen(function* () {
      const file = configFileOf(Option.isSome(options.file) ? options.file : options.config)
      const source = file ?? "environment"
      const loaded = yield* Effect.either(loadConfig(file))
      if (loaded._tag === "Left") {
        const issues = loaded.left.issues
        yield* err(
          `${style.red("invalid")} ${loaded.left.source}: ${issues.length === 1 ? "1 problem" : `${issues.length} problems`}\n`
        )
        for (const issue of issues) yield* err(`  ${formatIssue(issue)}\n`)
        return yield* new CliExit({ code: ExitCode.failure })
      }
      // Building the router finds what validation cannot: missing keys, group targets that name nothing.
      const built = yield* Effect.either(
        Effect.scoped(Router.make(loaded.right, { env: process.env }).pipe(Effect.provide(HttpTransport.layer)))
      )
      if (built._tag === "Left") {
        yield* err(`${style.red("invalid")} ${source}: ${describeError(built.left)}\n`)
        return yield* new CliExit({ code: ExitCode.failure })
      }
      yield* out(summary(source, loaded.right))
    })
).pipe(Command.withDescription("Validate a configuration: every problem with its path, or what it would route."))

/**
 * The `config` command and its subcommand `check`.
 *
 * @since 0.1.0
 */
export const config = Command.make("config").pipe(
  Command.withDescription("Work with configuration files."),
  Command.withSubcommands([check])
)
