// Shared setup of the OpenAI-compatible family's tests: vendor fixtures served by a FakeProviderServer, clients
// built on the real HTTP transport, and small readers for what the server received.
import { readFileSync } from "node:fs"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import { Accumulator, type ChatResponse } from "../../../src/core/ChatResponse.js"
import type { LlmClient } from "../../../src/core/LlmClient.js"
import type { LlmError } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import * as OpenAiCompatible from "../../../src/providers/openai-compatible/OpenAiCompatible.js"
import {
  FakeProviderServer,
  FakeReply,
  type RecordedRequest,
  type ReplyOptions,
  type StreamReplyOptions
} from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"

export type Json = Record<string, unknown>

/** A fixture file of `test/fixtures/openai-compatible/<vendor>/`, as text. */
export const fixture = (vendor: string, name: string): string =>
  readFileSync(new URL(`../../fixtures/openai-compatible/${vendor}/${name}`, import.meta.url), "utf8")

/**
 * An SSE fixture replayed as the vendor wrote it: one write per event (comments included), bytes unchanged, so the
 * client sees the exact framing, blank lines and `data: [DONE]` (or its absence).
 */
export const sseReply = (vendor: string, name: string, options: StreamReplyOptions = {}): FakeReply => {
  const frames = fixture(vendor, name).split(/(?<=\n\n)/)
  assert.isAbove(frames.length, 1, `${vendor}/${name} has no SSE events`)
  return FakeReply.stream(frames, options)
}

/** A JSON fixture sent byte for byte (leading blank lines, key order and spacing kept) with `application/json`. */
export const jsonReply = (vendor: string, name: string, options: ReplyOptions = {}): FakeReply =>
  FakeReply.text(fixture(vendor, name), { ...options, contentType: "application/json" })

/** `${server.url}/v1`: where the compatible clients under test are pointed. */
export const v1 = (server: FakeProviderServer): string => `${server.url}/v1`

/** Starts a fake server for the test; it closes with the test's scope. */
export const startServer: Effect.Effect<FakeProviderServer, never, Scope.Scope> = FakeProviderServer.make()

/** Builds a compatible client for the options. */
export const compatible = (
  options: OpenAiCompatible.OpenAiCompatibleOptions
): Effect.Effect<LlmClient.Service, never, HttpClient.HttpClient> => OpenAiCompatible.make(options)

/** Runs a test body with a scope (the fake server) and the SDK's Node transport. */
export const runTest = <A, E>(effect: Effect.Effect<A, E, Scope.Scope | HttpClient.HttpClient>): Effect.Effect<A, E> =>
  effect.pipe(Effect.scoped, Effect.provide(HttpTransport.layer))

/** Every chunk of a stream, in order. */
export const collect = (
  stream: Stream.Stream<StreamChunk, LlmError>
): Effect.Effect<ReadonlyArray<StreamChunk>, LlmError> => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** Chunks folded the way `chat` on a streaming provider folds them. */
export const fold = (chunks: ReadonlyArray<StreamChunk>, provider: string, model: string): ChatResponse => {
  const accumulator = new Accumulator()
  for (const chunk of chunks) accumulator.add(chunk)
  return accumulator.toResponse({ provider, model })
}

/** The one request the server received, with a JSON body. */
export const onlyRequest = (server: FakeProviderServer): RecordedRequest & { readonly body: Json } => {
  const requests = server.requests
  assert.strictEqual(requests.length, 1, `expected exactly one request, got ${requests.length}`)
  const request = requests[0]!
  assert.isObject(request.body, `the request body is not a JSON object: ${request.rawBody}`)
  return request as RecordedRequest & { readonly body: Json }
}

export const hello = (model: string): ChatRequest => ({ model, messages: [{ role: "user", content: "Hello" }] })

export const weatherTool = {
  name: "get_weather",
  description: "Current weather of a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
} as const
