// Our answers in OpenAI's wire format: a `chat.completion` object, the model list and error bodies. Reasoning text
// goes out as `reasoning_content`, the field DeepSeek-style servers use, which the openai SDKs pass through.
import type { ChatResponse } from "../../core/ChatResponse.js"
import type { FinishReason } from "../../core/FinishReason.js"
import type { Usage } from "../../core/Usage.js"
import type { RoutedModel } from "../../routing/Router.js"
import type { Failure, FailureKind } from "../internal/failure.js"

/**
 * OpenAI's finish reasons; ours that it has no word for (`error`, `unknown`) end as `stop`.
 *
 * @internal
 */
export const finishReasonOf = (reason: FinishReason | undefined): string => {
  switch (reason) {
    case "length":
    case "tool_calls":
    case "content_filter":
      return reason
    default:
      return "stop"
  }
}

/** @internal */
export const usageJson = (usage: Usage): string =>
  `{"prompt_tokens":${usage.inputTokens},"completion_tokens":${usage.outputTokens},"total_tokens":${usage.totalTokens},"prompt_tokens_details":{"cached_tokens":${usage.cacheReadTokens ?? 0}},"completion_tokens_details":{"reasoning_tokens":${usage.reasoningTokens ?? 0}}}`

/**
 * A whole `chat.completion` object, as JSON text.
 *
 * @internal
 */
export const encodeChatResponse = (response: ChatResponse): string => {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: response.content === "" && response.toolCalls.length > 0 ? null : response.content,
    refusal: response.refusal ?? null
  }
  if (response.toolCalls.length > 0) {
    message.tool_calls = response.toolCalls.map((call, index) => ({
      id: call.id === "" ? `call_${index}` : call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments }
    }))
  }
  if (response.reasoning !== undefined) message.reasoning_content = response.reasoning
  const head = JSON.stringify({
    id: response.id,
    object: "chat.completion",
    created: response.created,
    model: response.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(response.finishReason) }]
  })
  // The usage object is written by hand, like the stream's, so both say the same thing.
  return `${head.slice(0, -1)},"usage":${usageJson(response.usage)}}`
}

/**
 * `GET /v1/models`: every name the router answers to. `owned_by` is the provider instance of a model, or
 * `agent-adapter` for aliases and groups.
 *
 * @internal
 */
export const encodeModelList = (models: ReadonlyArray<RoutedModel>, created: number): string =>
  JSON.stringify({ object: "list", data: models.map((model) => modelObject(model, created)) })

/** @internal */
export const modelObject = (model: RoutedModel, created: number) => ({
  id: model.id,
  object: "model",
  created,
  owned_by: model.kind === "model" ? (model.providers[0] ?? "agent-adapter") : "agent-adapter"
})

const errorTypes: Readonly<Record<FailureKind, string>> = {
  invalid_request: "invalid_request_error",
  // OpenAI itself answers a wrong key with an invalid_request_error whose code is invalid_api_key.
  authentication: "invalid_request_error",
  permission: "permission_error",
  not_found: "invalid_request_error",
  too_large: "invalid_request_error",
  rate_limit: "rate_limit_error",
  quota: "insufficient_quota",
  timeout: "timeout_error",
  overloaded: "server_error",
  upstream: "upstream_error",
  unavailable: "service_unavailable",
  internal: "server_error"
}

/**
 * The error object, `{ message, type, param, code }`.
 *
 * @internal
 */
export const errorObject = (failure: Failure) => ({
  message: failure.message,
  type: errorTypes[failure.kind],
  param: failure.param ?? null,
  code: failure.code ?? null
})

/**
 * An error body, `{ "error": { message, type, param, code } }`.
 *
 * @internal
 */
export const encodeError = (failure: Failure): string => JSON.stringify({ error: errorObject(failure) })
