// Wire shapes of the Anthropic Messages API (providers.md §2). Responses are read tolerantly: fields may be missing,
// unknown fields and unknown block or event types are ignored (Anthropic's versioning policy allows new ones).

/** @internal */
export interface WireUsage {
  readonly input_tokens?: number | null
  readonly output_tokens?: number | null
  readonly cache_creation_input_tokens?: number | null
  readonly cache_read_input_tokens?: number | null
  readonly output_tokens_details?: { readonly thinking_tokens?: number | null } | null
}

/** A content block of a response: text, tool_use, thinking, redacted_thinking, server tool blocks, ... */
export interface WireBlock {
  readonly type?: string
  readonly text?: string
  readonly id?: string
  readonly name?: string
  readonly input?: unknown
  readonly thinking?: string
  readonly signature?: string
  readonly data?: string
  readonly [key: string]: unknown
}

/** @internal */
export interface WireMessage {
  readonly id?: string
  readonly type?: string
  readonly role?: string
  readonly model?: string
  readonly content?: ReadonlyArray<WireBlock> | null
  readonly stop_reason?: string | null
  readonly stop_sequence?: string | null
  readonly usage?: WireUsage | null
}

/** @internal */
export interface WireDelta {
  readonly type?: string
  readonly text?: string
  readonly partial_json?: string
  readonly thinking?: string
  readonly signature?: string
  readonly stop_reason?: string | null
  readonly stop_sequence?: string | null
}

/** @internal */
export interface WireErrorObject {
  readonly type?: string
  readonly message?: string
  readonly details?: { readonly error_code?: string | null } | null
}

/** One streamed event's data (`type` equals the SSE event name). */
export interface WireEvent {
  readonly type?: string
  readonly message?: WireMessage
  readonly index?: number
  readonly content_block?: WireBlock
  readonly delta?: WireDelta
  readonly usage?: WireUsage | null
  readonly error?: WireErrorObject
}
