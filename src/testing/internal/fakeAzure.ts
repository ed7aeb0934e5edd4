// The Azure dialect of the fake provider: default routes answering in Azure OpenAI's wire format.
//
// Routes (both under /openai/, which is how requests are claimed):
// - POST /openai/deployments/{deployment}/chat/completions?api-version=…  and  …/embeddings?api-version=…
//   Without api-version Azure's gateway answers 404 {"error":{"code":"404","message": "Resource not found"}}.
// - POST /openai/v1/chat/completions and /openai/v1/embeddings (model in the body). A dated api-version there is
//   refused with 400 {"error":{"code":"BadRequest","message":"API version not supported"}}; none, v1 or preview pass.
// - GET /openai/v1/models.
// Shapes follow recorded Azure answers: keys in alphabetical order, a first stream chunk with `choices: []` and
// `prompt_filter_results` (empty id, model and object, created 0), `content_filter_results` on every choice,
// `"usage": null` on every chunk when usage was asked for, then the usage chunk and `data: [DONE]`.
// Determinism: replies echo the last user message like the OpenAI dialect (same token counts, same embeddings);
// ids are chatcmpl-fake-N and apim-request-id 00000000-0000-4000-8000-00000000000N, N the request number.
import type { FakeAzureChatOptions, FakeAzureToolCall } from "../FakeAzure.js"
import type { FakeReply, RecordedRequest } from "../FakeProviderServer.js"
import type { DialectOptions } from "./dialectOptions.js"
import { makeOpenAiDialect, splitText, tokens } from "./fakeOpenAi.js"
import type { FakeDialect } from "./server.js"

type JsonObject = { readonly [key: string]: unknown }

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const SYSTEM_FINGERPRINT = "fp_fake_azure"
const MODEL_CREATED = 1_700_000_000

const safe = { filtered: false, severity: "safe" } as const

/** The verdict on an answer that passed: what Azure puts on each content chunk and non-streamed choice. */
export const passedCompletionFilter = { hate: safe, self_harm: safe, sexual: safe, violence: safe }

/** The verdict on a prompt that passed, as the first stream chunk and non-streamed answers carry it. */
export const promptFilterResults = [
  {
    prompt_index: 0,
    content_filter_results: {
      hate: safe,
      jailbreak: { detected: false, filtered: false },
      self_harm: safe,
      sexual: safe,
      violence: safe
    }
  }
]

/** A blocked answer's verdict: one category filtered. */
export const blockedCompletionFilter = (category: string, severity: string) => ({
  ...passedCompletionFilter,
  [category]: { filtered: true, severity }
})

// ---------------------------------------------------------------------------------------------------------
// Errors

/** Azure's gateway error body: `{"error":{"code","message"}}` (its own 401, 404 and 429 look like this). */
export const gatewayErrorBody = (code: string, message: string) => ({ error: { code, message } })

// The gateway writes these two with a space after "message": — kept byte for byte.
const resourceNotFound = (): FakeReply => ({
  _tag: "Text",
  body: `{"error":{"code":"404","message": "Resource not found"}}`,
  options: { status: 404, contentType: "application/json" }
})

export const INVALID_KEY_MESSAGE =
  "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."

export const INVALID_TOKEN_MESSAGE =
  "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired."

const json = (body: unknown, status?: number): FakeReply => ({
  _tag: "Json",
  body,
  options: status === undefined ? {} : { status }
})

// The backend's errors are OpenAI-shaped.
const invalidRequest = (message: string, param: string | null = null, code: string | null = null): FakeReply =>
  json({ error: { message, type: "invalid_request_error", param, code } }, 400)

const BEARER = /^Bearer\s+(.*)$/i

