/**
 * This SDK's Effect API: `OpenAi.layer` over a transport layer, run through one `ManagedRuntime`; `LlmClient.chat`
 * and `LlmClient.stream` (consumed a read's worth of chunks at a time with `Stream.runForEachChunk`).
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../src/core/ChatRequest.js"
import { LlmClient } from "../../src/core/LlmClient.js"
import * as OpenAi from "../../src/providers/openai/OpenAi.js"
import type { BenchClient, ClientConfig } from "./BenchClient.js"

export const makeEffectClient = async (
  config: ClientConfig,
  name: string,
  transport: Layer.Layer<HttpClient.HttpClient>
): Promise<BenchClient> => {
  const runtime = ManagedRuntime.make(
    OpenAi.layer({ apiKey: config.apiKey, baseUrl: `${config.url}/v1` }).pipe(Layer.provide(transport))
  )
  const llm = await runtime.runPromise(LlmClient)
  const request = (prompt: string): ChatRequest => ({
    model: config.model,
    messages: [{ role: "user", content: prompt }]
  })

  return {
    name,
    call: (prompt) => runtime.runPromise(Effect.map(llm.chat(request(prompt)), (response) => response.content)),
    stream: (prompt) => {
      let text = ""
      let chunks = 0
      return runtime
        .runPromise(
          Effect.as(
            Stream.runForEachChunk(llm.stream(request(prompt)), (batch) =>
              Effect.sync(() => {
                for (const chunk of batch) {
                  if (chunk.delta.length > 0) {
                    text += chunk.delta
                    chunks++
                  }
                }
              })
            ),
            undefined
          )
        )
        .then(() => ({ text, chunks }))
    },
    // A fiber of its own (not a child of the call that started it, which would interrupt it on return) consumes the
    // stream, as an application holding a live stream would; the first delta resolves the promise.
    openStream: (prompt) =>
      new Promise((resolve, reject) => {
        let opened = false
        const fiber = runtime.runFork(
          Stream.runForEach(llm.stream(request(prompt)), (chunk) =>
            Effect.sync(() => {
              if (opened || chunk.delta.length === 0) return
              opened = true
              resolve({
                text: chunk.delta,
                close: () => runtime.runPromise(Fiber.interrupt(fiber)).then(() => undefined)
              })
            })
          )
        )
        fiber.addObserver((exit) => {
          if (!opened) reject(new Error(`the stream ended before its first chunk: ${String(exit)}`))
        })
      }),
    close: () => runtime.dispose()
  }
}
