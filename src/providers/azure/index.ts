/**
 * `@agent-adapter/sdk/azure`: the Azure OpenAI provider.
 *
 * @since 0.1.0
 */
export * as Azure from "./Azure.js"
