// Attribute names: the OpenTelemetry GenAI semantic conventions where they exist, `agent_adapter.*` for the rest.

/** @internal */
export const GenAi = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  system: "gen_ai.system",
  requestModel: "gen_ai.request.model",
  requestTemperature: "gen_ai.request.temperature",
  requestTopP: "gen_ai.request.top_p",
  requestMaxTokens: "gen_ai.request.max_tokens",
  requestStopSequences: "gen_ai.request.stop_sequences",
  requestFrequencyPenalty: "gen_ai.request.frequency_penalty",
  requestPresencePenalty: "gen_ai.request.presence_penalty",
  requestSeed: "gen_ai.request.seed",
  requestStream: "gen_ai.request.stream",
  requestEncodingFormats: "gen_ai.request.encoding_formats",
  embeddingsDimensionCount: "gen_ai.embeddings.dimension.count",
  outputType: "gen_ai.output.type",
  responseId: "gen_ai.response.id",
  responseModel: "gen_ai.response.model",
  responseFinishReasons: "gen_ai.response.finish_reasons",
  responseTimeToFirstChunk: "gen_ai.response.time_to_first_chunk",
  usageInputTokens: "gen_ai.usage.input_tokens",
  usageOutputTokens: "gen_ai.usage.output_tokens",
  usageCacheReadInputTokens: "gen_ai.usage.cache_read.input_tokens",
  usageCacheCreationInputTokens: "gen_ai.usage.cache_creation.input_tokens",
  usageReasoningOutputTokens: "gen_ai.usage.reasoning.output_tokens",
  tokenType: "gen_ai.token.type",
  inputMessages: "gen_ai.input.messages",
  outputMessages: "gen_ai.output.messages",
  systemInstructions: "gen_ai.system_instructions"
} as const

/** @internal */
export const Common = {
  errorType: "error.type",
  httpStatus: "http.response.status_code"
} as const

/** @internal */
export const Adapter = {
  provider: "agent_adapter.provider",
  operation: "agent_adapter.operation",
  requestId: "agent_adapter.request_id",
  outcome: "agent_adapter.outcome",
  attempts: "agent_adapter.attempts",
  retries: "agent_adapter.retries",
  fallbacks: "agent_adapter.fallbacks",
  cacheHit: "agent_adapter.cache.hit",
  cacheResult: "agent_adapter.cache.result",
  rateLimitWait: "agent_adapter.rate_limit.wait",
  costUsd: "agent_adapter.cost.usd",
  streamChunks: "agent_adapter.stream.chunks",
  attemptNumber: "agent_adapter.attempt.number",
  attemptRetry: "agent_adapter.attempt.retry",
  fallbackIndex: "agent_adapter.fallback.index",
  fallbackTarget: "agent_adapter.fallback.target",
  balancerMember: "agent_adapter.balancer.member",
  circuit: "agent_adapter.circuit",
  circuitState: "agent_adapter.circuit.state",
  errorRetryable: "agent_adapter.error.retryable"
} as const

/** The name of the child span of each provider call. @internal */
export const ATTEMPT_SPAN = "gen_ai.attempt"

// Our provider names → the GenAI well-known `gen_ai.provider.name` values (others pass through).
const providerNames: Readonly<Record<string, string>> = {
  gemini: "gcp.gemini",
  azure: "azure.ai.openai",
  bedrock: "aws.bedrock",
  mistral: "mistral_ai",
  xai: "x_ai"
}

// The same for the older `gen_ai.system`, whose values differ for Azure and xAI.
const systemNames: Readonly<Record<string, string>> = {
  gemini: "gcp.gemini",
  azure: "az.ai.openai",
  bedrock: "aws.bedrock",
  mistral: "mistral_ai",
  xai: "xai"
}

/** `gen_ai.provider.name` of one of our provider names. @internal */
export const providerName = (provider: string): string => providerNames[provider] ?? provider

/** `gen_ai.system` of one of our provider names. @internal */
export const systemName = (provider: string): string => systemNames[provider] ?? provider
