/**
 * `@agent-adapter/sdk` token counting and context windows: exact counts for OpenAI-family models, a documented
 * estimate for others, and fitting conversations into a model's window.
 *
 * @since 0.1.0
 */
export * as ContextWindow from "./ContextWindow.js"
export * as Tokens from "./Tokens.js"
