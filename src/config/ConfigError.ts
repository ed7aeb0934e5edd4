/**
 * The error of a configuration that cannot be used: every problem found, each with where it is (its path in the
 * configuration, and its line and column when it came from a file) and what was expected. The message lists them
 * all, one per line, ready for a terminal. No message ever holds a secret's value.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * One problem: `path` is dotted (`providers.anthropic.timeout`, `models.fast.targets[1].weight`), empty for the
 * document itself. `source` is set when the error gathers problems of several sources (file, environment,
 * options); `variable` names the environment variable a value came from.
 *
 * @since 0.1.0
 */
export const ConfigIssue = Schema.Struct({
  path: Schema.String,
  message: Schema.String,
  line: Schema.optional(Schema.Number),
  column: Schema.optional(Schema.Number),
  variable: Schema.optional(Schema.String),
  source: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export type ConfigIssue = typeof ConfigIssue.Type

/**
 * A configuration was rejected. `source` is the file path, `"options"` or `"environment"` (several joined by
 * `" + "` when the problems come from more than one).
 *
 * @since 0.1.0
 */
export class ConfigError extends Schema.TaggedError<ConfigError>("@agent-adapter/sdk/ConfigError")("ConfigError", {
  message: Schema.String,
  source: Schema.String,
  issues: Schema.Array(ConfigIssue)
}) {
  /**
   * Builds the error and its message from the problems found in `source`.
   *
   * @since 0.1.0
   */
  static fromIssues(source: string, issues: ReadonlyArray<ConfigIssue>): ConfigError {
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`
    const lines = issues.map((issue) => `  ${formatIssue(issue)}`)
    return new ConfigError({ message: [`${source}: ${count}`, ...lines].join("\n"), source, issues })
  }
}

/**
 * One problem as a line: `providers.anthropic.timeout (line 3, col 48): expected ...`.
 *
 * @since 0.1.0
 */
export const formatIssue = (issue: ConfigIssue): string => {
  const where =
    issue.line === undefined
      ? issue.variable === undefined
        ? ""
        : `from ${issue.variable}`
      : issue.column === undefined
        ? `line ${issue.line}`
        : `line ${issue.line}, col ${issue.column}`
  const prefix = issue.source === undefined ? "" : `[${issue.source}] `
  const location = issue.path === "" ? where : where === "" ? issue.path : `${issue.path} (${where})`
  return location === "" ? `${prefix}${issue.message}` : `${prefix}${location}: ${issue.message}`
}
