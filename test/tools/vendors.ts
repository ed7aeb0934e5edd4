// Scripted model turns for the tool-loop and structured-output tests, in the wire format of OpenAI, Anthropic and
// Gemini, served by the fake provider server over real HTTP. Each reply answers streamed or not, as the request
// asked; each vendor also reads back, from a recorded request, the tool results the SDK sent in its own format.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { LlmClientService } from "../../src/core/LlmClient.js"
import * as Anthropic from "../../src/providers/anthropic/Anthropic.js"
import * as Gemini from "../../src/providers/gemini/Gemini.js"
import * as Ollama from "../../src/providers/ollama/Ollama.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import * as Zhipu from "../../src/providers/zhipu/Zhipu.js"
import { FakeAnthropic } from "../../src/testing/FakeAnthropic.js"
import { FakeGemini } from "../../src/testing/FakeGemini.js"
import { FakeOllama } from "../../src/testing/FakeOllama.js"
import { FakeProviderServer, FakeReply, type RecordedRequest } from "../../src/testing/FakeProviderServer.js"
import { FakeZhipu } from "../../src/testing/FakeZhipu.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

export interface ScriptedCall {
  readonly id: string
  readonly name: string
  /** An object, sent as the call's arguments; a string is sent verbatim (to script malformed arguments). */
  readonly input: Readonly<Record<string, unknown>> | string
  /** How a stream splits the arguments (default: in two). */
  readonly pieces?: ReadonlyArray<string>
}

export interface ScriptedTurn {
  readonly text?: string
  /** How a stream splits the text (default: in three); OpenAI and Anthropic only. */
  readonly textPieces?: ReadonlyArray<string>
  /** OpenAI's refusal field. */
  readonly refusal?: string
  readonly toolCalls?: ReadonlyArray<ScriptedCall>
  readonly inputTokens?: number
  readonly outputTokens?: number
}

/** A tool result as the vendor's wire format carries it. */
export interface WireToolResult {
  readonly id: string
  /** OpenAI and Anthropic: the content string; Gemini: the `functionResponse.response` object. */
  readonly value: unknown
}

export interface Vendor {
  readonly name: "openai" | "anthropic" | "gemini" | "zhipu" | "ollama"
  readonly model: string
  readonly start: () => Effect.Effect<
    { readonly server: FakeProviderServer; readonly llm: LlmClientService },
    never,
    Scope.Scope
  >
  /** Answers one request with the turn, as a stream when the request asked for one. */
  readonly reply: (turn: ScriptedTurn) => FakeReply
  /** The tool results a request sent back, in wire order. */
  readonly toolResults: (request: RecordedRequest) => ReadonlyArray<WireToolResult>
  /** How a tool message's content looks on this vendor's wire. */
  readonly wireValue: (content: string) => unknown
  readonly isStream: (request: RecordedRequest) => boolean
}

type Json = Record<string, unknown>

const bodyOf = (request: RecordedRequest): Json => request.body as Json

const argumentsText = (call: ScriptedCall): string =>
  typeof call.input === "string" ? call.input : JSON.stringify(call.input)

/** Splits text into `count` pieces (some may be empty when the text is short). */
const pieces = (text: string, count: number): Array<string> => {
  const size = Math.ceil(text.length / count)
  return Array.from({ length: count }, (_, i) => text.slice(i * size, (i + 1) * size)).filter((piece) => piece !== "")
}

const withTransport = <A, E>(make: Effect.Effect<A, E, HttpClient.HttpClient>) =>
  Effect.gen(function* () {
    const transport = yield* Layer.build(HttpTransport.layer)
    return yield* Effect.provide(make, transport)
  })

// ---------------------------------------------------------------------------------------------------------
// OpenAI

const openAiUsage = (turn: ScriptedTurn) => {
  const prompt = turn.inputTokens ?? 10
  const completion = turn.outputTokens ?? 5
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

const openAiBody = (turn: ScriptedTurn, model: string) => {
  const calls = turn.toolCalls ?? []
  const message: Json = {
    role: "assistant",
    content: turn.text ?? (calls.length > 0 || turn.refusal !== undefined ? null : "")
  }
  if (turn.refusal !== undefined) message.refusal = turn.refusal
  if (calls.length > 0) {
    message.tool_calls = calls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: argumentsText(call) }
    }))
  }
  return {
    id: "chatcmpl-scripted",
    object: "chat.completion",
    created: 1_754_870_000,
    model,
    choices: [{ index: 0, message, finish_reason: calls.length > 0 ? "tool_calls" : "stop" }],
    usage: openAiUsage(turn)
  }
}

