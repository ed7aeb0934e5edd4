// Wire shapes of Ollama's native API (`/api/chat`, `/api/embed`, `/api/tags`). Responses are read tolerantly: any
// field may be missing (Go's `omitempty` drops zero values, e.g. `prompt_eval_count` when the prompt was cached).

/** @internal */
export interface WireToolCall {
  /** Sent since Ollama v0.12.10. */
  readonly id?: string | null
  readonly function?: {
    readonly index?: number | null
    readonly name?: string | null
    /** An object; some proxies send it as JSON text. */
    readonly arguments?: unknown
  } | null
}

/** @internal */
export interface WireMessage {
  readonly role?: string | null
  readonly content?: string | null
  readonly thinking?: string | null
  readonly tool_calls?: ReadonlyArray<WireToolCall> | null
}

/** One line of a `/api/chat` stream, or the whole answer of a `stream: false` call. */
export interface WireChatResponse {
  readonly model?: string | null
  readonly created_at?: string | null
  readonly message?: WireMessage | null
  readonly done?: boolean | null
  readonly done_reason?: string | null
  readonly total_duration?: number | null
  readonly load_duration?: number | null
  readonly prompt_eval_count?: number | null
  /** ⚠ Newer servers: prompt tokens served from the KV cache (included in `prompt_eval_count`). */
  readonly prompt_eval_cached_count?: number | null
  readonly prompt_eval_duration?: number | null
  readonly eval_count?: number | null
  readonly eval_duration?: number | null
  readonly error?: unknown
}

/** @internal */
export interface WireEmbedResponse {
  readonly model?: string | null
  readonly embeddings?: ReadonlyArray<ReadonlyArray<number>> | null
  readonly prompt_eval_count?: number | null
}

/** @internal */
export interface WireModelDetails {
  readonly parent_model?: string | null
  readonly format?: string | null
  readonly family?: string | null
  readonly families?: ReadonlyArray<string> | null
  readonly parameter_size?: string | null
  readonly quantization_level?: string | null
}

/** @internal */
export interface WireListedModel {
  readonly name?: string | null
  readonly model?: string | null
  readonly modified_at?: string | null
  readonly size?: number | null
  readonly digest?: string | null
  readonly details?: WireModelDetails | null
}

/** @internal */
export interface WireTagsResponse {
  readonly models?: ReadonlyArray<WireListedModel> | null
}
