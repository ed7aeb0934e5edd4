/** Floor 2: `node:http` with a keep-alive agent and the hand-written SSE split. */
import * as Http from "node:http"
import { type BenchClient, type ClientConfig, chatBody } from "./BenchClient.js"
import { SseSplit } from "./sseSplit.js"

interface WireCompletion {
  readonly choices: ReadonlyArray<{ readonly message: { readonly content: string } }>
}

export const makeNodeHttpClient = (config: ClientConfig): BenchClient => {
  const agent = new Http.Agent({ keepAlive: true })
  const target = new URL(`${config.url}/v1/chat/completions`)
  const options: Http.RequestOptions = {
    method: "POST",
    hostname: target.hostname,
    port: target.port,
    path: target.pathname,
    agent
  }

  // Sends the body and hands the 200 response to `onResponse`; rejects on an error status or a socket error.
  const post = (
    prompt: string,
    stream: boolean,
    onResponse: (response: Http.IncomingMessage, request: Http.ClientRequest) => void,
    reject: (error: Error) => void
  ): void => {
    const body = chatBody(config, prompt, stream)
    const request = Http.request(
      {
        ...options,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${config.apiKey}`
        }
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume()
          reject(new Error(`node:http: HTTP ${response.statusCode}`))
          return
        }
        response.setEncoding("utf8")
        response.on("error", reject)
        onResponse(response, request)
      }
    )
    request.on("error", reject)
    request.end(body)
  }

  return {
    name: "plain node:http",
    call: (prompt) =>
      new Promise((resolve, reject) => {
        post(
          prompt,
          false,
          (response) => {
            let text = ""
            response.on("data", (piece: string) => {
              text += piece
            })
            response.on("end", () => {
              try {
                resolve((JSON.parse(text) as WireCompletion).choices[0]?.message.content ?? "")
              } catch (error) {
                reject(error as Error)
              }
            })
          },
          reject
        )
      }),
    stream: (prompt) =>
      new Promise((resolve, reject) => {
        post(
          prompt,
          true,
          (response) => {
            const split = new SseSplit()
            response.on("data", (piece: string) => {
              try {
                split.push(piece)
              } catch (error) {
                response.destroy()
                reject(error as Error)
              }
            })
            response.on("end", () => resolve({ text: split.text, chunks: split.chunks }))
          },
          reject
        )
      }),
    openStream: (prompt) =>
      new Promise((resolve, reject) => {
        post(
          prompt,
          true,
          (response, request) => {
            const split = new SseSplit()
            let opened = false
            response.on("data", (piece: string) => {
              split.push(piece)
              if (!opened && split.chunks > 0) {
                opened = true
                resolve({
                  text: split.text,
                  close: async () => {
                    request.destroy()
                  }
                })
              }
            })
            response.on("end", () => {
              if (!opened) reject(new Error("node:http: the stream ended before its first chunk"))
            })
          },
          reject
        )
      }),
    close: async () => {
      agent.destroy()
    }
  }
}
