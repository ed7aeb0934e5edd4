/**
 * `@agent-adapter/sdk/testing`: test an application without a network (`MockLlm`), and test over real HTTP
 * against a fake provider (`FakeProviderServer`).
 *
 * @since 0.1.0
 */

export type { RecordedCall } from "../providers/mock/Mock.js"
export * as MockReply from "../providers/mock/MockReply.js"
export { FakeAnthropic, type FakeAnthropicMessageOptions } from "./FakeAnthropic.js"
export {
  FakeAzure,
  type FakeAzureChatOptions,
  type FakeAzureErrorOptions,
  type FakeAzureToolCall
} from "./FakeAzure.js"
export { FakeBedrock, type FakeBedrockAnswerOptions, type FakeBedrockEvent } from "./FakeBedrock.js"
export {
  FakeGemini,
  type FakeGeminiAnswerOptions,
  type FakeGeminiErrorOptions,
  type FakeGeminiFunctionCall
} from "./FakeGemini.js"
export { FakeOllama, type FakeOllamaChatOptions, type FakeOllamaToolCall } from "./FakeOllama.js"
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
export { FakeZhipu, type FakeZhipuChatOptions, type FakeZhipuToolCall } from "./FakeZhipu.js"
export { MockLlm, type MockLlmService } from "./MockLlm.js"
