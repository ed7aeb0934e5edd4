// Turns a Schema parse error on a wire body into one 400 naming the field at fault, in the wire's own names
// (`messages[0].content`, `tools[1].function.name`), the way OpenAI words its own validation errors.
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { type Failure, failure } from "./failure.js"

/** @internal */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string => {
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else out += out === "" ? String(key) : `.${String(key)}`
  }
  return out
}

const clip = (text: string): string => (text.length > 300 ? `${text.slice(0, 300)}…` : text)

const describeActual = (actual: unknown): string => {
  if (actual === null) return "null"
  if (Array.isArray(actual)) return "an array"
  switch (typeof actual) {
    case "string":
      return actual.length > 40 ? "a string" : `the string ${JSON.stringify(actual)}`
    case "number":
      return Number.isInteger(actual) ? `the integer ${actual}` : `the number ${actual}`
    case "boolean":
      return `the boolean ${actual}`
    case "object":
      return "an object"
    default:
      return typeof actual
  }
}

// Schema reports a failed union once per member and an optional field twice; the deepest issue names the real fault.
const pick = (issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>): ParseResult.ArrayFormatterIssue | undefined => {
  let best: ParseResult.ArrayFormatterIssue | undefined
  for (const issue of issues) {
    if (issue._tag === "Type" && issue.message.startsWith("Expected undefined")) continue
    if (best === undefined || issue.path.length > best.path.length) best = issue
  }
  return best ?? issues[0]
}

/**
 * The 400 for a wire body that does not decode: the first, deepest issue, with its path as `param`.
 *
 * @internal
 */
export const invalidBody = (error: ParseResult.ParseError, input: unknown): Failure => {
  const issue = pick(ParseResult.ArrayFormatter.formatErrorSync(error))
  if (issue === undefined) return failure(400, "invalid_request", "The request body is invalid.")
  const path = formatPath(issue.path)
  switch (issue._tag) {
    case "Missing":
      return failure(400, "invalid_request", `Missing required parameter: '${path}'.`, {
        param: path,
        code: "missing_required_parameter"
      })
    case "Unexpected":
      return failure(400, "invalid_request", `Unrecognized request argument supplied: ${path}`, {
        param: path,
        code: "unknown_parameter"
      })
    default: {
      let actual: unknown = input
      for (const key of issue.path) {
        actual =
          typeof actual === "object" && actual !== null ? (actual as Record<PropertyKey, unknown>)[key] : undefined
      }
      const what = path === "" ? "the request body" : `'${path}'`
      return failure(
        400,
        "invalid_request",
        `Invalid value for ${what}: ${clip(issue.message)} (got ${describeActual(actual)}).`,
        { ...(path === "" ? {} : { param: path }), code: issue._tag === "Type" ? "invalid_type" : "invalid_value" }
      )
    }
  }
}

/**
 * A strict decoder of a wire body: unknown fields are errors, and the first problem is enough.
 *
 * @internal
 */
export const strictDecoder = <A, I>(schema: Schema.Schema<A, I>): ((input: unknown) => Either.Either<A, Failure>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "error" })
  return (input) => Either.mapLeft(decode(input), (error) => invalidBody(error, input))
}

/**
 * Parses a JSON body; the 400 says where it broke.
 *
 * @internal
 */
export const parseJsonBody = (text: string): Either.Either<unknown, Failure> => {
  if (text.trim() === "") {
    return Either.left(
      failure(400, "invalid_request", "The request body is empty: send a JSON object.", { code: "invalid_json" })
    )
  }
  try {
    return Either.right(JSON.parse(text) as unknown)
  } catch (cause) {
    return Either.left(
      failure(400, "invalid_request", `The request body is not valid JSON: ${(cause as Error).message}.`, {
        code: "invalid_json"
      })
    )
  }
}

/** @internal */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
