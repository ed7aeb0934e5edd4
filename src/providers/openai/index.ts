/**
 * `@agent-adapter/sdk/openai`: the OpenAI provider.
 *
 * @since 0.1.0
 */
export * as OpenAi from "./OpenAi.js"
