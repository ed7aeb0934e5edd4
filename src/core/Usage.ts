/**
 * Token usage of a call, in one vocabulary for every provider.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const count = Schema.Number.pipe(Schema.nonNegative())

/**
 * Tokens read and written. `inputTokens` includes cached tokens; `outputTokens` includes reasoning tokens.
 * `cacheReadTokens` and `cacheWriteTokens` say how many input tokens were served from or written to the prompt cache.
 *
 * @since 0.1.0
 */
export const Usage = Schema.Struct({
  inputTokens: count,
  outputTokens: count,
  totalTokens: count,
  reasoningTokens: Schema.optional(count),
  cacheReadTokens: Schema.optional(count),
  cacheWriteTokens: Schema.optional(count)
})

/**
 * @since 0.1.0
 */
export type Usage = typeof Usage.Type

/**
 * Usage when nothing was counted.
 *
 * @since 0.1.0
 */
export const empty: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 }

/**
 * Builds a `Usage`, computing the total when the provider did not send one.
 *
 * @since 0.1.0
 */
export const make = (fields: {
  readonly inputTokens?: number | null | undefined
  readonly outputTokens?: number | null | undefined
  readonly totalTokens?: number | null | undefined
  readonly reasoningTokens?: number | null | undefined
  readonly cacheReadTokens?: number | null | undefined
  readonly cacheWriteTokens?: number | null | undefined
}): Usage => {
  const inputTokens = fields.inputTokens ?? 0
  const outputTokens = fields.outputTokens ?? 0
  const usage: {
    inputTokens: number
    outputTokens: number
    totalTokens: number
    reasoningTokens?: number
    cacheReadTokens?: number
    cacheWriteTokens?: number
  } = { inputTokens, outputTokens, totalTokens: fields.totalTokens ?? inputTokens + outputTokens }
  if (typeof fields.reasoningTokens === "number") usage.reasoningTokens = fields.reasoningTokens
  if (typeof fields.cacheReadTokens === "number") usage.cacheReadTokens = fields.cacheReadTokens
  if (typeof fields.cacheWriteTokens === "number") usage.cacheWriteTokens = fields.cacheWriteTokens
  return usage
}
