// The vendor-neutral core of the fake provider: queues, recording, faults and writing bytes.
// Vendor wire formats live in "dialects" (fakeOpenAi.ts, fakeAnthropic.ts, ...) that only answer requests the
// queues did not. The first dialect whose routes include the request's path answers it and names its headers.
import * as Http from "node:http"
import type { Socket } from "node:net"
import type {
  FakeProviderServer,
  FakeReply,
  JsonReply,
  RecordedRequest,
  ReplyOptions,
  StreamReply,
  TextReply
} from "../FakeProviderServer.js"

/** A vendor's default routes. */
export interface FakeDialect {
  /** Whether the request is on this vendor's routes (by path; the last dialect of the server is the fallback). */
  readonly handles: (request: RecordedRequest) => boolean
  /** Answers a request no queued reply was waiting for. `sequence` is 1-based and restarts on `reset()`. */
  readonly route: (request: RecordedRequest, sequence: number) => FakeReply
  /** Headers put on every response, queued replies included, unless the reply sets them itself. */
  readonly responseHeaders: (sequence: number) => Readonly<Record<string, string>>
}

export interface ServerConfig {
  readonly host: string
  readonly port: number
  readonly recordRequests: boolean
  /** Tried in order; the last one answers whatever no other claims. */
  readonly dialects: ReadonlyArray<FakeDialect>
}

type MutableRecordedRequest = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] }

type ExchangeState = "open" | "finished" | "clientClosed" | "serverEnded"

interface Exchange {
  readonly request: MutableRecordedRequest
  readonly dialect: FakeDialect
  readonly sequence: number
  readonly generation: number
  readonly res: Http.ServerResponse
  state: ExchangeState
}

interface Waiter<A> {
  readonly resolve: (value: A) => void
  readonly reject: (error: Error) => void
}

const normalizeHeaders = (headers: Http.IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name in headers) {
    const value = headers[name]
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const pathnameOf = (path: string): string => {
  const query = path.indexOf("?")
  return query === -1 ? path : path.slice(0, query)
}

const isPromiseLike = (value: unknown): value is PromiseLike<FakeReply> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

const count = (value: number | undefined): number =>
  value === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(value))

