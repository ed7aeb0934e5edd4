/**
 * Why the model stopped, in one vocabulary for every provider (providers keep their raw value beside it).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * `stop`: a natural end or a stop sequence; `length`: the token limit; `tool_calls`: the model wants tools run;
 * `content_filter`: a safety system stopped it; `error`: the provider failed mid-answer; `unknown`: anything else.
 *
 * @since 0.1.0
 */
export const FinishReason = Schema.Literal("stop", "length", "tool_calls", "content_filter", "error", "unknown")

/**
 * @since 0.1.0
 */
export type FinishReason = typeof FinishReason.Type
