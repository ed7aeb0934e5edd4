/**
 * Numeric flags whose errors name the flag (`--temperature: expected a number from 0 to 2, got "hot"`): the
 * built-in ones of `@effect/cli` only say `'hot' is not a float`.
 *
 * @since 0.1.0
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import { CliExit, ExitCode } from "./Failure.js"
import { err } from "./Output.js"

/**
 * What a numeric flag accepts.
 *
 * @since 0.1.0
 */
export interface NumberFlagOptions {
  readonly integer?: boolean | undefined
  readonly min?: number | undefined
  readonly max?: number | undefined
}

const expectation = (options: NumberFlagOptions): string => {
  const kind = options.integer === true ? "an integer" : "a number"
  if (options.min !== undefined && options.max !== undefined) return `${kind} from ${options.min} to ${options.max}`
  if (options.min !== undefined) return `${kind} of at least ${options.min}`
  if (options.max !== undefined) return `${kind} of at most ${options.max}`
  return kind
}

/**
 * A `--name VALUE` flag holding a number within bounds.
 *
 * @since 0.1.0
 */
export const number = (name: string, options: NumberFlagOptions = {}): Options.Options<number> =>
  Options.text(name).pipe(
    Options.withPseudoName(options.integer === true ? "integer" : "number"),
    Options.mapEffect((text) => {
      const value = Number(text.trim())
      const fits =
        text.trim() !== "" &&
        Number.isFinite(value) &&
        (options.integer !== true || Number.isInteger(value)) &&
        (options.min === undefined || value >= options.min) &&
        (options.max === undefined || value <= options.max)
      return fits
        ? Effect.succeed(value)
        : Effect.fail(
            ValidationError.invalidValue(HelpDoc.p(`--${name}: expected ${expectation(options)}, got "${text}"`))
          )
    })
  )

/**
 * Ends with a usage error (exit 2) naming the first word that looks like a flag: commands taking free text (the chat
 * prompt) would otherwise send a misspelt flag to the model.
 *
 * @since 0.1.0
 */
export const refuseFlagsIn = (command: string, words: ReadonlyArray<string>): Effect.Effect<void, CliExit> => {
  const flag = words.find((word) => /^--?[A-Za-z]/.test(word))
  return flag === undefined
    ? Effect.void
    : Effect.zipRight(
        err(`unknown option ${flag} for ${command} (see agent-adapter ${command} --help)\n`),
        Effect.fail(new CliExit({ code: ExitCode.usage }))
      )
}
