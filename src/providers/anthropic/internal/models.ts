// What the request conversion needs to know about Claude models: the default `max_tokens` (Anthropic requires one)
// and how reasoning is asked for. Sources: Anthropic's models overview and per-model pages (max output), the
// extended and adaptive thinking guides (which models take `budget_tokens`, which only `adaptive`).
import type { ReasoningEffort } from "../../../core/ChatRequest.js"

interface MaxOutput {
  readonly pattern: RegExp
  readonly tokens: number
}

// First match wins. Dated snapshots (`-20250514`) and aliases (`-0`, `-latest`) share their family's limit.
const maxOutputs: ReadonlyArray<MaxOutput> = [
  { pattern: /^claude-3-(?:haiku|opus|sonnet)/, tokens: 4096 },
  { pattern: /^claude-3-5-(?:sonnet|haiku)/, tokens: 8192 },
  { pattern: /^claude-3-7-sonnet/, tokens: 64_000 },
  { pattern: /^claude-(?:opus|sonnet)-4-[6-9]/, tokens: 128_000 },
  { pattern: /^claude-opus-4-5/, tokens: 64_000 },
  { pattern: /^claude-opus-4(?:-[01])?(?:-\d{8}|-latest)?$/, tokens: 32_000 },
  { pattern: /^claude-sonnet-4(?:-[05])?(?:-\d{8}|-latest)?$/, tokens: 64_000 },
  { pattern: /^claude-haiku-4-5/, tokens: 64_000 },
  { pattern: /^claude-(?:opus|sonnet|haiku|fable|mythos)-[5-9]/, tokens: 128_000 },
  { pattern: /^claude-mythos/, tokens: 128_000 }
]

/** What every Claude model accepts, for models the table does not know. */
export const FALLBACK_MAX_TOKENS = 4096

/**
 * The model's maximum output, when the table knows the model.
 *
 * @internal
 */
export const maxOutputTokens = (model: string): number | undefined =>
  maxOutputs.find((entry) => entry.pattern.test(model))?.tokens

/**
 * `max_tokens` for a request that sets none: the model's maximum output, or 4096 for unknown models.
 *
 * @internal
 */
export const defaultMaxTokens = (model: string): number => maxOutputTokens(model) ?? FALLBACK_MAX_TOKENS

// Opus 4.6+ and Sonnet 4.6+ (and the later families) think adaptively; Opus 4.7 and the always-thinking models
// refuse `budget_tokens` with a 400. Older models (3.7, 4, 4.1, 4.5, Haiku 4.5) only take `budget_tokens`.
const adaptiveModels = /^claude-(?:(?:opus|sonnet)-4-[6-9]|(?:opus|sonnet|haiku|fable|mythos)-[5-9]|mythos|fable)/

/** @internal */
export const thinksAdaptively = (model: string): boolean => adaptiveModels.test(model)

/**
 * `budget_tokens` for each `reasoningEffort` on models that take a budget (at least 1024, Anthropic's minimum).
 *
 * @internal
 */
export const thinkingBudgets: Readonly<Record<Exclude<ReasoningEffort, "none">, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16_384
}

/**
 * `output_config.effort` for each `reasoningEffort` on adaptive models.
 *
 * @internal
 */
export const adaptiveEfforts: Readonly<Record<Exclude<ReasoningEffort, "none">, string>> = {
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high"
}
