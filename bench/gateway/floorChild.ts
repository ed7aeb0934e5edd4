/**
 * Floors for a gateway that understands the wire, to read the gateway's figures against (README, "Fifth round"): in
 * place of `gatewayChild.ts` with `BENCH_GATEWAY_CHILD=./floorChild.ts`. Non-streaming requests have both bodies
 * read, parsed and written anew, answered three ways (`BENCH_FLOOR`):
 * - `plain` (default): Node callbacks only;
 * - `effect`: one Effect fiber per request, its two waits (request body, upstream answer) `Effect.async` joined by
 *   `flatMap`;
 * - `effect-gen`: the same fiber written with `Effect.gen`.
 * Streamed requests are piped as the proxy does (the bench checks them before it measures).
 */
import * as Http from "node:http"
import * as Effect from "effect/Effect"
import { serveHttpChild } from "./protocol.js"

const upstream = new URL(process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:1")
const agent = new Http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY })
const floor = process.env.BENCH_FLOOR ?? "plain"
if (floor !== "plain" && floor !== "effect" && floor !== "effect-gen") {
  throw new Error(`BENCH_FLOOR must be plain, effect or effect-gen, not ${floor}`)
}

interface WireRequest {
  readonly model: string
  readonly stream?: boolean
  readonly messages: ReadonlyArray<{ readonly role: string; readonly content: string }>
}

interface WireAnswer {
  readonly id: string
  readonly created: number
  readonly model: string
  readonly choices: ReadonlyArray<{ readonly message: { readonly content: string }; readonly finish_reason: string }>
  readonly usage: unknown
}

const readText = (source: Http.IncomingMessage, done: (text: string) => void): void => {
  const parts: Array<Buffer> = []
  source.on("data", (part: Buffer) => parts.push(part))
  source.on("end", () => done(Buffer.concat(parts).toString("utf8")))
}

const upstreamBody = (request: WireRequest): string =>
  JSON.stringify({
    model: request.model.replace(/^openai\//, ""),
    messages: request.messages.map((message) => ({ role: message.role, content: message.content })),
    stream: request.stream === true
  })

const clientBody = (answer: WireAnswer): string =>
  JSON.stringify({
    id: answer.id,
    object: "chat.completion",
    created: answer.created,
    model: answer.model,
    choices: answer.choices.map((choice, index) => ({
      index,
      message: { role: "assistant", content: choice.message.content },
      finish_reason: choice.finish_reason
    })),
    usage: answer.usage
  })

// Sends `body` upstream; `onAnswer` gets the upstream's response.
const callUpstream = (body: string, onAnswer: (answer: Http.IncomingMessage) => void, onError: () => void) => {
  const request = Http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json" },
      agent
    },
    onAnswer
  )
  request.on("error", onError)
  request.end(body)
  return request
}

const askUpstream = (body: string, done: (answer: WireAnswer) => void, onError: () => void) =>
  callUpstream(body, (answer) => readText(answer, (text) => done(JSON.parse(text) as WireAnswer)), onError)

const answer = (res: Http.ServerResponse, body: string): void => {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

const pipeStream = (request: WireRequest, res: Http.ServerResponse): void => {
  callUpstream(
    upstreamBody(request),
    (upstreamAnswer) => {
      res.writeHead(upstreamAnswer.statusCode ?? 502, upstreamAnswer.headers)
      upstreamAnswer.pipe(res)
    },
    () => res.destroy()
  )
}

const readRequest = (req: Http.IncomingMessage) =>
  Effect.async<WireRequest>((resume) => readText(req, (text) => resume(Effect.succeed(JSON.parse(text)))))

const fetchAnswer = (request: WireRequest) =>
  Effect.async<WireAnswer, "upstream failed">((resume) => {
    const sent = askUpstream(
      upstreamBody(request),
      (body) => resume(Effect.succeed(body)),
      () => resume(Effect.fail("upstream failed"))
    )
    return Effect.sync(() => sent.destroy())
  })

const handlers = {
  plain: (req: Http.IncomingMessage, res: Http.ServerResponse) =>
    readText(req, (text) => {
      const request = JSON.parse(text) as WireRequest
      if (request.stream === true) return pipeStream(request, res)
      askUpstream(
        upstreamBody(request),
        (body) => answer(res, clientBody(body)),
        () => res.destroy()
      )
    }),
  effect: (req: Http.IncomingMessage, res: Http.ServerResponse) =>
    Effect.flatMap(readRequest(req), (request) =>
      request.stream === true
        ? Effect.sync(() => pipeStream(request, res))
        : Effect.map(fetchAnswer(request), (body) => answer(res, clientBody(body)))
    ),
  "effect-gen": (req: Http.IncomingMessage, res: Http.ServerResponse) =>
    Effect.gen(function* () {
      const request = yield* readRequest(req)
      if (request.stream === true) return pipeStream(request, res)
      const body = yield* fetchAnswer(request)
      answer(res, clientBody(body))
    })
}

const server = Http.createServer((req, res) => {
  if (floor === "plain") return handlers.plain(req, res)
  Effect.runCallback(handlers[floor](req, res), {
    onExit: (exit) => {
      if (exit._tag === "Failure") res.destroy()
    }
  })
})

serveHttpChild(server)