const openAiFrames = (turn: ScriptedTurn, model: string): Array<string> => {
  const head = { id: "chatcmpl-scripted", object: "chat.completion.chunk", created: 1_754_870_000, model }
  const frame = (choices: Array<unknown>, extra: Json = {}) =>
    `data: ${JSON.stringify({ ...head, choices, ...extra })}\n\n`
  const delta = (value: Json, finish: string | null = null) => [{ index: 0, delta: value, finish_reason: finish }]
  const frames = [frame(delta({ role: "assistant", content: "" }))]
  for (const piece of turn.textPieces ?? pieces(turn.text ?? "", 3)) frames.push(frame(delta({ content: piece })))
  const calls = turn.toolCalls ?? []
  calls.forEach((call, index) => {
    frames.push(
      frame(
        delta({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] })
      )
    )
    for (const piece of call.pieces ?? pieces(argumentsText(call), 2)) {
      frames.push(frame(delta({ tool_calls: [{ index, function: { arguments: piece } }] })))
    }
  })
  frames.push(frame(delta({}, calls.length > 0 ? "tool_calls" : "stop")))
  frames.push(frame([], { usage: openAiUsage(turn) }))
  frames.push("data: [DONE]\n\n")
  return frames
}

export const openai: Vendor = {
  name: "openai",
  model: "gpt-4o-mini",
  start: () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* withTransport(OpenAi.make({ apiKey: "sk-test-tools", baseUrl: `${server.url}/v1` }))
      return { server, llm }
    }),
  reply: (turn) =>
    FakeReply.handler((request) =>
      bodyOf(request).stream === true
        ? FakeReply.stream(openAiFrames(turn, "gpt-4o-mini"))
        : FakeReply.json(openAiBody(turn, "gpt-4o-mini"))
    ),
  toolResults: (request) =>
    (bodyOf(request).messages as Array<Json>)
      .filter((message) => message.role === "tool")
      .map((message) => ({ id: message.tool_call_id as string, value: message.content })),
  wireValue: (content) => content,
  isStream: (request) => bodyOf(request).stream === true
}

// ---------------------------------------------------------------------------------------------------------
// Anthropic

const anthropicBlocks = (turn: ScriptedTurn): Array<Json> => {
  const blocks: Array<Json> = []
  if (turn.text !== undefined && turn.text !== "")
    blocks.push({ type: "text", text: turn.text, pieces: turn.textPieces })
  for (const call of turn.toolCalls ?? []) {
    blocks.push({
      type: "tool_use",
      id: call.id,
      name: call.name,
      input: typeof call.input === "string" ? JSON.parse(call.input) : call.input,
      pieces: call.pieces
    })
  }
  return blocks
}

// The blocks of a whole message, without the stream splits.
const wireBlocks = (turn: ScriptedTurn): Array<Json> =>
  anthropicBlocks(turn).map(({ pieces: _pieces, ...block }) => block)

const anthropicStop = (turn: ScriptedTurn): string => ((turn.toolCalls ?? []).length > 0 ? "tool_use" : "end_turn")

const anthropicEvents = (turn: ScriptedTurn, model: string): ReadonlyArray<string> => {
  const events: Array<{ readonly type: string } & Json> = [
    {
      type: "message_start",
      message: {
        id: "msg_scripted",
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: turn.inputTokens ?? 10, output_tokens: 1 }
      }
    }
  ]
  anthropicBlocks(turn).forEach((block, index) => {
    if (block.type === "text") {
      events.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } })
      for (const piece of (block.pieces as Array<string> | undefined) ?? pieces(block.text as string, 3)) {
        events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: piece } })
      }
    } else {
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: block.id, name: block.name, input: {} }
      })
      for (const piece of (block.pieces as Array<string> | undefined) ?? pieces(JSON.stringify(block.input), 2)) {
        events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } })
      }
    }
    events.push({ type: "content_block_stop", index })
  })
  events.push(
    {
      type: "message_delta",
      delta: { stop_reason: anthropicStop(turn), stop_sequence: null },
      usage: { output_tokens: turn.outputTokens ?? 5 }
    },
    { type: "message_stop" }
  )
  return FakeAnthropic.events(events)
}

export const anthropic: Vendor = {
  name: "anthropic",
  model: "claude-sonnet-4-5-20250929",
  start: () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* withTransport(Anthropic.make({ apiKey: "sk-ant-test-tools", baseUrl: server.url }))
      return { server, llm }
    }),
  reply: (turn) =>
    FakeReply.handler((request) => {
      const model = bodyOf(request).model as string
      if (bodyOf(request).stream === true) return FakeReply.stream(anthropicEvents(turn, model))
      return FakeReply.json({
        id: "msg_scripted",
        type: "message",
        role: "assistant",
        model,
        content: wireBlocks(turn),
        stop_reason: anthropicStop(turn),
        stop_sequence: null,
        usage: { input_tokens: turn.inputTokens ?? 10, output_tokens: turn.outputTokens ?? 5 }
      })
    }),
  toolResults: (request) => {
    const out: Array<WireToolResult> = []
    for (const message of bodyOf(request).messages as Array<Json>) {
      if (message.role !== "user" || !Array.isArray(message.content)) continue
      for (const block of message.content as Array<Json>) {
        if (block.type === "tool_result") out.push({ id: block.tool_use_id as string, value: block.content })
      }
    }
    return out
  },
  wireValue: (content) => content,
  isStream: (request) => bodyOf(request).stream === true
}

