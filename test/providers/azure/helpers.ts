// Shared setup of the Azure provider tests: a fake server on loopback per test, the provider pointed at it, and
// fixtures from test/fixtures/azure replayed byte for byte.
import { readFileSync } from "node:fs"
import { assert } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import type { LlmClientService } from "../../../src/core/LlmClient.js"
import type { LlmError } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import * as Azure from "../../../src/providers/azure/Azure.js"
import {
  FakeProviderServer,
  type FakeProviderServerOptions,
  FakeReply,
  type RecordedRequest,
  type ReplyOptions,
  type StreamReplyOptions
} from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"

/** The key every test client uses; tests about secrets look for it in errors. */
export const API_KEY = "azure-test-SECRET-0123456789abcdef"

/** The api-version the provider sends by default (latest GA). */
export const GA_VERSION = "2024-10-21"

export type Json = Record<string, unknown>

/** A fixture of test/fixtures/azure, as text. */
export const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/azure/${name}`, import.meta.url), "utf8")

/** An SSE fixture as Azure wrote it: one write per event, bytes unchanged. */
export const sseReply = (name: string, options: StreamReplyOptions = {}): FakeReply => {
  const frames = fixture(name).split(/(?<=\n\n)/)
  assert.isAbove(frames.length, 1, `${name} has no SSE events`)
  return FakeReply.stream(frames, options)
}

/** The events of an SSE fixture, each with its `\n\n`. */
export const sseFrames = (name: string): Array<string> => fixture(name).split(/(?<=\n\n)/)

/** A JSON fixture sent byte for byte with `application/json`. */
export const jsonReply = (name: string, options: ReplyOptions = {}): FakeReply =>
  FakeReply.text(fixture(name), { ...options, contentType: "application/json" })

export interface Harness {
  readonly server: FakeProviderServer
  readonly llm: LlmClientService
}

/**
 * A fake server and an Azure client pointed at its root as the resource URL (options may depend on the server's
 * URL), both closed with the scope, over the SDK's own transport.
 */
export const harness = (
  options: Partial<Azure.AzureOptions> | ((serverUrl: string) => Partial<Azure.AzureOptions>) = {},
  serverOptions: FakeProviderServerOptions = {}
): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make(serverOptions)
    const transport = yield* Layer.build(HttpTransport.layer)
    const overrides = typeof options === "function" ? options(server.url) : options
    const llm = yield* Azure.make({ apiKey: API_KEY, baseUrl: server.url, ...overrides }).pipe(
      Effect.provide(transport)
    )
    return { server, llm }
  })

/** The one request the server received, with a JSON body. */
export const onlyRequest = (server: FakeProviderServer): RecordedRequest & { readonly body: Json } => {
  const requests = server.requests
  assert.strictEqual(requests.length, 1, `expected exactly one request, got ${requests.length}`)
  const request = requests[0]!
  assert.isObject(request.body, `the request body is not a JSON object: ${request.rawBody}`)
  return request as RecordedRequest & { readonly body: Json }
}

export interface Collected {
  readonly chunks: ReadonlyArray<StreamChunk>
  readonly error: LlmError | undefined
}

/** Runs a stream to its end, keeping every chunk delivered and the error it failed with, if any. */
export const collect = (stream: Stream.Stream<StreamChunk, LlmError>): Effect.Effect<Collected> =>
  Effect.suspend(() => {
    const chunks: Array<StreamChunk> = []
    return stream.pipe(
      Stream.runForEach((chunk) => Effect.sync(() => chunks.push(chunk))),
      Effect.match({
        onFailure: (error): Collected => ({ chunks, error }),
        onSuccess: (): Collected => ({ chunks, error: undefined })
      })
    )
  })

/** The smallest valid chat request, to deployment `model`. */
export const hello = (model = "gpt-4o"): ChatRequest => ({ model, messages: [{ role: "user", content: "Hello" }] })

/** Chunks without the per-request `requestId` and `rateLimit` of the first chunk. */
export const plain = (chunks: ReadonlyArray<StreamChunk>): ReadonlyArray<StreamChunk> =>
  chunks.map(({ requestId: _requestId, rateLimit: _rateLimit, ...rest }) => rest)

/** Every text the error shows: its message, its JSON form and its string form. */
export const renderings = (error: unknown): ReadonlyArray<string> => [
  error instanceof Error ? error.message : "",
  JSON.stringify(error),
  String(error)
]

export const weatherTool = {
  name: "get_weather",
  description: "Current weather of a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
} as const
