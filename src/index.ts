/**
 * `@agent-adapter/sdk`: one typed, reliable way to call every major LLM provider.
 *
 * - Effect API: the `LlmClient` service, provided by a provider layer (`@agent-adapter/sdk/openai`, ...).
 * - Promise API: `new Client({ provider, apiKey })`.
 * - Types and errors shared by both.
 *
 * @since 0.1.0
 */
export { Catalog } from "./catalog/index.js"
export { Ndjson, Sse } from "./codec/index.js"
export {
  type AdapterConfig,
  AdapterConfigSource,
  type AdapterConfigSourceService,
  Config,
  ConfigError,
  type ConfigInput,
  ConfigIssue,
  emptyConfig,
  type ModelGroupConfig,
  type ProviderConfig
} from "./config/index.js"
export { ChatRequest, ReasoningEffort, ResponseFormat } from "./core/ChatRequest.js"
export {
  Accumulator as ChatResponseAccumulator,
  ChatResponse,
  fromStream as collectResponse,
  mergeProviderMetadata,
  toAssistantMessage
} from "./core/ChatResponse.js"
export { EmbeddingRequest, EmbeddingResponse } from "./core/Embedding.js"
export { FinishReason } from "./core/FinishReason.js"
export {
  type Capabilities,
  LlmClient,
  type LlmClientImplementation,
  type LlmClientService
} from "./core/LlmClient.js"
export {
  AuthenticationError,
  CircuitOpenError,
  ContentFilterError,
  ContextLengthError,
  InvalidRequestError,
  isLlmError,
  LlmError,
  type LlmErrorTag,
  NetworkError,
  NotFoundError,
  PermissionError,
  ProviderError,
  QuotaExceededError,
  RateLimitError,
  ResponseDecodeError,
  TimeoutError,
  TimeoutPhase,
  UnsupportedError
} from "./core/LlmError.js"
export {
  AssistantMessage,
  ContentPart,
  ImageDetail,
  ImagePart,
  Message,
  ProviderMetadata,
  type Role,
  SystemMessage,
  TextPart,
  ToolCall,
  ToolMessage,
  textOf,
  UserMessage
} from "./core/Message.js"
export { RateLimitInfo } from "./core/RateLimitInfo.js"
export { StreamChunk, ToolCallDelta } from "./core/StreamChunk.js"
export * as Tool from "./core/Tool.js"
export { JsonSchema, SchemaTool, ToolChoice, ToolDefinition } from "./core/Tool.js"
export { Usage } from "./core/Usage.js"
export {
  type CallOptions,
  type ChatParams,
  ChatStream,
  Client,
  type ClientOptions,
  type ConfigClientOptions,
  type ProviderName
} from "./promise/Client.js"
export { Prompt } from "./prompt/index.js"
export { type ProviderEntry, type ProviderSettings, providerNames, providers } from "./providers/registry.js"
export * as Cache from "./reliability/Cache.js"
export * as CircuitBreaker from "./reliability/CircuitBreaker.js"
export * as Fallback from "./reliability/Fallback.js"
export * as LoadBalancer from "./reliability/LoadBalancer.js"
export * as RateLimit from "./reliability/RateLimit.js"
export * as Retry from "./reliability/Retry.js"
export * as Stack from "./reliability/Stack.js"
export * as Timeout from "./reliability/Timeout.js"
export * as Router from "./routing/Router.js"
export { DecodeIssue, GenerateObject, ObjectDecodeError, PartialJson } from "./structured/index.js"
export { ContextWindow, Tokens } from "./tokens/index.js"
export { AsyncTool, Toolkit, ToolLoop } from "./tools/index.js"
export * as HttpTransport from "./transport/HttpTransport.js"
