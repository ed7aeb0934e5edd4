/**
 * `@agent-adapter/sdk/gemini`: the Google Gemini provider (Generative Language API).
 *
 * @since 0.1.0
 */
export * as Gemini from "./Gemini.js"
