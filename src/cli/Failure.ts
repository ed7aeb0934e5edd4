/**
 * How a command ends without success: `CliExit` carries the process exit code once the command has said why on
 * stderr; `describeError` prints any error as its tag and message, never a secret.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * The exit codes of `agent-adapter`.
 *
 * @since 0.1.0
 */
export const ExitCode = {
  ok: 0,
  /** A request, a ping or a check failed. */
  failure: 1,
  /** The command line was wrong (unknown flag, bad value, missing argument). */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM. */
  interrupted: 130
} as const

/**
 * A command that already reported its problem and ends the process with `code`.
 *
 * @since 0.1.0
 */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number }> {}

/**
 * An error as one line: `Tag: message` for tagged errors (every `LlmError`, `ConfigError`), else its text.
 *
 * @since 0.1.0
 */
export const describeError = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const tag = (error as { readonly _tag?: unknown })._tag
    const message = (error as { readonly message?: unknown }).message
    if (typeof tag === "string" && typeof message === "string") return `${tag}: ${message}`
    if (typeof message === "string") return message
  }
  return String(error)
}

/**
 * The `_tag` of an error, or `Error` when it has none.
 *
 * @since 0.1.0
 */
export const tagOf = (error: unknown): string => {
  const tag = typeof error === "object" && error !== null ? (error as { readonly _tag?: unknown })._tag : undefined
  return typeof tag === "string" ? tag : "Error"
}
