/**
 * `@agent-adapter/sdk/redis`: Redis stores for the rate limiter and the response cache, shared by several processes.
 *
 * @since 0.1.0
 */
export * as RedisStore from "./RedisStore.js"
