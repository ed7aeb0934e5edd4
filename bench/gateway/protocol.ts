/**
 * The IPC protocol between `run.ts` and its children: every child says `ready` (with its URL), answers `stats` with
 * its CPU time and memory, and stops on `shutdown` or when the parent goes away. The load generator also answers
 * `load` with the figures of one autocannon run.
 */

import type { Server } from "node:http"

export interface Stats {
  /** CPU time so far, user + system, µs. */
  readonly cpuMicros: number
  readonly rssBytes: number
  readonly heapUsedBytes: number
}

export interface LoadSpec {
  readonly url: string
  readonly body: string
  readonly connections: number
  readonly durationSeconds: number
  /** A request still unanswered after this counts as a timeout. */
  readonly timeoutSeconds: number
  /** Whether to check each answer ends with the stream's end marker (streams) or is a 200 (all). */
  readonly expectText: string
}

export interface LoadResult {
  readonly requests: number
  readonly seconds: number
  readonly rps: number
  /** Milliseconds, from exact per-response times (autocannon's own histogram has 1 ms resolution). */
  readonly p50: number
  readonly p99: number
  readonly mean: number
  readonly errors: number
  /** Answers without the expected text (a stream cut before its end). */
  readonly mismatches: number
  readonly non2xx: number
  readonly timeouts: number
  /** The start of the first answer that lacked the expected text, to say what went wrong. */
  readonly wrongBody?: string | undefined
}

export type ParentMessage =
  | { readonly type: "stats"; readonly id: number; readonly gc: boolean }
  | { readonly type: "load"; readonly id: number; readonly spec: LoadSpec }
  | { readonly type: "shutdown" }

export type ChildMessage =
  | { readonly type: "ready"; readonly url: string }
  | { readonly type: "stats"; readonly id: number; readonly stats: Stats }
  | { readonly type: "load"; readonly id: number; readonly result: LoadResult }
  | { readonly type: "failed"; readonly id: number; readonly message: string }

/** What every child does: answer `stats`, stop on `shutdown` or when the parent leaves. */
export const serveChild = (
  url: string,
  onShutdown: () => Promise<void>,
  extra?: (message: ParentMessage) => boolean
) => {
  const send = (message: ChildMessage): void => {
    process.send?.(message)
  }
  let stopping = false
  const shutdown = (): void => {
    if (stopping) return
    stopping = true
    void onShutdown().finally(() => process.exit(0))
  }
  process.on("disconnect", shutdown)
  process.on("message", (message: ParentMessage) => {
    if (extra?.(message) === true) return
    switch (message.type) {
      case "stats": {
        if (message.gc && typeof globalThis.gc === "function") {
          globalThis.gc()
          globalThis.gc()
        }
        const cpu = process.cpuUsage()
        const memory = process.memoryUsage()
        send({
          type: "stats",
          id: message.id,
          stats: { cpuMicros: cpu.user + cpu.system, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed }
        })
        return
      }
      case "shutdown":
        shutdown()
        return
      default:
        return
    }
  })
  send({ type: "ready", url })
}

/** Listens on a free loopback port and serves the child protocol until `shutdown` closes the server. */
export const serveHttpChild = (server: Server): void => {
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    serveChild(
      `http://127.0.0.1:${port}`,
      () =>
        new Promise((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
    )
  })
}
