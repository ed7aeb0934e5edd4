/**
 * One piece of a streamed answer.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { FinishReason } from "./FinishReason.js"
import { ProviderMetadata } from "./Message.js"
import { RateLimitInfo } from "./RateLimitInfo.js"
import { Usage } from "./Usage.js"

/**
 * A fragment of a tool call. `index` tells calls apart (0, 1, ... in the order they start); the first fragment of a
 * call carries its `id` and `name`, and the `argumentsDelta` of all fragments joined is the JSON arguments text.
 *
 * @since 0.1.0
 */
export const ToolCallDelta = Schema.Struct({
  index: Schema.Number,
  id: Schema.optional(Schema.String),
  name: Schema.optional(Schema.String),
  argumentsDelta: Schema.String,
  providerMetadata: Schema.optional(ProviderMetadata)
})

/**
 * @since 0.1.0
 */
export type ToolCallDelta = typeof ToolCallDelta.Type

/**
 * A chunk of a stream. `index` counts chunks from 0; `delta` is the new text (possibly empty). The first chunk
 * carries the response `id`, `model`, `created` (Unix seconds) and the vendor's `requestId` when known; the chunk that ends the answer carries `finishReason`; `usage` arrives
 * when the provider reports it (usually on the last chunk, as running totals).
 *
 * @since 0.1.0
 */
export const StreamChunk = Schema.Struct({
  index: Schema.Number,
  delta: Schema.String,
  id: Schema.optional(Schema.String),
  model: Schema.optional(Schema.String),
  created: Schema.optional(Schema.Number),
  requestId: Schema.optional(Schema.String),
  /** On the first chunk: what the provider said about its rate limits. */
  rateLimit: Schema.optional(RateLimitInfo),
  reasoningDelta: Schema.optional(Schema.String),
  toolCallDeltas: Schema.optional(Schema.Array(ToolCallDelta)),
  finishReason: Schema.optional(FinishReason),
  rawFinishReason: Schema.optional(Schema.String),
  refusalDelta: Schema.optional(Schema.String),
  usage: Schema.optional(Usage),
  /**
   * What the call has cost so far, in USD, on chunks that carry `usage` (running totals, like `usage`). Set by the
   * catalog's cost decorator (`Catalog.withCost`) when the model's price is known; absent means unknown, never free.
   */
  cost: Schema.optional(Schema.Number),
  /**
   * Vendor data the answer carries (Anthropic thinking signatures, ...). Folding a stream merges it: objects
   * key by key, arrays appended.
   */
  providerMetadata: Schema.optional(ProviderMetadata)
})

/**
 * @since 0.1.0
 */
export type StreamChunk = typeof StreamChunk.Type

/**
 * A chunk as a provider builds it: every field but `index` and `delta` is optional, and absent fields are left out
 * rather than set to `undefined`.
 *
 * @since 0.1.0
 */
export type Mutable = {
  -readonly [K in keyof StreamChunk]: StreamChunk[K]
}
