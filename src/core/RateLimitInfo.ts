/**
 * What a provider said about its rate limits on a successful answer (`x-ratelimit-*` headers), so a client-side
 * limiter can slow down before the provider answers 429.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * Remaining requests and tokens in the provider's current window, its limits, and when each resets (milliseconds
 * from the answer). Absent fields were not reported.
 *
 * @since 0.1.0
 */
export const RateLimitInfo = Schema.Struct({
  limitRequests: Schema.optional(Schema.Number),
  limitTokens: Schema.optional(Schema.Number),
  remainingRequests: Schema.optional(Schema.Number),
  remainingTokens: Schema.optional(Schema.Number),
  resetRequestsMs: Schema.optional(Schema.Number),
  resetTokensMs: Schema.optional(Schema.Number)
})

/**
 * @since 0.1.0
 */
export type RateLimitInfo = typeof RateLimitInfo.Type
