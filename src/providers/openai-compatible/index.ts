/**
 * `@agent-adapter/sdk/openai-compatible`: OpenAI-compatible servers and their presets.
 *
 * @since 0.1.0
 */
export * as OpenAiCompatible from "./OpenAiCompatible.js"