// Never echoes the key: error messages end up in logs.
const unauthorized = (request: RecordedRequest, apiKey: string): FakeReply | undefined => {
  const key = request.headers["api-key"]
  if (key !== undefined) {
    return key === apiKey ? undefined : json(gatewayErrorBody("401", INVALID_KEY_MESSAGE), 401)
  }
  const authorization = request.headers.authorization
  const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1]?.trim()
  if (token === apiKey) return undefined
  // An Entra token that is missing or wrong: the gateway's flat envelope.
  return {
    _tag: "Text",
    body: `{ "statusCode": 401, "message": "${INVALID_TOKEN_MESSAGE}" }`,
    options: { status: 401, contentType: "application/json" }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Chat completions

export interface AzureChatSpec {
  readonly id: string
  readonly created: number
  readonly model: string
  readonly text: string
  readonly toolCalls: ReadonlyArray<FakeAzureToolCall>
  readonly chunks: number
  readonly includeUsage: boolean
  readonly promptTokens: number
  readonly reasoningTokens: number
  readonly finishReason: string
  /** The category blocked when `finishReason` is `content_filter`. */
  readonly filteredCategory: string
}

export const azureChatSpec = (text: string, options: FakeAzureChatOptions = {}): AzureChatSpec => {
  const toolCalls = options.toolCalls ?? []
  return {
    id: options.id ?? "chatcmpl-fake-0",
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: options.model ?? "gpt-4o-2024-11-20",
    text,
    toolCalls,
    chunks: options.chunks ?? 4,
    includeUsage: options.includeUsage ?? false,
    promptTokens: options.promptTokens ?? tokens(text),
    reasoningTokens: options.reasoningTokens ?? 0,
    finishReason: options.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
    filteredCategory: "violence"
  }
}

const completionTokens = (spec: AzureChatSpec): number =>
  (spec.text.length > 0 ? tokens(spec.text) : 0) +
  spec.toolCalls.reduce((sum, call) => sum + tokens(call.name + call.arguments), 0) +
  spec.reasoningTokens

const usage = (spec: AzureChatSpec) => {
  const completion = completionTokens(spec)
  return {
    completion_tokens: completion,
    completion_tokens_details: {
      accepted_prediction_tokens: 0,
      audio_tokens: 0,
      reasoning_tokens: spec.reasoningTokens,
      rejected_prediction_tokens: 0
    },
    prompt_tokens: spec.promptTokens,
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
    total_tokens: spec.promptTokens + completion
  }
}

const finishFilter = (spec: AzureChatSpec) =>
  spec.finishReason === "content_filter" ? blockedCompletionFilter(spec.filteredCategory, "medium") : {}

/** A non-streamed `chat.completion` in Azure's shape. */
export const azureCompletionBody = (spec: AzureChatSpec) => {
  const filtered = spec.finishReason === "content_filter"
  const message: Record<string, unknown> = {
    annotations: [],
    content: filtered || (spec.toolCalls.length > 0 && spec.text === "") ? null : spec.text,
    refusal: null,
    role: "assistant"
  }
  if (spec.toolCalls.length > 0) {
    message.tool_calls = spec.toolCalls.map((call) => ({
      function: { arguments: call.arguments, name: call.name },
      id: call.id,
      type: "function"
    }))
  }
  return {
    choices: [
      {
        content_filter_results: filtered ? finishFilter(spec) : spec.toolCalls.length > 0 ? {} : passedCompletionFilter,
        finish_reason: spec.finishReason,
        index: 0,
        logprobs: null,
        message
      }
    ],
    created: spec.created,
    id: spec.id,
    model: spec.model,
    object: "chat.completion",
    prompt_filter_results: promptFilterResults,
    system_fingerprint: SYSTEM_FINGERPRINT,
    usage: usage(spec)
  }
}

const frame = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`

/** The first event of every Azure stream: the prompt's verdict and nothing of the answer. */
export const promptFilterFrame = (): string =>
  frame({ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: promptFilterResults })

/**
 * The SSE frames of a streamed answer in Azure's shape: the prompt-filter event, the role delta, content (or tool
 * call) deltas, the finish, the usage chunk when asked for (not after a content-filter block, as recorded), `[DONE]`.
 */
export const azureCompletionFrames = (spec: AzureChatSpec): Array<string> => {
  const chunk = (choices: ReadonlyArray<unknown>, obfuscation: string) => {
    const body: Record<string, unknown> = {
      choices,
      created: spec.created,
      id: spec.id,
      model: spec.model,
      obfuscation,
      object: "chat.completion.chunk",
      system_fingerprint: SYSTEM_FINGERPRINT
    }
    if (spec.includeUsage) body.usage = null
    return frame(body)
  }
  const choice = (contentFilter: unknown, delta: unknown, finishReason: string | null = null) => ({
    content_filter_results: contentFilter,
    delta,
    finish_reason: finishReason,
    index: 0,
    logprobs: null
  })
  const frames: Array<string> = [promptFilterFrame()]
  const [first, ...rest] = spec.toolCalls
  if (first === undefined) {
    frames.push(chunk([choice({}, { content: "", refusal: null, role: "assistant" })], "fkR"))
    for (const piece of splitText(spec.text, spec.chunks)) {
      frames.push(chunk([choice(passedCompletionFilter, { content: piece })], "fkC"))
    }
  } else {
    const start = (call: FakeAzureToolCall, index: number) => ({
      function: { arguments: "", name: call.name },
      id: call.id,
      index,
      type: "function"
    })
    const args = (call: FakeAzureToolCall, index: number) =>
      splitText(call.arguments, Math.max(1, Math.floor(spec.chunks / 2))).map((piece) =>
        chunk([choice({}, { tool_calls: [{ function: { arguments: piece }, index }] })], "fkA")
      )
    frames.push(
      chunk([choice({}, { content: null, refusal: null, role: "assistant", tool_calls: [start(first, 0)] })], "fkT")
    )
    frames.push(...args(first, 0))
    rest.forEach((call, i) => {
      frames.push(chunk([choice({}, { tool_calls: [start(call, i + 1)] })], "fkT"))
      frames.push(...args(call, i + 1))
    })
  }
  frames.push(chunk([choice(finishFilter(spec), {}, spec.finishReason)], "fkF"))
  if (spec.includeUsage && spec.finishReason !== "content_filter") {
    frames.push(
      frame({
        choices: [],
        created: spec.created,
        id: spec.id,
        model: spec.model,
        obfuscation: "",
        object: "chat.completion.chunk",
        system_fingerprint: SYSTEM_FINGERPRINT,
        usage: usage(spec)
      })
    )
  }
  frames.push("data: [DONE]\n\n")
  return frames
}

const contentText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  let text = ""
  for (const part of content) {
    if (isObject(part) && part.type === "text" && typeof part.text === "string") text += part.text
  }
  return text
}

const chatCompletions = (body: JsonObject, model: string, sequence: number, options: DialectOptions): FakeReply => {
  const messages = body.messages
  if (messages === undefined) {
    return invalidRequest("Missing required parameter: 'messages'.", "messages", "missing_required_parameter")
  }
  if (!Array.isArray(messages) || !messages.every(isObject) || messages.length === 0) {
    return invalidRequest("Invalid 'messages': expected a non-empty array of objects.", "messages", "invalid_value")
  }
  let prompt = ""
  let reply = ""
  for (const message of messages) {
    const text = contentText(message.content)
    prompt += text
    if (message.role === "user") reply = text
  }
  const streamOptions = body.stream_options
  const spec: AzureChatSpec = {
    id: `chatcmpl-fake-${sequence}`,
    created: Math.floor(Date.now() / 1000),
    model,
    text: reply,
    toolCalls: [],
    chunks: options.streamChunks,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
    promptTokens: tokens(prompt),
    reasoningTokens: 0,
    finishReason: "stop",
    filteredCategory: "violence"
  }
  if (body.stream === true) return { _tag: "Stream", frames: azureCompletionFrames(spec), options: {} }
  return json(azureCompletionBody(spec))
}

// ---------------------------------------------------------------------------------------------------------
// Embeddings: the OpenAI dialect's deterministic vectors, keys in Azure's order.

const toAzureEmbeddings = (reply: FakeReply): FakeReply => {
  if (reply._tag !== "Json" || !isObject(reply.body) || !Array.isArray(reply.body.data)) return reply
  const { data, model, usage: used } = reply.body
  return {
    ...reply,
    body: {
      data: data.map((item: unknown) =>
        isObject(item) ? { embedding: item.embedding, index: item.index, object: "embedding" } : item
      ),
      model,
      object: "list",
      usage: used
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Routing

const DEPLOYMENT_ROUTE = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/
const DATED_VERSION = /^\d{4}-\d{2}-\d{2}/

export const apimRequestId = (sequence: number): string =>
  `00000000-0000-4000-8000-${String(sequence).padStart(12, "0")}`

const invalidJson =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"

export const makeAzureDialect = (options: DialectOptions): FakeDialect => {
  // Embeddings are delegated to the OpenAI dialect after the Azure checks; it must not check keys itself.
  const openAi = makeOpenAiDialect({ ...options, apiKey: undefined })
  const modelsBody = {
    data: options.models.map((id) => ({ created_at: MODEL_CREATED, id, object: "model", status: "succeeded" })),
    object: "list"
  }
  const answer = (
    request: RecordedRequest,
    sequence: number,
    operation: string,
    model: string | undefined
  ): FakeReply => {
    if (!isObject(request.body)) return invalidRequest(invalidJson)
    const body = request.body
    const named = model ?? (typeof body.model === "string" && body.model.length > 0 ? body.model : undefined)
    if (named === undefined) return invalidRequest("you must provide a model parameter")
    if (operation === "embeddings") {
      return toAzureEmbeddings(
        openAi.route({ ...request, path: "/v1/embeddings", body: { ...body, model: named } }, sequence)
      )
    }
    return chatCompletions(body, named, sequence, options)
  }
  return {
    handles: (request) => request.path.startsWith("/openai/"),
    responseHeaders: (sequence) => ({
      "apim-request-id": apimRequestId(sequence),
      "x-request-id": `req_fake_azure_${sequence}`,
      "x-ms-region": "Sweden Central",
      "x-ratelimit-remaining-requests": "99",
      "x-ratelimit-remaining-tokens": "99000"
    }),
    route: (request, sequence) => {
      if (options.apiKey !== undefined) {
        const denied = unauthorized(request, options.apiKey)
        if (denied !== undefined) return denied
      }
      const queryAt = request.path.indexOf("?")
      const pathname = queryAt === -1 ? request.path : request.path.slice(0, queryAt)
      const params = new URLSearchParams(queryAt === -1 ? "" : request.path.slice(queryAt + 1))
      const apiVersion = params.get("api-version")
      const deployment = DEPLOYMENT_ROUTE.exec(pathname)
      if (deployment !== null && request.method === "POST") {
        if (apiVersion === null || apiVersion === "") return resourceNotFound()
        const operation = deployment[2] === "embeddings" ? "embeddings" : "chat"
        return answer(request, sequence, operation, decodeURIComponent(deployment[1] ?? ""))
      }
      if (pathname.startsWith("/openai/v1/")) {
        if (apiVersion !== null && DATED_VERSION.test(apiVersion)) {
          return json(gatewayErrorBody("BadRequest", "API version not supported"), 400)
        }
        if (request.method === "POST" && pathname === "/openai/v1/chat/completions") {
          return answer(request, sequence, "chat", undefined)
        }
        if (request.method === "POST" && pathname === "/openai/v1/embeddings") {
          return answer(request, sequence, "embeddings", undefined)
        }
        if (request.method === "GET" && pathname === "/openai/v1/models") return json(modelsBody)
      }
      return resourceNotFound()
    }
  }
}
