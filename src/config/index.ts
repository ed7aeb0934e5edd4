/**
 * Configuration: a YAML or JSON file with `${VAR}` interpolation, the environment and explicit options, merged and
 * validated into an `AdapterConfig`; as a service, watched and reloaded atomically.
 *
 * @since 0.1.0
 */
export { AdapterConfigSource, type AdapterConfigSourceService } from "./AdapterConfigSource.js"
export * as Config from "./Config.js"
export { ConfigError, ConfigIssue, formatIssue as formatConfigIssue } from "./ConfigError.js"
export {
  AdapterConfigFromInput,
  type ConfigInput,
  type DurationInput as ConfigDurationInput,
  type ModelGroupInput,
  type ProviderInput,
  type SecretInput,
  sections as configSections,
  strategies as groupStrategies
} from "./ConfigSchema.js"
export type {
  AdapterConfig,
  CacheConfig,
  CircuitBreakerConfig,
  GatewayConfig,
  GroupStrategy,
  GroupTarget,
  ModelGroupConfig,
  ProviderConfig,
  RateLimitConfig,
  RetryConfig,
  TimeoutConfig
} from "./types.js"
export { emptyConfig } from "./types.js"
export { byteSizeExpected, durationExpected, parseByteSize, parseDuration } from "./Units.js"
