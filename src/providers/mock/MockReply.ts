/**
 * What a mock client answers: scripted replies for `Mock` and `MockLlm`.
 *
 * @since 0.1.0
 */
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { FinishReason } from "../../core/FinishReason.js"
import type { LlmError } from "../../core/LlmError.js"
import type { StreamChunk } from "../../core/StreamChunk.js"
import type { Usage } from "../../core/Usage.js"

/**
 * A scripted reply. Build them with the constructors of this module.
 *
 * @since 0.1.0
 */
export type MockReply =
  | {
      readonly _tag: "Text"
      readonly text: string
      readonly reasoning?: string | undefined
      readonly finishReason?: FinishReason | undefined
      readonly usage?: Usage | undefined
    }
  | {
      readonly _tag: "ToolCalls"
      readonly calls: ReadonlyArray<{ readonly id?: string; readonly name: string; readonly arguments: unknown }>
      readonly text?: string | undefined
    }
  | { readonly _tag: "Chunks"; readonly chunks: ReadonlyArray<ChunkInput> }
  | { readonly _tag: "Fail"; readonly error: LlmError }
  | { readonly _tag: "FailAfter"; readonly reply: MockReply; readonly chunks: number; readonly error: LlmError }
  | { readonly _tag: "Echo" }
  | { readonly _tag: "Compute"; readonly reply: (request: ChatRequest) => MockReply }

/**
 * A stream chunk as scripted: `index` is filled in, and `delta` defaults to "".
 *
 * @since 0.1.0
 */
export type ChunkInput = Omit<Partial<StreamChunk>, "index">

/**
 * Answers with this text (streamed word by word).
 *
 * @since 0.1.0
 */
export const text = (
  text: string,
  options: { readonly reasoning?: string; readonly finishReason?: FinishReason; readonly usage?: Usage } = {}
): MockReply => ({ _tag: "Text", text, ...options })

/**
 * Answers with a call to one tool. `args` is an object (serialised to JSON) or JSON text.
 *
 * @since 0.1.0
 */
export const toolCall = (name: string, args: unknown, options: { readonly id?: string } = {}): MockReply => ({
  _tag: "ToolCalls",
  calls: [{ name, arguments: args, ...options }]
})

/**
 * Answers with calls to several tools, optionally after some text.
 *
 * @since 0.1.0
 */
export const toolCalls = (
  calls: ReadonlyArray<{ readonly id?: string; readonly name: string; readonly arguments: unknown }>,
  options: { readonly text?: string } = {}
): MockReply => ({ _tag: "ToolCalls", calls, ...options })

/**
 * Streams exactly these chunks (a non-streaming call gets them folded into one response).
 *
 * @since 0.1.0
 */
export const chunks = (chunks: ReadonlyArray<ChunkInput>): MockReply => ({ _tag: "Chunks", chunks })

/**
 * Fails the call with this error.
 *
 * @since 0.1.0
 */
export const fail = (error: LlmError): MockReply => ({ _tag: "Fail", error })

/**
 * Streams the first `chunks` chunks of `reply`, then fails with `error` (a stream broken mid-way).
 *
 * @since 0.1.0
 */
export const failAfter = (reply: MockReply, chunks: number, error: LlmError): MockReply => ({
  _tag: "FailAfter",
  reply,
  chunks,
  error
})

/**
 * Echoes the last user message (the default when nothing is scripted).
 *
 * @since 0.1.0
 */
export const echo: MockReply = { _tag: "Echo" }

/**
 * Computes the reply from the request.
 *
 * @since 0.1.0
 */
export const compute = (reply: (request: ChatRequest) => MockReply): MockReply => ({ _tag: "Compute", reply })
