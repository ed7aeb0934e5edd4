/**
 * The gateway server: OpenAI and Anthropic wire formats in front of the router, with keys, limits, budgets, usage,
 * health and metrics.
 *
 * @since 0.1.0
 */

export * from "./auth/index.js"
export * as Gateway from "./Gateway.js"
