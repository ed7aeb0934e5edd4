// The parts of the Generative Language API wire format this provider reads (providers.md §3). Every field is
// optional: responses are read tolerantly and unknown fields are ignored.

/** @internal */
export interface WireFunctionCall {
  readonly id?: string | null
  readonly name?: string | null
  readonly args?: unknown
}

/** @internal */
export interface WirePart {
  readonly text?: string | null
  readonly thought?: boolean | null
  readonly thoughtSignature?: string | null
  readonly functionCall?: WireFunctionCall | null
  readonly inlineData?: { readonly mimeType?: string; readonly data?: string } | null
}

/** @internal */
export interface WireCandidate {
  readonly content?: { readonly role?: string; readonly parts?: ReadonlyArray<WirePart> | null } | null
  readonly finishReason?: string | null
  readonly finishMessage?: string | null
  readonly safetyRatings?: ReadonlyArray<unknown> | null
  readonly index?: number | null
}

/** @internal */
export interface WireUsage {
  readonly promptTokenCount?: number | null
  readonly candidatesTokenCount?: number | null
  readonly thoughtsTokenCount?: number | null
  readonly cachedContentTokenCount?: number | null
  readonly toolUsePromptTokenCount?: number | null
  readonly totalTokenCount?: number | null
}

/** @internal */
export interface WireResponse {
  readonly candidates?: ReadonlyArray<WireCandidate> | null
  readonly promptFeedback?: {
    readonly blockReason?: string | null
    readonly blockReasonMessage?: string | null
    readonly safetyRatings?: ReadonlyArray<unknown> | null
  } | null
  readonly usageMetadata?: WireUsage | null
  readonly modelVersion?: string | null
  readonly responseId?: string | null
  readonly error?: WireError | null
}

/** `{ error: { code, message, status, details } }`, google.rpc.Status as JSON. @internal */
export interface WireError {
  readonly code?: number | null
  readonly message?: string | null
  readonly status?: string | null
  readonly details?: ReadonlyArray<unknown> | null
}

/** @internal */
export interface WireEmbeddings {
  readonly embeddings?: ReadonlyArray<{ readonly values?: ReadonlyArray<number> | null }> | null
  readonly usageMetadata?: WireUsage | null
}
