/**
 * The error of a structured answer that could not be read: the model's output was not JSON or did not match the
 * schema, even after the repair attempt, or the model refused. It is not an `LlmError`: the call itself worked.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * One thing wrong with the output: where (`path`, e.g. `items[2].price`, empty for the whole answer) and what.
 *
 * @since 0.1.0
 */
export const DecodeIssue = Schema.Struct({
  path: Schema.String,
  message: Schema.String
})

/**
 * @since 0.1.0
 */
export type DecodeIssue = typeof DecodeIssue.Type

/**
 * The structured answer could not be decoded. `raw` is the last output exactly as the model wrote it, `issues`
 * what was wrong with it, `attempts` how many answers were tried (2 after a repair), and `refusal` the model's
 * refusal when it declined to answer (no repair is tried then).
 *
 * @since 0.1.0
 */
export class ObjectDecodeError extends Schema.TaggedError<ObjectDecodeError>("@agent-adapter/sdk/ObjectDecodeError")(
  "ObjectDecodeError",
  {
    message: Schema.String,
    raw: Schema.String,
    issues: Schema.Array(DecodeIssue),
    attempts: Schema.Number,
    provider: Schema.optional(Schema.String),
    model: Schema.optional(Schema.String),
    refusal: Schema.optional(Schema.String)
  }
) {}

/**
 * The issues as one line: `path: message` joined with `; `.
 *
 * @since 0.1.0
 */
export const summarize = (issues: ReadonlyArray<DecodeIssue>): string =>
  issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`)).join("; ")