export const startServer = (config: ServerConfig): Promise<FakeProviderServer> => {
  const { dialects } = config
  const fallback = dialects[dialects.length - 1]
  if (fallback === undefined) throw new Error("FakeProviderServer needs at least one dialect")
  const dialectOf = (request: RecordedRequest): FakeDialect => dialects.find((d) => d.handles(request)) ?? fallback
  const sockets = new Set<Socket>()
  const exchanges = new Set<Exchange>()
  const exchangeOf = new WeakMap<RecordedRequest, Exchange>()
  let requests: Array<MutableRecordedRequest> = []
  let received = 0
  let sequence = 0
  let generation = 0
  let queue: Array<FakeReply> = []
  let pathQueues = new Map<string, Array<FakeReply>>()
  let held: Array<() => void> = []
  let requestWaiters: Array<Waiter<ReadonlyArray<RecordedRequest>> & { readonly count: number }> = []
  let closeWaiters = new Map<number, Array<Waiter<void>>>()
  let closing: Promise<void> | undefined

  const settleCloseWaiters = (index: number, error: Error | undefined): void => {
    const waiters = closeWaiters.get(index)
    if (waiters === undefined) return
    closeWaiters.delete(index)
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve()
      else waiter.reject(error)
    }
  }

  const addCloseWaiter = (index: number, waiter: Waiter<void>): void => {
    const waiters = closeWaiters.get(index)
    if (waiters === undefined) closeWaiters.set(index, [waiter])
    else waiters.push(waiter)
  }

  const onExchangeClose = (exchange: Exchange): void => {
    exchanges.delete(exchange)
    if (exchange.state === "open") {
      if (exchange.res.writableEnded) {
        exchange.state = "finished"
      } else {
        exchange.state = "clientClosed"
        exchange.request.closedByClient = true
      }
    }
    if (exchange.generation !== generation || !config.recordRequests) return
    settleCloseWaiters(
      exchange.request.index,
      exchange.state === "clientClosed"
        ? undefined
        : new Error(`request ${exchange.request.index} did not end by a client disconnect (${exchange.state})`)
    )
  }

  const takeQueued = (path: string): FakeReply | undefined => {
    const forPath = pathQueues.get(pathnameOf(path)) ?? pathQueues.get(path)
    if (forPath !== undefined && forPath.length > 0) return forPath.shift()
    return queue.shift()
  }

  const headersFor = (
    exchange: Exchange,
    contentType: string,
    options: ReplyOptions,
    extra?: Record<string, string>
  ): Record<string, string> => {
    const headers: Record<string, string> = {
      ...exchange.dialect.responseHeaders(exchange.sequence),
      "content-type": contentType
    }
    if (extra !== undefined) Object.assign(headers, extra)
    if (options.headers !== undefined) {
      for (const name in options.headers) headers[name.toLowerCase()] = options.headers[name]!
    }
    if (options.withoutHeaders !== undefined) {
      for (const name of options.withoutHeaders) delete headers[name.toLowerCase()]
    }
    return headers
  }

  const writeBody = (exchange: Exchange, body: string, contentType: string, options: ReplyOptions): void => {
    if (exchange.state !== "open") return
    const headers = headersFor(exchange, contentType, options, { "content-length": String(Buffer.byteLength(body)) })
    exchange.res.writeHead(options.status ?? 200, headers)
    exchange.res.end(body)
  }

  // Ends the connection after the bytes already written are flushed, so the client gets them and then an
  // unterminated body.
  const cut = (exchange: Exchange): void => {
    exchange.state = "serverEnded"
    const socket = exchange.res.socket
    if (socket !== null) socket.end(() => socket.destroy())
  }

  const writeStream = (exchange: Exchange, reply: StreamReply): void => {
    if (exchange.state !== "open") return
    const { frames, options } = reply
    const res = exchange.res
    res.writeHead(options.status ?? 200, headersFor(exchange, options.contentType ?? "text/event-stream", options))
    // Headers go out on their own so that cutAfter/stallAfter 0 still deliver a status line.
    res.flushHeaders()
    const cutAt = count(options.cutAfter)
    const stallAt = count(options.stallAfter)
    const limit = Math.min(frames.length, cutAt, stallAt)
    const finish = (): void => {
      if (exchange.state !== "open") return
      if (cutAt !== Number.POSITIVE_INFINITY && cutAt <= stallAt) cut(exchange)
      else if (stallAt === Number.POSITIVE_INFINITY) res.end()
      // else: stall; close() or the client's disconnect ends it
    }
    let next = 0
    // Synchronous loop (no timers, so benchmarks stay fast); pauses only for backpressure.
    const pump = (): void => {
      while (next < limit) {
        if (exchange.state !== "open") return
        const frame = frames[next++]!
        if (!res.write(frame)) {
          res.once("drain", pump)
          return
        }
      }
      finish()
    }
    pump()
  }

  const respond = (exchange: Exchange, reply: FakeReply): void => {
    if (exchange.state !== "open") return
    switch (reply._tag) {
      case "Handler": {
        let next: FakeReply | PromiseLike<FakeReply>
        try {
          next = reply.handle(exchange.request)
        } catch (error) {
          failed(exchange, error)
          return
        }
        if (isPromiseLike(next)) {
          next.then(
            (computed) => respond(exchange, computed),
            (error: unknown) => failed(exchange, error)
          )
        } else {
          respond(exchange, next)
        }
        return
      }
      case "Hang":
        return
      case "Reset": {
        exchange.state = "serverEnded"
        exchange.res.socket?.resetAndDestroy()
        return
      }
      case "Json":
      case "Text":
      case "Stream": {
        if (reply.options.holdFirstByte === true) held.push(() => write(exchange, reply))
        else write(exchange, reply)
        return
      }
    }
  }

  // Runs inside node:http callbacks, where a throw (a bad status, an unserializable body) would crash the process.
  const write = (exchange: Exchange, reply: JsonReply | TextReply | StreamReply): void => {
    try {
      if (reply._tag === "Json") {
        writeBody(exchange, JSON.stringify(reply.body), "application/json", reply.options)
      } else if (reply._tag === "Text") {
        writeBody(exchange, reply.body, reply.options.contentType ?? "text/plain; charset=utf-8", reply.options)
      } else {
        writeStream(exchange, reply)
      }
    } catch (error) {
      if (exchange.res.headersSent) exchange.res.destroy()
      else failed(exchange, error)
    }
  }

  // A throwing handler or an unwritable reply is a bug in the test; a 500 with the message shows it to the client.
  const failed = (exchange: Exchange, error: unknown): void =>
    writeBody(
      exchange,
      `FakeProviderServer: reply failed: ${error instanceof Error ? error.message : String(error)}`,
      "text/plain; charset=utf-8",
      { status: 500 }
    )

  const onRequest = (req: Http.IncomingMessage, res: Http.ServerResponse): void => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("error", () => {})
    req.on("end", () => {
      if (closing !== undefined) return
      const rawBody = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")
      const path = req.url ?? "/"
      const request: MutableRecordedRequest = {
        index: config.recordRequests ? requests.length : received,
        method: req.method ?? "GET",
        path,
        headers: normalizeHeaders(req.headers),
        rawBody,
        body: rawBody.length === 0 ? undefined : parseJson(rawBody),
        closedByClient: false,
        connection: `${req.socket.remoteAddress ?? ""}:${req.socket.remotePort ?? 0}`
      }
      const exchange: Exchange = {
        request,
        dialect: dialectOf(request),
        sequence: ++sequence,
        generation,
        res,
        state: "open"
      }
      exchanges.add(exchange)
      exchangeOf.set(request, exchange)
      res.on("close", () => onExchangeClose(exchange))
      if (config.recordRequests) requests.push(request)
      received++
      if (requestWaiters.length > 0) {
        const ready = requestWaiters.filter((waiter) => waiter.count <= received)
        if (ready.length > 0) {
          requestWaiters = requestWaiters.filter((waiter) => waiter.count > received)
          const snapshot = requests.slice()
          for (const waiter of ready) waiter.resolve(snapshot)
        }
      }
      let reply: FakeReply
      try {
        reply = takeQueued(path) ?? exchange.dialect.route(request, exchange.sequence)
      } catch (error) {
        failed(exchange, error)
        return
      }
      respond(exchange, reply)
    })
  }

  const server = Http.createServer(onRequest)
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })

  const closed = (): Error => new Error("FakeProviderServer closed")

  const handle = (port: number): FakeProviderServer => ({
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    port,
    get requests() {
      return requests.slice()
    },
    enqueue: (...replies) => {
      queue.push(...replies)
    },
    enqueueFor: (path, ...replies) => {
      const existing = pathQueues.get(path)
      if (existing === undefined) pathQueues.set(path, [...replies])
      else existing.push(...replies)
    },
    release: () => {
      const releasing = held
      held = []
      for (const go of releasing) go()
    },
    waitForRequests: (wanted) =>
      new Promise((resolve, reject) => {
        if (closing !== undefined) reject(closed())
        else if (received >= wanted) resolve(requests.slice())
        else requestWaiters.push({ count: wanted, resolve, reject })
      }),
    waitForClientClose: (index) =>
      new Promise((resolve, reject) => {
        const request = requests[index]
        const state = request === undefined ? "open" : exchangeOf.get(request)?.state
        if (!config.recordRequests) {
          reject(new Error("waitForClientClose needs recordRequests"))
        } else if (state === "clientClosed") {
          resolve()
        } else if (closing !== undefined || state !== "open") {
          reject(new Error(`request ${index} did not end by a client disconnect (${state ?? "closed"})`))
        } else {
          addCloseWaiter(index, { resolve, reject })
        }
      }),
    reset: () => {
      const stale = closeWaiters
      requests = []
      received = 0
      sequence = 0
      generation++
      queue = []
      pathQueues = new Map()
      closeWaiters = new Map()
      for (const waiters of stale.values()) for (const waiter of waiters) waiter.reject(new Error("reset() was called"))
    },
    close: () => {
      if (closing !== undefined) return closing
      closing = new Promise<void>((resolve) => {
        for (const exchange of exchanges) if (exchange.state === "open") exchange.state = "serverEnded"
        held = []
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
        const waiting = requestWaiters
        requestWaiters = []
        for (const waiter of waiting) waiter.reject(closed())
        const stale = closeWaiters
        closeWaiters = new Map()
        for (const waiters of stale.values()) for (const waiter of waiters) waiter.reject(closed())
      })
      return closing
    }
  })

  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once("error", onError)
    server.listen(config.port, config.host, () => {
      server.off("error", onError)
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : config.port
      resolve(handle(port))
    })
  })
}
