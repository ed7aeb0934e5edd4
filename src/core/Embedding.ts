/**
 * Embedding requests and responses.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Usage } from "./Usage.js"

const NonEmptyText = Schema.String.pipe(Schema.minLength(1, { message: () => "an input text must not be empty" }))

/**
 * Texts to embed. `encodingFormat` only chooses the wire encoding (base64 is smaller on the wire); the response
 * always holds numbers. `dimensions` shortens vectors on models that support it.
 *
 * @since 0.1.0
 */
export const EmbeddingRequest = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1, { message: () => "model must not be empty" })),
  input: Schema.Union(
    NonEmptyText,
    Schema.Array(NonEmptyText).pipe(Schema.minItems(1, { message: () => "input must hold at least one text" }))
  ),
  dimensions: Schema.optional(
    Schema.Number.pipe(Schema.filter((n) => (Number.isInteger(n) && n > 0) || `expected a positive integer, got ${n}`))
  ),
  encodingFormat: Schema.optional(Schema.Literal("float", "base64")),
  user: Schema.optional(Schema.String),
  providerOptions: Schema.optional(
    Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
  )
})

/**
 * @since 0.1.0
 */
export type EmbeddingRequest = typeof EmbeddingRequest.Type

/**
 * One vector per input text, in input order.
 *
 * @since 0.1.0
 */
export const EmbeddingResponse = Schema.Struct({
  model: Schema.String,
  provider: Schema.String,
  embeddings: Schema.Array(Schema.Array(Schema.Number)),
  usage: Usage,
  requestId: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 */
export type EmbeddingResponse = typeof EmbeddingResponse.Type
