import type { ChatRequest } from "../../../core/ChatRequest.js"
import type { EmbeddingRequest } from "../../../core/Embedding.js"
import { InvalidRequestError, type LlmError, UnsupportedError } from "../../../core/LlmError.js"
import type { Message } from "../../../core/Message.js"
import { convertMessages } from "../../openai/internal/convertRequest.js"
import type { Dialect } from "../../openai/internal/dialect.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const PROVIDER = "zhipu"

const unsupported = (request: ChatRequest, feature: string, message: string): UnsupportedError =>
  new UnsupportedError({ message: `${PROVIDER}: ${message}`, provider: PROVIDER, model: request.model, feature })

const zhipuOptions = (request: { readonly providerOptions?: ChatRequest["providerOptions"] }) =>
  request.providerOptions?.[PROVIDER]

/**
 * Whether the request asks for preserved thinking (`thinking.clear_thinking: false` in `providerOptions.zhipu`), in
 * which case the reasoning of every earlier assistant turn must go back.
 *
 * @internal
 */
export const preservesThinking = (request: ChatRequest): boolean => {
  const thinking = zhipuOptions(request)?.thinking
  return (
    typeof thinking === "object" &&
    thinking !== null &&
    (thinking as { readonly clear_thinking?: unknown }).clear_thinking === false
  )
}

// GLM-4V and later take images as OpenAI-style `image_url` parts, but inline images as bare base64: both official
// SDKs (zhipuai, zai-sdk) strip the `data:<mime>;base64,` prefix before sending. `detail` is not in Zhipu's schema.
const needsOwnImageParts = (messages: ReadonlyArray<Message>): boolean =>
  messages.some(
    (message) =>
      message.role === "user" &&
      typeof message.content !== "string" &&
      message.content.some(
        (part) => part.type === "image" && ("data" in part || part.detail !== undefined || /^data:/i.test(part.url))
      )
  )

const bareBase64 = (url: string): string => {
  if (!/^data:/i.test(url)) return url
  const comma = url.indexOf("base64,")
  return comma === -1 ? url : url.slice(comma + "base64,".length)
}

const zhipuImagePart = (part: unknown): unknown => {
  if (typeof part !== "object" || part === null) return part
  const wire = part as { readonly type?: unknown; readonly image_url?: { readonly url?: unknown } }
  if (wire.type !== "image_url" || typeof wire.image_url?.url !== "string") return part
  return { type: "image_url", image_url: { url: bareBase64(wire.image_url.url) } }
}

const zhipuMessages = (request: ChatRequest, dialect: Dialect): Array<Record<string, unknown>> =>
  convertMessages(request.messages, dialect, request.model).map((wire) =>
    Array.isArray(wire.content) ? { ...wire, content: wire.content.map(zhipuImagePart) } : wire
  )

/**
 * Adapts a validated request to what Zhipu's `/chat/completions` takes, or fails before the network with what it
 * cannot do:
 * - `toolChoice`: only `auto` exists; `none` is kept by not offering the tools, `required` and a named tool fail
 *   with `UnsupportedError` rather than being sent and ignored;
 * - `responseFormat` `json_schema` fails with `UnsupportedError` (Zhipu has `text` and `json_object` only);
 * - `reasoningEffort` becomes `thinking: { type: "disabled" }` for `none`, `{ type: "enabled" }` otherwise;
 * - `user` becomes `user_id`; `parallelToolCalls` and the frequency and presence penalties, which Zhipu does not
 *   have, are left out;
 * - inline images go out as bare base64.
 * What the caller put in `providerOptions.zhipu` wins over all of these.
 *
 * @internal
 */
export const adaptChatRequest = (request: ChatRequest, dialect: Dialect): ChatRequest | LlmError => {
  const choice = request.toolChoice
  if (choice === "required" || (typeof choice === "object" && choice !== null)) {
    const asked = choice === "required" ? `"required"` : `the named tool "${choice.name}"`
    return unsupported(request, "toolChoice", `tool_choice ${asked} is not supported: Zhipu only takes "auto"`)
  }
  if (request.responseFormat?.type === "json_schema") {
    return unsupported(
      request,
      "jsonSchema",
      `responseFormat json_schema is not supported: Zhipu takes "text" or "json" (json_object)`
    )
  }
  const {
    reasoningEffort,
    user,
    parallelToolCalls: _parallelToolCalls,
    frequencyPenalty: _frequencyPenalty,
    presencePenalty: _presencePenalty,
    ...rest
  } = request
  const adapted: Mutable<ChatRequest> = { ...rest }
  if (choice === "none") {
    delete adapted.tools
    delete adapted.toolChoice
  }
  const extra: Record<string, unknown> = {}
  if (reasoningEffort !== undefined) extra.thinking = { type: reasoningEffort === "none" ? "disabled" : "enabled" }
  if (user !== undefined) extra.user_id = user
  if (needsOwnImageParts(request.messages)) extra.messages = zhipuMessages(request, dialect)
  if (Object.keys(extra).length > 0) {
    adapted.providerOptions = { ...request.providerOptions, [PROVIDER]: { ...extra, ...zhipuOptions(request) } }
  }
  return adapted
}

const embeddingDimensions: Readonly<Record<string, ReadonlyArray<number>>> = {
  "embedding-3": [256, 512, 1024, 2048],
  "embedding-2": [1024]
}

/**
 * Refuses `dimensions` the model does not offer (embedding-3: 256, 512, 1024 or 2048; embedding-2: 1024 only)
 * before the network; other models are left to the server.
 *
 * @internal
 */
export const checkEmbeddingRequest = (request: EmbeddingRequest): LlmError | undefined => {
  const allowed = embeddingDimensions[request.model]
  if (request.dimensions === undefined || allowed === undefined || allowed.includes(request.dimensions)) {
    return undefined
  }
  return new InvalidRequestError({
    message: `${PROVIDER}: ${request.model} takes dimensions ${allowed.join(", ")}, not ${request.dimensions}`,
    provider: PROVIDER,
    model: request.model,
    param: "dimensions"
  })
}
