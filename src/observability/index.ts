/**
 * `@agent-adapter/sdk/observability`: OpenTelemetry traces and metrics following the GenAI semantic conventions,
 * one structured log line per call, and redaction of keys from everything that leaves the process.
 *
 * @since 0.1.0
 */
export * as Observability from "./Observability.js"
export * as Redaction from "./Redaction.js"
