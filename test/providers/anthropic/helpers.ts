// Shared setup of the Anthropic provider tests: a fake server on loopback per test, the provider pointed at it, and
// fixtures read byte for byte from test/fixtures/anthropic.
import { readFileSync } from "node:fs"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import type { LlmClientService } from "../../../src/core/LlmClient.js"
import type { LlmError } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import * as Anthropic from "../../../src/providers/anthropic/Anthropic.js"
import {
  FakeProviderServer,
  type FakeProviderServerOptions,
  type RecordedRequest
} from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"

/** The key every test client uses; tests about secrets look for it in errors. */
export const API_KEY = "sk-ant-api03-TEST-SECRET-1234567890"

export const MODEL = "claude-sonnet-4-5-20250929"

const fixtureUrl = (name: string): URL => new URL(`../../fixtures/anthropic/${name}`, import.meta.url)

/** A fixture's text, exactly as stored. */
export const fixtureText = (name: string): string => readFileSync(fixtureUrl(name), "utf8")

/** A fixture's bytes, exactly as stored. */
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name)))

/** A JSON fixture, parsed. */
export const fixtureJson = (name: string): unknown => JSON.parse(fixtureText(name)) as unknown

/** An SSE fixture split into its events, each keeping its `\n\n` terminator (one write per event). */
export const fixtureFrames = (name: string): Array<string> => fixtureText(name).split(/(?<=\n\n)/)

/** Splits bytes into pieces of `size` bytes (cutting through UTF-8 characters and JSON alike). */
export const slices = (bytes: Uint8Array, size: number): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  for (let start = 0; start < bytes.length; start += size) out.push(bytes.subarray(start, start + size))
  return out
}

export interface Harness {
  readonly server: FakeProviderServer
  readonly llm: LlmClientService
}

/**
 * A fake server and an Anthropic client pointed at it (base URL without `/v1`: Anthropic's paths include it), both
 * closed with the scope, over the SDK's own transport.
 */
export const harness = (
  options: Partial<Anthropic.AnthropicOptions> = {},
  serverOptions: FakeProviderServerOptions = {}
): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make(serverOptions)
    const transport = yield* Layer.build(HttpTransport.layer)
    const llm = yield* Anthropic.make({ apiKey: API_KEY, baseUrl: server.url, ...options }).pipe(
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

/** The JSON body of a request. */
export const bodyOf = (request: RecordedRequest): Record<string, unknown> => {
  const body = request.body
  if (typeof body !== "object" || body === null) throw new Error("the request body is not a JSON object")
  return body as Record<string, unknown>
}

/** The JSON body of the one request the server received. */
export const onlyBody = (server: FakeProviderServer): Record<string, unknown> => bodyOf(onlyRequest(server))

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
export const hello = (model = MODEL): ChatRequest => ({ model, messages: [{ role: "user", content: "Hello" }] })

/** Every text the error shows: its message, its JSON form and its string form. */
export const renderings = (error: unknown): ReadonlyArray<string> => [
  error instanceof Error ? error.message : "",
  JSON.stringify(error),
  String(error)
]

/** Chunks without the per-run `created` and `requestId` of the first chunk. */
export const stable = (chunks: ReadonlyArray<StreamChunk>): ReadonlyArray<StreamChunk> =>
  chunks.map(({ created: _created, requestId: _requestId, ...rest }) => rest)
