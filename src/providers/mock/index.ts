/**
 * `@agent-adapter/sdk/mock`: the built-in mock provider.
 *
 * @since 0.1.0
 */
export * as Mock from "./Mock.js"
export * as MockReply from "./MockReply.js"
