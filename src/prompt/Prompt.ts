/**
 * Prompt templates without a template language: `{{name}}` placeholders and nothing else. The variables of a
 * template written as a string literal are known to the type checker, so `render` wants exactly those; at run time
 * (values from untyped callers) a missing, unknown or unprintable variable is a `PromptTemplateError` naming it.
 *
 * A placeholder is `{{`, a name of letters, digits and `_` (spaces around it allowed), and `}}`; any other text,
 * braces included, is kept as it is. Values are inserted once, so a value holding `{{x}}` stays as it is.
 *
 * @example
 * ```ts
 * const summarize = Prompt.template("Summarize {{text}} in {{ words }} words.")
 * const prompt = yield* summarize.render({ text: article, words: 50 })
 * ```
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

// ---------------------------------------------------------------------------------------------------------
// Variables at the type level

type Whitespace = " " | "\t" | "\n" | "\r"

type TrimStart<S extends string> = S extends `${Whitespace}${infer Rest}` ? TrimStart<Rest> : S

type TrimEnd<S extends string> = S extends `${infer Rest}${Whitespace}` ? TrimEnd<Rest> : S

type WordCharacter = "_" | "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | Lowercase<Letter> | Letter

type Letter =
  | "A"
  | "B"
  | "C"
  | "D"
  | "E"
  | "F"
  | "G"
  | "H"
  | "I"
  | "J"
  | "K"
  | "L"
  | "M"
  | "N"
  | "O"
  | "P"
  | "Q"
  | "R"
  | "S"
  | "T"
  | "U"
  | "V"
  | "W"
  | "X"
  | "Y"
  | "Z"

type IsName<S extends string> = S extends ""
  ? false
  : S extends `${infer First}${infer Rest}`
    ? First extends WordCharacter
      ? Rest extends ""
        ? true
        : IsName<Rest>
      : false
    : false

/**
 * The variables of a template text: the names of its `{{name}}` placeholders (`string` when the text is not a
 * literal). It scans like the run-time parser does, so the two always agree.
 *
 * @since 0.1.0
 */
export type VariablesOf<S extends string, Found extends string = never> = string extends S
  ? string
  : S extends `${infer _Before}{{${infer Body}}}${infer Rest}`
    ? IsName<TrimStart<TrimEnd<Body>>> extends true
      ? VariablesOf<Rest, Found | TrimStart<TrimEnd<Body>>>
      : // Not a placeholder: look again from the second brace, as the run-time scan does.
        VariablesOf<`{${Body}}}${Rest}`, Found>
    : Found

/**
 * What a variable may be: text, or a number or boolean printed as JavaScript prints it.
 *
 * @since 0.1.0
 */
export type Value = string | number | boolean | bigint

/**
 * The values of a template with variables `Vars`: each one, and no other.
 *
 * @since 0.1.0
 */
export type Values<Vars extends string> = { readonly [K in Vars]: Value }

// ---------------------------------------------------------------------------------------------------------
// Templates

/**
 * A template could not be rendered: `missing` variables had no value, `unknown` ones are not in the template,
 * `invalid` ones had a value that is not a string, a finite number, a boolean or a bigint.
 *
 * @since 0.1.0
 */
export class PromptTemplateError extends Schema.TaggedError<PromptTemplateError>(
  "@agent-adapter/sdk/PromptTemplateError"
)("PromptTemplateError", {
  message: Schema.String,
  missing: Schema.Array(Schema.String),
  unknown: Schema.Array(Schema.String),
  invalid: Schema.Array(Schema.String)
}) {}

/**
 * A template: its `text`, its `variables` in order of first appearance, and `render`.
 *
 * @since 0.1.0
 */
export interface Template<Vars extends string> {
  readonly text: string
  readonly variables: ReadonlyArray<Vars>
  /**
   * The text with every placeholder replaced by its value, or `PromptTemplateError`. The result is an `Either`:
   * `yield*` it in `Effect.gen`, or read it with `Either.getOrThrow`.
   */
  readonly render: (values: Values<Vars>) => Either.Either<string, PromptTemplateError>
}

const PLACEHOLDER = /\{\{[ \t\r\n]*(\w+)[ \t\r\n]*\}\}/g

const isValue = (value: unknown): value is Value =>
  typeof value === "string" ||
  typeof value === "boolean" ||
  typeof value === "bigint" ||
  (typeof value === "number" && Number.isFinite(value))

const quoted = (names: ReadonlyArray<string>): string => names.map((name) => JSON.stringify(name)).join(", ")

/**
 * Makes a template from its text.
 *
 * @example
 * ```ts
 * const greet = Prompt.template("Hello {{name}}, you have {{count}} messages.")
 * greet.variables // ["name", "count"]
 * Either.getOrThrow(greet.render({ name: "Ada", count: 3 })) // "Hello Ada, you have 3 messages."
 * ```
 *
 * @since 0.1.0
 */
export const template = <const S extends string>(text: S): Template<VariablesOf<S>> => {
  const variables = [...new Set(Array.from(text.matchAll(PLACEHOLDER), (match) => match[1]!))] as Array<VariablesOf<S>>
  const known: ReadonlySet<string> = new Set(variables)
  const render = (values: Values<VariablesOf<S>>): Either.Either<string, PromptTemplateError> => {
    const given: Readonly<Record<string, unknown>> =
      typeof values === "object" && values !== null ? (values as Readonly<Record<string, unknown>>) : {}
    const missing = variables.filter((name) => !Object.hasOwn(given, name) || given[name] === undefined)
    const unknown = Object.keys(given).filter((name) => !known.has(name))
    const invalid = variables.filter((name) => given[name] !== undefined && !isValue(given[name]))
    if (missing.length > 0 || unknown.length > 0 || invalid.length > 0) {
      const problems: Array<string> = []
      if (missing.length > 0) problems.push(`no value for ${quoted(missing)}`)
      if (unknown.length > 0) problems.push(`${quoted(unknown)} ${unknown.length === 1 ? "is" : "are"} not in it`)
      if (invalid.length > 0) {
        problems.push(
          `${quoted(invalid)} must be a string, a finite number, a boolean or a bigint (got ${invalid.map((name) => describe(given[name])).join(", ")})`
        )
      }
      return Either.left(
        new PromptTemplateError({
          message: `The template ${JSON.stringify(clip(text))} cannot be rendered: ${problems.join("; ")}`,
          missing,
          unknown,
          invalid
        })
      )
    }
    return Either.right(text.replace(PLACEHOLDER, (_, name: string) => String(given[name])))
  }
  return { text, variables, render }
}

const clip = (text: string): string => (text.length > 60 ? `${text.slice(0, 60)}…` : text)

const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  if (typeof value === "number") return String(value)
  return typeof value === "object" ? "an object" : typeof value
}
