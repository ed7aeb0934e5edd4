import * as Either from "effect/Either"
import type { ChatRequest } from "../../../core/ChatRequest.js"
import { InvalidRequestError, type LlmError, UnsupportedError } from "../../../core/LlmError.js"
import type { AssistantMessage, ContentPart, Message } from "../../../core/Message.js"
import type { ToolDefinition } from "../../../core/Tool.js"
import { adaptiveEfforts, defaultMaxTokens, maxOutputTokens, thinkingBudgets, thinksAdaptively } from "./models.js"

type WireBody = Record<string, unknown>
type Block = Record<string, unknown>

/** The Anthropic API version every request is sent with (header `anthropic-version`). */
export const API_VERSION = "2023-06-01"

/**
 * A request ready to send, and what reading its answer needs to know.
 *
 * @internal
 */
export interface PreparedRequest {
  readonly body: WireBody
  /** The tool that carries a structured answer (`responseFormat` json or json_schema): its input is the content. */
  readonly responseTool: string | undefined
}

/** @internal */
export interface RequestSettings {
  readonly provider: string
  /** `max_tokens` for requests that set none, in place of the per-model table. */
  readonly defaultMaxTokens?: number | undefined
}

class RequestProblem {
  constructor(readonly error: LlmError) {}
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// ---------------------------------------------------------------------------------------------------------
// Messages

const DATA_URI = /^data:([^;,]+);base64,(.*)$/is

const convertPart = (part: ContentPart): Block => {
  if (part.type === "text") return { type: "text", text: part.text }
  if ("data" in part) return { type: "image", source: { type: "base64", media_type: part.mimeType, data: part.data } }
  const inline = DATA_URI.exec(part.url)
  if (inline !== null) {
    return { type: "image", source: { type: "base64", media_type: inline[1], data: inline[2] } }
  }
  return { type: "image", source: { type: "url", url: part.url } }
}

/** The vendor blocks an earlier answer carried (thinking, redacted_thinking, server tools), with their positions. */
export interface PreservedBlock {
  readonly index: number
  readonly block: Readonly<Record<string, unknown>>
}

const preservedBlocksOf = (message: AssistantMessage, provider: string): ReadonlyArray<PreservedBlock> => {
  const metadata = message.providerMetadata?.[provider]
  if (!isObject(metadata) || !Array.isArray(metadata.blocks)) return []
  const out: Array<PreservedBlock> = []
  for (const entry of metadata.blocks as ReadonlyArray<unknown>) {
    if (isObject(entry) && typeof entry.index === "number" && isObject(entry.block)) {
      out.push({ index: entry.index, block: entry.block })
    }
  }
  return out.sort((a, b) => a.index - b.index)
}

const toolInput = (text: string, where: string, provider: string, model: string): Record<string, unknown> => {
  if (text.trim() === "") return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new RequestProblem(
      new InvalidRequestError({
        message: `${provider}: ${where} is not valid JSON (${(cause as Error).message}); Anthropic takes tool input as an object`,
        provider,
        model,
        param: where
      })
    )
  }
  if (!isObject(parsed)) {
    throw new RequestProblem(
      new InvalidRequestError({
        message: `${provider}: ${where} must be a JSON object; Anthropic takes tool input as an object`,
        provider,
        model,
        param: where
      })
    )
  }
  return parsed
}

// The assistant turn as it was generated: text and tool_use blocks, with the preserved vendor blocks (thinking with
// its signature, redacted_thinking, server tool blocks) put back at the positions they had, unchanged.
const assistantBlocks = (message: AssistantMessage, i: number, provider: string, model: string): Array<Block> => {
  const blocks: Array<Block> = []
  if (typeof message.content === "string" && message.content !== "")
    blocks.push({ type: "text", text: message.content })
  message.toolCalls?.forEach((call, j) => {
    const input = toolInput(call.arguments, `messages[${i}].toolCalls[${j}].arguments`, provider, model)
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input })
  })
  for (const preserved of preservedBlocksOf(message, provider)) {
    blocks.splice(Math.min(Math.max(0, preserved.index), blocks.length), 0, { ...preserved.block })
  }
  return blocks
}

interface Turn {
  readonly role: "user" | "assistant"
  blocks: Array<Block>
  /** The content as one string, while the turn is one plain user message. */
  text: string | undefined
}

/**
 * Converts the conversation: system messages are lifted out and joined, tool results become `tool_result` blocks
 * of a user turn (first in it), and consecutive turns of one role are merged, since Anthropic requires user and
 * assistant to alternate.
 *
 * @internal
 */
