/** The official `openai` npm SDK (v6, on Node's global fetch). */
import OpenAI from "openai"
import type { BenchClient, ClientConfig } from "./BenchClient.js"

export const makeOpenAiSdkClient = (config: ClientConfig): BenchClient => {
  const openai = new OpenAI({ apiKey: config.apiKey, baseURL: `${config.url}/v1`, maxRetries: 0 })
  const messages = (prompt: string) => [{ role: "user" as const, content: prompt }]

  return {
    name: "openai SDK 6.49",
    call: async (prompt) => {
      const completion = await openai.chat.completions.create({ model: config.model, messages: messages(prompt) })
      return completion.choices[0]?.message.content ?? ""
    },
    stream: async (prompt) => {
      const stream = await openai.chat.completions.create({
        model: config.model,
        messages: messages(prompt),
        stream: true
      })
      let text = ""
      let chunks = 0
      for await (const chunk of stream) {
        const content = chunk.choices[0]?.delta.content
        if (typeof content === "string" && content.length > 0) {
          text += content
          chunks++
        }
      }
      return { text, chunks }
    },
    openStream: async (prompt) => {
      const stream = await openai.chat.completions.create({
        model: config.model,
        messages: messages(prompt),
        stream: true
      })
      const iterator = stream[Symbol.asyncIterator]()
      let text = ""
      while (text === "") {
        const next = await iterator.next()
        if (next.done === true) throw new Error("openai: the stream ended before its first chunk")
        text += next.value.choices[0]?.delta.content ?? ""
      }
      return {
        text,
        close: async () => {
          stream.controller.abort()
          await iterator.return?.().catch(() => undefined)
        }
      }
    },
    close: async () => undefined
  }
}
