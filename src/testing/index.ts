/**
 * `@agent-adapter/sdk/testing`: test an application without a network (`MockLlm`), and test over real HTTP
 * against a fake provider (`FakeProviderServer`).
 *
 * @since 0.1.0
 */

export type { RecordedCall } from "../providers/mock/Mock.js"
export * as MockReply from "../providers/mock/MockReply.js"
export {
  FakeOpenAi,
  type FakeOpenAiChatOptions,
  FakeProvider,
  FakeProviderServer,
  type FakeProviderServerOptions,
  FakeReply,
  type RecordedRequest,
  type ReplyOptions,
  type StreamReplyOptions,
  type TextReplyOptions
} from "./FakeProviderServer.js"
export { MockLlm, type MockLlmService } from "./MockLlm.js"
