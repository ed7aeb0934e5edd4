// Shared setup of the Ollama provider tests: a fake server on loopback per test, the provider pointed at it, and
// fixtures read byte for byte from test/fixtures/ollama.
import { readFileSync } from "node:fs"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../../src/core/ChatRequest.js"
import type { LlmClientService } from "../../../src/core/LlmClient.js"
import type { LlmError } from "../../../src/core/LlmError.js"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import * as Ollama from "../../../src/providers/ollama/Ollama.js"
import {
  FakeProviderServer,
  type FakeProviderServerOptions,
  type RecordedRequest
} from "../../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../../src/transport/HttpTransport.js"

/** The key of tests that use one (ollama.com, a proxy); tests about secrets look for it in errors. */
export const API_KEY = "ollama-test-SECRET-1234567890"

const fixtureUrl = (name: string): URL => new URL(`../../fixtures/ollama/${name}`, import.meta.url)

/** A fixture's text, exactly as stored. */
export const fixtureText = (name: string): string => readFileSync(fixtureUrl(name), "utf8")

/** A fixture's bytes, exactly as stored. */
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureUrl(name)))

/** An NDJSON fixture split into its lines, each keeping its `\n` (one write per line). */
export const fixtureLines = (name: string): Array<string> => fixtureText(name).split(/(?<=\n)/)

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
 * A fake server and an Ollama client pointed at it (options may depend on the server's URL), both closed with the
 * scope. The client uses the SDK's own transport unless told otherwise, built in the same scope.
 */
export const harness = (
  options: Ollama.OllamaOptions | ((serverUrl: string) => Ollama.OllamaOptions) = {},
  serverOptions: FakeProviderServerOptions = {},
  transportLayer: Layer.Layer<HttpClient.HttpClient> = HttpTransport.layer
): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make(serverOptions)
    const transport = yield* Layer.build(transportLayer)
    const overrides = typeof options === "function" ? options(server.url) : options
    const llm = yield* Ollama.make({ baseUrl: server.url, ...overrides }).pipe(Effect.provide(transport))
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
export const hello = (model = "llama3.2", content = "Hello"): ChatRequest => ({
  model,
  messages: [{ role: "user", content }]
})

/** Every text the error shows: its message, its JSON form and its string form. */
export const renderings = (error: unknown): ReadonlyArray<string> => [
  error instanceof Error ? error.message : "",
  JSON.stringify(error),
  String(error)
]

/** Unix seconds of an RFC 3339 time. */
export const seconds = (time: string): number => Math.floor(Date.parse(time) / 1000)