export const convertMessages = (
  messages: ReadonlyArray<Message>,
  provider: string,
  model: string
): { readonly system: string | undefined; readonly messages: Array<WireBody> } => {
  const system: Array<string> = []
  const turns: Array<Turn> = []
  const push = (role: Turn["role"], blocks: Array<Block>, text: string | undefined): void => {
    const last = turns[turns.length - 1]
    if (last !== undefined && last.role === role) {
      last.blocks.push(...blocks)
      last.text = undefined
    } else {
      turns.push({ role, blocks, text })
    }
  }
  messages.forEach((message, i) => {
    switch (message.role) {
      case "system":
        system.push(message.content)
        break
      case "user":
        if (typeof message.content === "string") {
          push("user", [{ type: "text", text: message.content }], message.content)
        } else {
          push("user", message.content.map(convertPart), undefined)
        }
        break
      case "assistant":
        push("assistant", assistantBlocks(message, i, provider, model), undefined)
        break
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: message.toolCallId, content: message.content }], undefined)
        break
    }
  })
  const out = turns.map((turn): WireBody => {
    if (turn.text !== undefined) return { role: turn.role, content: turn.text }
    // Anthropic wants the tool results first in the user turn that answers the calls.
    const blocks =
      turn.role === "user"
        ? [
            ...turn.blocks.filter((block) => block.type === "tool_result"),
            ...turn.blocks.filter((block) => block.type !== "tool_result")
          ]
        : turn.blocks
    return { role: turn.role, content: blocks }
  })
  return { system: system.length === 0 ? undefined : system.join("\n\n"), messages: out }
}

// ---------------------------------------------------------------------------------------------------------
// Tools and structured output

const convertTool = (tool: ToolDefinition): Block => {
  const wire: Block = { name: tool.name, input_schema: tool.parameters ?? { type: "object", properties: {} } }
  if (tool.description !== undefined) wire.description = tool.description
  if (tool.strict !== undefined) wire.strict = tool.strict
  return wire
}

const responseToolOf = (format: NonNullable<ChatRequest["responseFormat"]>): Block | undefined => {
  switch (format.type) {
    case "text":
      return undefined
    case "json":
      return {
        name: "json",
        description: "Answer with a JSON object: the input of this tool is the answer.",
        input_schema: { type: "object", additionalProperties: true }
      }
    case "json_schema": {
      const tool: Block = {
        name: format.name,
        description:
          format.description ??
          `Answer with a JSON object following the ${format.name} schema: the input is the answer.`,
        input_schema: format.schema
      }
      if (format.strict !== undefined) tool.strict = format.strict
      return tool
    }
  }
}

const convertToolChoice = (choice: NonNullable<ChatRequest["toolChoice"]>): Block => {
  if (choice === "auto") return { type: "auto" }
  if (choice === "none") return { type: "none" }
  if (choice === "required") return { type: "any" }
  return { type: "tool", name: choice.name }
}

// ---------------------------------------------------------------------------------------------------------
// Thinking

interface Thinking {
  readonly thinking: unknown
  readonly effort: string | undefined
  /** `budget_tokens` when thinking is enabled with a budget. */
  readonly budget: number | undefined
  readonly on: boolean
}

const thinkingOf = (request: ChatRequest, extra: Record<string, unknown>): Thinking | undefined => {
  if (extra.thinking !== undefined) {
    const thinking = extra.thinking
    const type = isObject(thinking) ? thinking.type : undefined
    const budget = isObject(thinking) && typeof thinking.budget_tokens === "number" ? thinking.budget_tokens : undefined
    return {
      thinking,
      effort: undefined,
      budget: type === "enabled" ? budget : undefined,
      on: type === "enabled" || type === "adaptive"
    }
  }
  const effort = request.reasoningEffort
  if (effort === undefined || effort === "none") return undefined
  if (thinksAdaptively(request.model)) {
    return { thinking: { type: "adaptive" }, effort: adaptiveEfforts[effort], budget: undefined, on: true }
  }
  const budget = thinkingBudgets[effort]
  return { thinking: { type: "enabled", budget_tokens: budget }, effort: undefined, budget, on: true }
}

// ---------------------------------------------------------------------------------------------------------
// The body

const invalid = (settings: RequestSettings, model: string, param: string, message: string): RequestProblem =>
  new RequestProblem(
    new InvalidRequestError({ message: `${settings.provider}: ${message}`, provider: settings.provider, model, param })
  )

