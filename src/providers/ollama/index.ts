/**
 * `@agent-adapter/sdk/ollama`: the Ollama provider (native API).
 *
 * @since 0.1.0
 */
export * as Ollama from "./Ollama.js"
