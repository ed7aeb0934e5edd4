/**
 * What a chat call asks for: the model, the conversation and the generation options, provider-neutral.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Message } from "./Message.js"
import { JsonSchema, ToolChoice, ToolDefinition } from "./Tool.js"

/**
 * The shape of the answer: free text, any JSON object, or JSON following a schema.
 *
 * @since 0.1.0
 */
export const ResponseFormat = Schema.Union(
  Schema.Struct({ type: Schema.Literal("text") }),
  Schema.Struct({ type: Schema.Literal("json") }),
  Schema.Struct({
    type: Schema.Literal("json_schema"),
    name: Schema.String.pipe(
      Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, {
        message: () => 'a response format name is 1 to 64 letters, digits, "_" or "-"'
      })
    ),
    schema: JsonSchema,
    description: Schema.optional(Schema.String),
    strict: Schema.optional(Schema.Boolean)
  })
)

/**
 * @since 0.1.0
 */
export type ResponseFormat = typeof ResponseFormat.Type

/**
 * How hard a reasoning model should think (OpenAI `reasoning_effort` and the equivalents of other providers).
 *
 * @since 0.1.0
 */
export const ReasoningEffort = Schema.Literal("none", "minimal", "low", "medium", "high")

/**
 * @since 0.1.0
 */
export type ReasoningEffort = typeof ReasoningEffort.Type

const between = (min: number, max: number) =>
  Schema.Number.pipe(
    Schema.filter(
      (n) => (Number.isFinite(n) && n >= min && n <= max) || `expected a number from ${min} to ${max}, got ${n}`
    )
  )

const positiveInt = Schema.Number.pipe(
  Schema.filter((n) => (Number.isInteger(n) && n > 0) || `expected a positive integer, got ${n}`)
)

/**
 * A chat request. `providerOptions` is the escape hatch for vendor fields this schema does not model: its entry
 * for the provider being called (for example `providerOptions.openai`) is merged into the request body as is.
 *
 * @since 0.1.0
 */
export const ChatRequest = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1, { message: () => "model must not be empty" })),
  messages: Schema.Array(Message).pipe(
    Schema.minItems(1, { message: () => "messages must hold at least one message" })
  ),
  temperature: Schema.optional(between(0, 2)),
  topP: Schema.optional(between(0, 1)),
  maxTokens: Schema.optional(positiveInt),
  stop: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  frequencyPenalty: Schema.optional(between(-2, 2)),
  presencePenalty: Schema.optional(between(-2, 2)),
  seed: Schema.optional(Schema.Int),
  tools: Schema.optional(Schema.Array(ToolDefinition)),
  toolChoice: Schema.optional(ToolChoice),
  parallelToolCalls: Schema.optional(Schema.Boolean),
  responseFormat: Schema.optional(ResponseFormat),
  reasoningEffort: Schema.optional(ReasoningEffort),
  user: Schema.optional(Schema.String),
  providerOptions: Schema.optional(
    Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
  )
})

/**
 * @since 0.1.0
 */
export type ChatRequest = typeof ChatRequest.Type
