/**
 * `@agent-adapter/sdk/reliability`: retry, timeouts, circuit breaker, rate limits, fallback, load balancing and the
 * response cache, each a combinator, a client decorator and a layer.
 *
 * @since 0.1.0
 */
export * as Cache from "./Cache.js"
export * as CircuitBreaker from "./CircuitBreaker.js"
export * as Fallback from "./Fallback.js"
export * as LoadBalancer from "./LoadBalancer.js"
export * as RateLimit from "./RateLimit.js"
export * as Retry from "./Retry.js"
export * as Timeout from "./Timeout.js"
