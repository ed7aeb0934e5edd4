// Shared setup of the catalog tests: real providers pointed at a fake server on loopback, and the vendors' recorded
// fixtures read byte for byte from test/fixtures/<vendor>.
import { readFileSync } from "node:fs"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { LlmClientService } from "../../src/core/LlmClient.js"
import type { LlmError } from "../../src/core/LlmError.js"
import type { StreamChunk } from "../../src/core/StreamChunk.js"
import * as Anthropic from "../../src/providers/anthropic/Anthropic.js"
import * as Gemini from "../../src/providers/gemini/Gemini.js"
import * as Ollama from "../../src/providers/ollama/Ollama.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import { FakeProviderServer } from "../../src/testing/FakeProviderServer.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

const fixtureText = (vendor: string, name: string): string =>
  readFileSync(new URL(`../fixtures/${vendor}/${name}`, import.meta.url), "utf8")

/** A JSON fixture, parsed. */
export const fixtureJson = (vendor: string, name: string): unknown => JSON.parse(fixtureText(vendor, name)) as unknown

/** An SSE fixture split into its events (Gemini's end in CRLF CRLF, the others in LF LF), one write per event. */
export const fixtureFrames = (vendor: string, name: string): Array<string> =>
  fixtureText(vendor, name).split(vendor === "gemini" ? /(?<=\r\n\r\n)/ : /(?<=\n\n)/)

export interface Harness {
  readonly server: FakeProviderServer
  readonly llm: LlmClientService
}

export type Vendor = "openai" | "anthropic" | "gemini" | "ollama"

/** A fake server and a real provider client of `vendor` pointed at it, both closed with the scope. */
export const harness = (vendor: Vendor): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function* () {
    const server = yield* FakeProviderServer.make()
    const transport = yield* Layer.build(HttpTransport.layer)
    const make = {
      openai: () => OpenAi.make({ apiKey: "sk-test-catalog", baseUrl: `${server.url}/v1` }),
      anthropic: () => Anthropic.make({ apiKey: "sk-ant-test-catalog", baseUrl: server.url }),
      gemini: () => Gemini.make({ apiKey: "gemini-test-catalog", baseUrl: `${server.url}/v1beta` }),
      ollama: () => Ollama.make({ baseUrl: server.url })
    }[vendor]
    const llm = yield* make().pipe(Effect.provide(transport))
    return { server, llm }
  })

/** Runs a stream to its end and keeps every chunk (fails the test on a stream error). */
export const collect = (stream: Stream.Stream<StreamChunk, LlmError>): Effect.Effect<Array<StreamChunk>, LlmError> =>
  Effect.map(Stream.runCollect(stream), (chunks) => [...chunks])
