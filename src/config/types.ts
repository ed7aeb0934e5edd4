/**
 * The decoded shape of an agent-adapter configuration: what `Config.load` and `Config.layerFile` produce after
 * interpolation, merging and validation, and what the router, the gateway and the CLI read. Durations are
 * milliseconds; keys are `Redacted`.
 *
 * @since 0.1.0
 */
import type * as Redacted from "effect/Redacted"

/**
 * A configured provider instance. Its name is the key in `providers`; `type` says which provider it is (one of
 * the registry's names, aliases allowed) and defaults to the name itself, so `openai: {}` is an OpenAI instance and
 * `local: { type: ollama }` an Ollama one.
 *
 * @since 0.1.0
 */
export interface ProviderConfig {
  readonly type: string
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly baseUrl?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** The provider's per-request timeout (total) in ms, overriding the global `timeout.total` for calls to it. */
  readonly timeoutMs?: number | undefined
  /** Models this instance serves (listed by `/v1/models` and `agent-adapter models`); any model may still be asked. */
  readonly models?: ReadonlyArray<string> | undefined
  /**
   * Provider-specific settings passed to the registry's `extra` (OpenAI `organization`, Azure `apiVersion`,
   * `resourceName`, `deployment`, Bedrock `region`, `accessKeyId`, ...). Secret ones are `Redacted`.
   */
  readonly extra: Readonly<Record<string, unknown>>
}

/**
 * How a model group picks its target.
 *
 * @since 0.1.0
 */
export type GroupStrategy = "round-robin" | "weighted" | "least-latency" | "least-busy" | "lowest-cost" | "priority"

/**
 * One target of a model group: a `provider/model` address (or another alias).
 *
 * @since 0.1.0
 */
export interface GroupTarget {
  readonly model: string
  readonly weight?: number | undefined
}

/**
 * A model name that stands for a group of targets, balanced by `strategy`, with `fallbacks` tried in order when
 * every target failed.
 *
 * @since 0.1.0
 */
export interface ModelGroupConfig {
  readonly strategy: GroupStrategy
  readonly targets: ReadonlyArray<GroupTarget>
  readonly fallbacks: ReadonlyArray<string>
}

/**
 * Retry policy (ms).
 *
 * @since 0.1.0
 */
export interface RetryConfig {
  readonly maxRetries?: number | undefined
  readonly baseDelayMs?: number | undefined
  readonly maxDelayMs?: number | undefined
  readonly jitter?: boolean | undefined
}

/**
 * Deadlines (ms).
 *
 * @since 0.1.0
 */
export interface TimeoutConfig {
  readonly totalMs?: number | undefined
  readonly attemptMs?: number | undefined
  readonly firstChunkMs?: number | undefined
  readonly idleMs?: number | undefined
}

/**
 * Circuit breaker settings (ms).
 *
 * @since 0.1.0
 */
export interface CircuitBreakerConfig {
  readonly failureThreshold?: number | undefined
  readonly resetTimeoutMs?: number | undefined
  readonly halfOpenMaxCalls?: number | undefined
}

/**
 * Client-side limits of one provider instance.
 *
 * @since 0.1.0
 */
export interface RateLimitConfig {
  readonly requestsPerMinute?: number | undefined
  readonly tokensPerMinute?: number | undefined
  readonly concurrency?: number | undefined
  readonly maxWaitMs?: number | undefined
}

/**
 * Response cache settings (ms).
 *
 * @since 0.1.0
 */
export interface CacheConfig {
  readonly ttlMs?: number | undefined
  readonly maxEntries?: number | undefined
}

/**
 * The gateway's own settings (`agent-adapter serve`, `npm start`).
 *
 * @since 0.1.0
 */
export interface GatewayConfig {
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly masterKey?: Redacted.Redacted<string> | undefined
  /** `sqlite:path/to/file.db` (default `sqlite:agent-adapter.db`), `sqlite::memory:`, or a `postgres://` URL. */
  readonly database?: Redacted.Redacted<string> | undefined
  /** A `redis://` URL: limits, budgets and cache shared by several gateway instances. */
  readonly redis?: Redacted.Redacted<string> | undefined
  readonly maxBodyBytes?: number | undefined
  readonly shutdownGraceMs?: number | undefined
}

/**
 * A whole deployment.
 *
 * @since 0.1.0
 */
export interface AdapterConfig {
  readonly providers: Readonly<Record<string, ProviderConfig>>
  /** Model groups by name. */
  readonly models: Readonly<Record<string, ModelGroupConfig>>
  /** Other names for `provider/model` addresses or groups: `{ smart: "anthropic/claude-sonnet-4-5" }`. */
  readonly aliases: Readonly<Record<string, string>>
  /** The model used when a request names none (the CLI, the gateway's demo line). */
  readonly defaultModel?: string | undefined
  readonly retry?: RetryConfig | undefined
  readonly timeout?: TimeoutConfig | undefined
  readonly circuitBreaker?: CircuitBreakerConfig | undefined
  /** Limits by provider instance name. */
  readonly rateLimit: Readonly<Record<string, RateLimitConfig>>
  readonly cache?: CacheConfig | undefined
  readonly gateway?: GatewayConfig | undefined
}

/**
 * A configuration with nothing in it.
 *
 * @since 0.1.0
 */
export const emptyConfig: AdapterConfig = { providers: {}, models: {}, aliases: {}, rateLimit: {} }
