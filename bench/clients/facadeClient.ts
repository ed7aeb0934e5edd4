/**
 * This SDK's promise facade: `new Client({ provider: "openai", ... })` with its default transport and its default
 * reliability stack (2 retries, total and idle deadlines), or with that stack turned off (`bare`).
 */
import { Client } from "../../src/promise/Client.js"
import type { BenchClient, ClientConfig } from "./BenchClient.js"

export const makeFacadeClient = (config: ClientConfig, bare = false): BenchClient => {
  const client = new Client({
    provider: "openai",
    apiKey: config.apiKey,
    baseUrl: `${config.url}/v1`,
    ...(bare ? { retry: false, timeout: false } : {})
  })
  const messages = (prompt: string) => [{ role: "user" as const, content: prompt }]

  return {
    name: bare ? "SDK facade, no retry or deadlines" : "SDK facade (Client)",
    call: async (prompt) => (await client.chat({ model: config.model, messages: messages(prompt) })).content,
    stream: async (prompt) => {
      const stream = await client.chat({ model: config.model, messages: messages(prompt), stream: true })
      let text = ""
      let chunks = 0
      for await (const chunk of stream) {
        if (chunk.delta.length > 0) {
          text += chunk.delta
          chunks++
        }
      }
      return { text, chunks }
    },
    openStream: async (prompt) => {
      const stream = await client.chat({ model: config.model, messages: messages(prompt), stream: true })
      const iterator = stream[Symbol.asyncIterator]()
      let text = ""
      while (text === "") {
        const next = await iterator.next()
        if (next.done === true) throw new Error("facade: the stream ended before its first chunk")
        text += next.value.delta
      }
      return { text, close: () => stream.abort() }
    },
    close: () => client.close()
  }
}
