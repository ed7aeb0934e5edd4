// Shared setup of the Zhipu provider tests: a fake server on loopback per test, the provider pointed at its Zhipu
// routes, and fixtures from test/fixtures/zhipu replayed byte for byte.
import { readFileSync } from "node:fs"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import type { LlmClientService } from "../../../src/core/LlmClient.js"
import type { LlmError } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import * as Zhipu from "../../../src/providers/zhipu/Zhipu.js"
import {
  FakeProviderServer,
  type FakeProviderServerOptions,
  type FakeReply,
  type RecordedRequest,
  FakeReply as Reply,
  type ReplyOptions,
  type StreamReplyOptions
} from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"

/** The key every test client uses (Zhipu keys are `<id>.<secret>`); tests about secrets look for it in errors. */
export const API_KEY = "5e8e0c6f13634dc1a0c90b6ec8fa862c.SeCrEtPaRtOfKeY1"

/** Where the Zhipu routes of the fake server live. */
export const baseUrlOf = (server: FakeProviderServer): string => `${server.url}/api/paas/v4`

const fixtureUrl = (name: string): URL => new URL(`../../fixtures/zhipu/${name}`, import.meta.url)

/** A fixture's text, exactly as stored. */
export const fixtureText = (name: string): string => readFileSync(fixtureUrl(name), "utf8")

/** An SSE fixture as Zhipu wrote it, one write per event, bytes unchanged. */
export const fixtureFrames = (name: string): Array<string> => fixtureText(name).split(/(?<=\n\n)/)

/** An SSE fixture replayed as a stream reply. */
export const sseReply = (name: string, options: StreamReplyOptions = {}): FakeReply =>
  Reply.stream(fixtureFrames(name), options)

/** A JSON fixture sent byte for byte with `application/json`. */
export const jsonReply = (name: string, options: ReplyOptions = {}): FakeReply =>
  Reply.text(fixtureText(name), { ...options, contentType: "application/json" })

export interface Harness {
  readonly server: FakeProviderServer
  readonly llm: LlmClientService
}

/** A fake server and a Zhipu client pointed at it on the SDK's own transport, closed with the scope. */
export const harness = (
  options: Partial<Zhipu.ZhipuOptions> = {},
  serverOptions: FakeProviderServerOptions = {}
): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make(serverOptions)
    const transport = yield* Layer.build(HttpTransport.layer)
    const llm = yield* Zhipu.make({ apiKey: API_KEY, baseUrl: baseUrlOf(server), ...options }).pipe(
      Effect.provide(transport)
    )
    return { server, llm }
  })

/** The one request the server received (fails the test when there is not exactly one). */
export const onlyRequest = (server: FakeProviderServer): RecordedRequest => {
  const requests = server.requests
  if (requests.length !== 1) throw new Error(`expected exactly one request, got ${requests.length}`)
  return requests[0]!
}

/** The JSON body of the one request the server received. */
export const onlyBody = (server: FakeProviderServer): Record<string, unknown> => {
  const body = onlyRequest(server).body
  if (typeof body !== "object" || body === null) throw new Error("the request body is not a JSON object")
  return body as Record<string, unknown>
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

/** The smallest valid chat request. */
export const hello = (model = "glm-4.6"): ChatRequest => ({
  model,
  messages: [{ role: "user", content: "你好" }]
})

export const weatherTool = {
  name: "get_weather",
  description: "获取指定地点当前的天气情况",
  parameters: {
    type: "object",
    properties: { location: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
    required: ["location"]
  }
} as const

/** Every text the error shows: its message, its JSON form and its string form. */
export const renderings = (error: unknown): ReadonlyArray<string> => [
  error instanceof Error ? error.message : "",
  JSON.stringify(error),
  String(error)
]
