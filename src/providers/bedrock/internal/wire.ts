// Bedrock Converse, ConverseStream and InvokeModel (embeddings) wire shapes: tolerant, every field optional, as
// the service may add fields (e.g. the `p` padding of stream events, which is never read).

/** @internal */
export interface WireReasoningText {
  readonly text?: string
  readonly signature?: string
}

/** @internal */
export interface WireReasoningContent {
  readonly reasoningText?: WireReasoningText
  /** Base64 bytes of reasoning the model's safety system encrypted. */
  readonly redactedContent?: string
}

/** @internal */
export interface WireToolUse {
  readonly toolUseId?: string
  readonly name?: string
  readonly input?: unknown
}

/** @internal */
export interface WireContentBlock {
  readonly text?: string
  readonly toolUse?: WireToolUse
  readonly reasoningContent?: WireReasoningContent
}

/** @internal */
export interface WireUsage {
  readonly inputTokens?: number
  readonly outputTokens?: number
  readonly totalTokens?: number
  readonly cacheReadInputTokens?: number
  readonly cacheWriteInputTokens?: number
}

/** @internal */
export interface WireConverseResponse {
  readonly output?: {
    readonly message?: { readonly role?: string; readonly content?: ReadonlyArray<WireContentBlock> }
  }
  readonly stopReason?: string
  readonly usage?: WireUsage
  readonly additionalModelResponseFields?: unknown
}

/** @internal */
export interface WireContentBlockStart {
  readonly contentBlockIndex?: number
  readonly start?: { readonly toolUse?: WireToolUse }
}

/** @internal */
export interface WireContentBlockDelta {
  readonly contentBlockIndex?: number
  readonly delta?: {
    readonly text?: string
    readonly toolUse?: { readonly input?: string }
    readonly reasoningContent?: {
      readonly text?: string
      readonly signature?: string
      readonly redactedContent?: string
    }
  }
}

/** @internal */
export interface WireContentBlockStop {
  readonly contentBlockIndex?: number
}

/** @internal */
export interface WireMessageStop {
  readonly stopReason?: string
  readonly additionalModelResponseFields?: unknown
}

/** @internal */
export interface WireStreamMetadata {
  readonly usage?: WireUsage
}

/** A reasoning block kept in `providerMetadata.bedrock.reasoning` so it can go back unchanged. @internal */
export type ReasoningBlock =
  | { readonly text: string; readonly signature: string }
  | { readonly text: string }
  | { readonly redactedContent: string }