const unsupported = (settings: RequestSettings, model: string, feature: string): RequestProblem =>
  new RequestProblem(
    new UnsupportedError({
      message: `${settings.provider}: the Messages API has no ${feature}`,
      provider: settings.provider,
      model,
      feature
    })
  )

const build = (request: ChatRequest, settings: RequestSettings, stream: boolean): PreparedRequest => {
  const { model } = request
  if (request.temperature !== undefined && request.temperature > 1) {
    throw invalid(settings, model, "temperature", `temperature must be from 0 to 1, got ${request.temperature}`)
  }
  if (request.frequencyPenalty !== undefined) throw unsupported(settings, model, "frequencyPenalty")
  if (request.presencePenalty !== undefined) throw unsupported(settings, model, "presencePenalty")
  if (request.seed !== undefined) throw unsupported(settings, model, "seed")

  const extra = request.providerOptions?.[settings.provider] ?? {}
  const converted = convertMessages(request.messages, settings.provider, model)
  const thinking = thinkingOf(request, extra)

  // max_tokens is required. With a thinking budget it holds the budget on top of the answer's tokens, within the
  // model's maximum output.
  const answerTokens = request.maxTokens ?? settings.defaultMaxTokens ?? defaultMaxTokens(model)
  let maxTokens = answerTokens
  if (thinking?.budget !== undefined) {
    const ceiling = maxOutputTokens(model)
    maxTokens = answerTokens + thinking.budget
    if (ceiling !== undefined && maxTokens > ceiling) maxTokens = Math.max(ceiling, thinking.budget + 1)
  }

  const body: WireBody = { model, max_tokens: maxTokens, messages: converted.messages }
  if (converted.system !== undefined) body.system = converted.system

  const userTools = request.tools ?? []
  const responseTool = request.responseFormat === undefined ? undefined : responseToolOf(request.responseFormat)
  const disableParallel = request.parallelToolCalls === false
  if (responseTool !== undefined) {
    const name = responseTool.name as string
    if (thinking?.on === true) {
      throw invalid(
        settings,
        model,
        "responseFormat",
        `responseFormat ${request.responseFormat?.type} is answered through a forced tool, and Anthropic refuses forced tool use while thinking is on; drop reasoningEffort/thinking, or ask for native structured output with providerOptions.${settings.provider}.output_config`
      )
    }
    if (userTools.some((tool) => tool.name === name)) {
      throw invalid(
        settings,
        model,
        "responseFormat.name",
        `responseFormat is answered through a tool named "${name}", which is also one of the tools; rename one`
      )
    }
    const offered = request.toolChoice === "none" ? [] : userTools
    body.tools = [...offered.map(convertTool), responseTool]
    const choice: Block =
      offered.length === 0
        ? { type: "tool", name }
        : typeof request.toolChoice === "object"
          ? { type: "tool", name: request.toolChoice.name }
          : { type: "any" }
    if (disableParallel) choice.disable_parallel_tool_use = true
    body.tool_choice = choice
  } else if (userTools.length > 0) {
    body.tools = userTools.map(convertTool)
    if (request.toolChoice !== undefined) {
      const choice = convertToolChoice(request.toolChoice)
      if (disableParallel && choice.type !== "none") choice.disable_parallel_tool_use = true
      body.tool_choice = choice
    } else if (disableParallel) {
      body.tool_choice = { type: "auto", disable_parallel_tool_use: true }
    }
  }

  if (thinking !== undefined) {
    body.thinking = thinking.thinking
    if (thinking.effort !== undefined) body.output_config = { effort: thinking.effort }
  }
  if (request.temperature !== undefined) body.temperature = request.temperature
  if (request.topP !== undefined) body.top_p = request.topP
  if (request.stop !== undefined) {
    body.stop_sequences = typeof request.stop === "string" ? [request.stop] : request.stop
  }
  if (request.user !== undefined) body.metadata = { user_id: request.user }
  if (stream) body.stream = true
  Object.assign(body, extra)
  return { body, responseTool: responseTool === undefined ? undefined : (responseTool.name as string) }
}

/**
 * Builds the body of `POST /v1/messages`, or the error that stops the request before the network (a temperature
 * above 1, a field Anthropic has no equivalent of, tool arguments that are not a JSON object). The provider's
 * `providerOptions` entry is merged last, so it can add or override any field.
 *
 * @internal
 */
export const prepareRequest = (
  request: ChatRequest,
  settings: RequestSettings,
  stream: boolean
): Either.Either<PreparedRequest, LlmError> => {
  try {
    return Either.right(build(request, settings, stream))
  } catch (problem) {
    if (problem instanceof RequestProblem) return Either.left(problem.error)
    throw problem
  }
}