// ---------------------------------------------------------------------------------------------------------
// Gemini

const geminiCalls = (turn: ScriptedTurn) =>
  (turn.toolCalls ?? []).map((call) => ({
    id: call.id,
    name: call.name,
    args: typeof call.input === "string" ? (JSON.parse(call.input) as Json) : call.input
  }))

export const gemini: Vendor = {
  name: "gemini",
  model: "gemini-2.5-flash",
  start: () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* withTransport(
        Gemini.make({ apiKey: "AIzaSyTEST-tools-0123456789abcdefghij", baseUrl: `${server.url}/v1beta` })
      )
      return { server, llm }
    }),
  reply: (turn) =>
    FakeReply.handler((request) => {
      const options = { functionCalls: geminiCalls(turn), chunks: 3 }
      if (request.path.includes(":streamGenerateContent")) {
        return FakeReply.stream(FakeGemini.streamFrames(turn.text ?? "", options), {
          contentType: "text/event-stream"
        })
      }
      return FakeReply.json(FakeGemini.response(turn.text ?? "", options))
    }),
  toolResults: (request) => {
    const out: Array<WireToolResult> = []
    for (const content of bodyOf(request).contents as Array<Json>) {
      if (content.role !== "user") continue
      for (const part of content.parts as Array<Json>) {
        const response = part.functionResponse as Json | undefined
        if (response !== undefined) out.push({ id: response.id as string, value: response.response })
      }
    }
    return out
  },
  wireValue: (content) => {
    try {
      const parsed: unknown = JSON.parse(content)
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed
    } catch {
      // plain text
    }
    return { output: content }
  },
  isStream: (request) => request.path.includes(":streamGenerateContent")
}

// ---------------------------------------------------------------------------------------------------------
// Zhipu and Ollama, through their fake-server builders

const openAiStyleResults = (request: RecordedRequest): ReadonlyArray<WireToolResult> =>
  (bodyOf(request).messages as Array<Json>)
    .filter((message) => message.role === "tool")
    .map((message) => ({ id: message.tool_call_id as string, value: message.content }))

export const zhipu: Vendor = {
  name: "zhipu",
  model: "glm-4.6",
  start: () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* withTransport(Zhipu.make({ apiKey: "zhipu-test.tools", baseUrl: `${server.url}/api/paas/v4` }))
      return { server, llm }
    }),
  reply: (turn) =>
    FakeReply.handler((request) => {
      const options = {
        toolCalls: (turn.toolCalls ?? []).map((call) => ({
          id: call.id,
          name: call.name,
          arguments: argumentsText(call)
        })),
        chunks: 3,
        toolStream: true
      }
      return bodyOf(request).stream === true
        ? FakeReply.stream(FakeZhipu.chatCompletionChunks(turn.text ?? "", options))
        : FakeReply.json(FakeZhipu.chatCompletion(turn.text ?? "", options))
    }),
  toolResults: openAiStyleResults,
  wireValue: (content) => content,
  isStream: (request) => bodyOf(request).stream === true
}

export const ollama: Vendor = {
  name: "ollama",
  model: "llama3.2",
  start: () =>
    Effect.gen(function* () {
      const server = yield* FakeProviderServer.make()
      const llm = yield* withTransport(Ollama.make({ baseUrl: server.url }))
      return { server, llm }
    }),
  reply: (turn) =>
    FakeReply.handler((request) => {
      const options = {
        model: "llama3.2",
        chunks: 3,
        toolCalls: (turn.toolCalls ?? []).map((call) => ({
          id: call.id,
          name: call.name,
          arguments: typeof call.input === "string" ? (JSON.parse(call.input) as Json) : call.input
        }))
      }
      return bodyOf(request).stream === true
        ? FakeOllama.chatStream(turn.text ?? "", options)
        : FakeOllama.chatResponse(turn.text ?? "", options)
    }),
  toolResults: openAiStyleResults,
  wireValue: (content) => content,
  isStream: (request) => bodyOf(request).stream === true
}

export const vendors: ReadonlyArray<Vendor> = [openai, anthropic, gemini, zhipu, ollama]
