/**
 * Tools the SDK runs for you: `Toolkit` (tools with their handlers, grouped by name) and `ToolLoop` (call the
 * model, run its tool calls, send the results back, until it answers).
 *
 * @since 0.1.0
 */
export * as Toolkit from "./Toolkit.js"
export * as ToolLoop from "./ToolLoop.js"
