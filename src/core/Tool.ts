/**
 * Tool definitions: what the model may call. Parameters are JSON Schema; `Tool.fromSchema` builds a definition from
 * an Effect Schema and decodes the model's arguments back into typed values.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ResponseDecodeError } from "./LlmError.js"
import type { ToolCall } from "./Message.js"

/**
 * A JSON Schema object (the `parameters` of a tool, the `schema` of a structured response).
 *
 * @since 0.1.0
 */
export const JsonSchema = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * @since 0.1.0
 */
export type JsonSchema = typeof JsonSchema.Type

/**
 * Tool names every provider accepts: letters, digits, `_` and `-`, at most 64 characters.
 *
 * @since 0.1.0
 */
export const ToolName = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, {
    message: (issue) =>
      `a tool name is 1 to 64 letters, digits, "_" or "-" (every provider accepts that), got ${JSON.stringify(issue.actual)}`
  })
)

/**
 * A function the model may call. `parameters` is a JSON Schema of type `object`; `strict` asks providers that
 * support it (OpenAI) to follow the schema exactly.
 *
 * @since 0.1.0
 */
export const ToolDefinition = Schema.Struct({
  name: ToolName,
  description: Schema.optional(Schema.String),
  parameters: Schema.optional(JsonSchema),
  strict: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 */
export type ToolDefinition = typeof ToolDefinition.Type

/**
 * Whether and which tool the model must call: `auto` (it decides), `none`, `required` (any tool), or one tool by name.
 *
 * @since 0.1.0
 */
export const ToolChoice = Schema.Union(
  Schema.Literal("auto", "none", "required"),
  Schema.Struct({ name: Schema.String })
)

/**
 * @since 0.1.0
 */
export type ToolChoice = typeof ToolChoice.Type

/**
 * Converts an Effect Schema into a JSON Schema object suitable for tool parameters or structured output.
 * The `$schema` marker is dropped: some providers reject unknown top-level keys.
 *
 * @since 0.1.0
 */
export const jsonSchemaOf = <A, I, R>(schema: Schema.Schema<A, I, R>): JsonSchema => {
  const { $schema: _ignored, ...rest } = JSONSchema.make(schema) as unknown as JsonSchema
  return rest
}

/**
 * A tool defined from an Effect Schema. It is a `ToolDefinition` (pass it in `tools`), and it decodes a tool call's
 * arguments into the schema's type.
 *
 * @since 0.1.0
 */
export class SchemaTool<A, I = A> implements ToolDefinition {
  readonly name: string
  declare readonly description?: string
  readonly parameters: JsonSchema
  declare readonly strict?: boolean
  // Private so that it is not an own enumerable key: a SchemaTool passes request validation as a plain definition.
  readonly #schema: Schema.Schema<A, I>

  constructor(options: {
    readonly name: string
    readonly description?: string
    readonly parameters: Schema.Schema<A, I>
    readonly strict?: boolean
  }) {
    this.name = options.name
    if (options.description !== undefined) this.description = options.description
    if (options.strict !== undefined) this.strict = options.strict
    this.parameters = jsonSchemaOf(options.parameters)
    this.#schema = options.parameters
  }

  /** The Effect Schema the arguments decode with. */
  get schema(): Schema.Schema<A, I> {
    return this.#schema
  }

  /**
   * Decodes the arguments of a call to this tool (or raw JSON text). Malformed JSON or arguments that do not match
   * the schema fail with `ResponseDecodeError` naming the tool and the path at fault.
   */
  decodeArguments(call: ToolCall | string): Effect.Effect<A, ResponseDecodeError> {
    const text = typeof call === "string" ? call : call.arguments
    const name = this.name
    return Effect.try({
      try: () => (text.trim() === "" ? {} : (JSON.parse(text) as unknown)),
      catch: (cause) =>
        new ResponseDecodeError({
          message: `the arguments of tool "${name}" are not valid JSON: ${(cause as Error).message}`
        })
    }).pipe(
      Effect.flatMap((json) => Schema.decodeUnknown(this.#schema, { errors: "all" })(json)),
      Effect.catchTag("ParseError", (error) =>
        Effect.fail(
          new ResponseDecodeError({
            message: `the arguments of tool "${name}" do not match its schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
          })
        )
      )
    )
  }
}

/**
 * Defines a tool from an Effect Schema of its parameters.
 *
 * @example
 * ```ts
 * const weather = Tool.fromSchema({
 *   name: "get_weather",
 *   description: "Current weather of a city",
 *   parameters: Schema.Struct({ city: Schema.String })
 * })
 * ```
 *
 * @since 0.1.0
 */
export const fromSchema = <A, I>(options: {
  readonly name: string
  readonly description?: string
  readonly parameters: Schema.Schema<A, I>
  readonly strict?: boolean
}): SchemaTool<A, I> => new SchemaTool(options)
