// Wire shapes of the OpenAI Chat Completions family. Responses are read tolerantly: every field may be missing or
// null on some compatible server, and unknown fields are ignored.

/** @internal */
export interface WireToolCallDelta {
  readonly index?: number | null
  readonly id?: string | null
  readonly type?: string | null
  readonly function?: { readonly name?: string | null; readonly arguments?: string | null } | null
}

/** @internal */
export interface WireContentChunk {
  readonly type?: string
  readonly text?: string
  readonly thinking?: string | ReadonlyArray<WireContentChunk>
}

/** @internal */
export interface WireMessage {
  readonly role?: string | null
  readonly content?: string | ReadonlyArray<WireContentChunk> | null
  readonly refusal?: string | null
  readonly reasoning_content?: string | null
  readonly reasoning?: string | null
  readonly tool_calls?: ReadonlyArray<WireToolCallDelta> | null
}

/** @internal */
export interface WireUsage {
  readonly prompt_tokens?: number | null
  readonly completion_tokens?: number | null
  readonly total_tokens?: number | null
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | null } | null
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number | null } | null
  readonly prompt_cache_hit_tokens?: number | null
}

/** @internal */
export interface WireChoice {
  readonly index?: number
  readonly message?: WireMessage | null
  readonly delta?: WireMessage | null
  readonly finish_reason?: string | null
}

/** @internal */
export interface WireCompletion {
  readonly id?: string | null
  readonly object?: string | null
  readonly created?: number | null
  readonly model?: string | null
  readonly system_fingerprint?: string | null
  readonly choices?: ReadonlyArray<WireChoice> | null
  readonly usage?: WireUsage | null
  readonly x_groq?: { readonly usage?: WireUsage | null } | null
  readonly error?: unknown
}

/** @internal */
export interface WireEmbeddingList {
  readonly data?: ReadonlyArray<{ readonly index?: number; readonly embedding?: ReadonlyArray<number> | string }>
  readonly model?: string
  readonly usage?: WireUsage | null
}
