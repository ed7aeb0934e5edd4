/** Floor 1: Node's global `fetch` with the hand-written SSE split. */
import { type BenchClient, type ClientConfig, chatBody } from "./BenchClient.js"
import { SseSplit } from "./sseSplit.js"

interface WireCompletion {
  readonly choices: ReadonlyArray<{ readonly message: { readonly content: string } }>
}

export const makeFetchClient = (config: ClientConfig): BenchClient => {
  const endpoint = `${config.url}/v1/chat/completions`
  const headers = { "content-type": "application/json", authorization: `Bearer ${config.apiKey}` }

  const post = (prompt: string, stream: boolean, signal?: AbortSignal): Promise<Response> =>
    fetch(endpoint, {
      method: "POST",
      headers,
      body: chatBody(config, prompt, stream),
      ...(signal === undefined ? {} : { signal })
    }).then((response) => {
      if (!response.ok) throw new Error(`fetch: HTTP ${response.status}`)
      return response
    })

  return {
    name: "plain fetch",
    call: async (prompt) => {
      const response = await post(prompt, false)
      const json = (await response.json()) as WireCompletion
      return json.choices[0]?.message.content ?? ""
    },
    stream: async (prompt) => {
      const response = await post(prompt, true)
      if (response.body === null) throw new Error("fetch: no body")
      const split = new SseSplit()
      const decoder = new TextDecoder()
      const reader = response.body.getReader()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        split.push(decoder.decode(value, { stream: true }))
      }
      split.push(decoder.decode())
      return { text: split.text, chunks: split.chunks }
    },
    openStream: async (prompt) => {
      const controller = new AbortController()
      const response = await post(prompt, true, controller.signal)
      if (response.body === null) throw new Error("fetch: no body")
      const reader = response.body.getReader()
      const split = new SseSplit()
      const decoder = new TextDecoder()
      while (split.chunks === 0) {
        const { done, value } = await reader.read()
        if (done) throw new Error("fetch: the stream ended before its first chunk")
        split.push(decoder.decode(value, { stream: true }))
      }
      return {
        text: split.text,
        close: async () => {
          controller.abort()
          await reader.cancel().catch(() => undefined)
        }
      }
    },
    close: async () => undefined
  }
}
