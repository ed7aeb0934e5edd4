/**
 * The floor for any Node gateway: a bare pass-through proxy in a few lines of `node:http`, piping each request to
 * the upstream over a keep-alive agent and the answer back, nothing parsed. `BENCH_UPSTREAM` is the upstream's URL.
 */
import * as Http from "node:http"
import { serveHttpChild } from "./protocol.js"

const upstream = new URL(process.env.BENCH_UPSTREAM ?? "http://127.0.0.1:1")
const agent = new Http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY })

const server = Http.createServer((req, res) => {
  const forward = Http.request(
    { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    }
  )
  forward.on("error", () => res.destroy())
  // A client that leaves cancels the upstream request, as the gateway does.
  res.on("close", () => {
    if (!res.writableFinished) forward.destroy()
  })
  req.pipe(forward)
})

serveHttpChild(server)
