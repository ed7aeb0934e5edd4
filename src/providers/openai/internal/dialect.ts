import type { FinishReason } from "../../../core/FinishReason.js"
import type { Capabilities } from "../../../core/LlmClient.js"
import type { LlmError } from "../../../core/LlmError.js"
import type { ClassifyRules, ErrorDetails } from "../../internal/classifyStatus.js"
import type { HttpFailure } from "../../internal/transport.js"

/**
 * What differs between servers that speak the OpenAI Chat Completions format. The OpenAI provider and every
 * OpenAI-compatible preset are the same engine with a different dialect.
 *
 * @internal
 */
export interface Dialect {
  /** The provider name reported in responses and errors, and the key of its `providerOptions`. */
  readonly provider: string
  /** Reasoning models take `max_completion_tokens` and a `developer` message in place of `system`. */
  readonly isReasoningModel: (model: string) => boolean
  /** Whether `maxTokens` goes out as `max_completion_tokens` for every model, only reasoning models, or never. */
  readonly maxCompletionTokens: "always" | "reasoning" | "never"
  /** How "a tool is required" is spelled (`required`; Mistral says `any`). */
  readonly toolChoiceRequired: string
  /** The name of the seed field (`seed`; Mistral says `random_seed`). */
  readonly seedField: string
  /** Whether tool results must name their tool (Mistral). */
  readonly toolMessageName: boolean
  /** Whether user and assistant messages may carry `name` (Mistral's schema refuses it). */
  readonly messageNames: boolean
  /** Whether the request's `user` field is sent (Mistral has none). */
  readonly sendUser: boolean
  /** The embeddings field for `dimensions` (`dimensions`; Mistral says `output_dimension`). */
  readonly dimensionsField: string
  /**
   * Where the reasoning of earlier assistant turns goes back, if anywhere. DeepSeek's thinking mode requires
   * `reasoning_content` on the assistant turns of the current tool loop (after the last user message), and its
   * V4 models on every assistant turn.
   */
  readonly reasoningEcho: { readonly field: string; readonly everyTurn: (model: string) => boolean } | undefined
  /** Whether to ask for usage in streams with `stream_options.include_usage`. */
  readonly streamUsage: boolean
  /** The embedding encoding asked for when the request does not choose one. */
  readonly embeddingEncoding: "base64" | "float"
  /** Finish reasons beyond OpenAI's own. */
  readonly finishReasons: Readonly<Record<string, FinishReason>>
  readonly classifyRules: ClassifyRules
  /** A vendor's own reading of an error (codes in the body), before the common status mapping; undefined to defer. */
  readonly classify?: ((failure: HttpFailure, details: ErrorDetails) => LlmError | undefined) | undefined
  readonly capabilities: Partial<Capabilities>
}

const openAiReasoningModel = /^(o\d|gpt-5(?!-chat)|codex-)/

/** @internal */
export const openAiDialect: Dialect = {
  provider: "openai",
  isReasoningModel: (model) => openAiReasoningModel.test(model),
  maxCompletionTokens: "reasoning",
  toolChoiceRequired: "required",
  seedField: "seed",
  toolMessageName: false,
  messageNames: true,
  sendUser: true,
  dimensionsField: "dimensions",
  reasoningEcho: undefined,
  streamUsage: true,
  embeddingEncoding: "base64",
  finishReasons: {},
  classifyRules: {
    quotaCodes: new Set(["insufficient_quota", "billing_hard_limit_reached", "billing_not_active"]),
    contextLengthCodes: new Set(["context_length_exceeded", "string_above_max_length"]),
    contentFilterCodes: new Set(["content_filter", "content_policy_violation"])
  },
  capabilities: { embed: true, tools: true, vision: true, jsonSchema: true, reasoning: true }
}
