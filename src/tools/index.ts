/**
 * Tools the SDK runs for you: `Toolkit` (tools with their handlers, grouped by name), `ToolLoop` (call the model,
 * run its tool calls, send the results back, until it answers) and `AsyncTool` (the same for promise callers).
 *
 * @since 0.1.0
 */
export * as AsyncTool from "./AsyncTool.js"
export * as Toolkit from "./Toolkit.js"
export * as ToolLoop from "./ToolLoop.js"
