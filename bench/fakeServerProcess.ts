/**
 * Runs `FakeProviderServer` in a child process, so that the server's work does not share the client's event loop
 * or heap, and talks to it over IPC.
 */
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { withDeadline } from "./deadline.js"

export type ParentMessage =
  | { readonly type: "stall"; readonly id: number; readonly count: number; readonly text: string }
  | { readonly type: "stalledStatus"; readonly id: number }
  | { readonly type: "cpuUsage"; readonly id: number }
  | { readonly type: "shutdown" }

export type ChildMessage =
  | { readonly type: "ready"; readonly url: string }
  | { readonly type: "reply"; readonly id: number; readonly received: number; readonly closed: number }
  | { readonly type: "cpu"; readonly id: number; readonly micros: number }

export interface StalledStatus {
  /** Stalled streams the server started. */
  readonly received: number
  /** Of those, the ones whose client disconnected. */
  readonly closed: number
}

export interface FakeServerProcess {
  readonly url: string
  readonly pid: number
  /** Queues `count` replies that write the role chunk and the first content chunk of `text`, then stall. */
  stall(count: number, text: string): Promise<void>
  stalledStatus(): Promise<StalledStatus>
  /** The child's CPU time so far (user + system), µs. */
  cpuMicros(): Promise<number>
  /** Stops the child (gracefully, then SIGKILL). Idempotent. */
  stop(): Promise<void>
}

const RPC_TIMEOUT_MS = 10_000

export const startFakeServerProcess = async (options: {
  readonly streamChunks: number
  readonly startTimeoutMs: number
}): Promise<FakeServerProcess> => {
  const script = fileURLToPath(new URL("./serverChild.ts", import.meta.url))
  const child: ChildProcess = fork(script, [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_STREAM_CHUNKS: String(options.streamChunks) },
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const pid = child.pid ?? -1
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
  // Whatever way the parent leaves, the child goes too.
  process.once("exit", kill)

  let nextId = 0
  type Reply = Exclude<ChildMessage, { readonly type: "ready" }>
  const pending = new Map<number, (message: Reply) => void>()
  let exited: Error | undefined
  const exitWaiters: Array<(error: Error) => void> = []
  child.on("message", (message: ChildMessage) => {
    if (message.type !== "ready") {
      const resolve = pending.get(message.id)
      pending.delete(message.id)
      resolve?.(message)
    }
  })
  child.on("exit", (code, signal) => {
    exited = new Error(`the fake server process exited (code ${code}, signal ${signal})`)
    for (const waiter of exitWaiters.splice(0)) waiter(exited)
  })
  const onExit = (): Promise<never> =>
    new Promise((_, reject) => {
      if (exited !== undefined) reject(exited)
      else exitWaiters.push(reject)
    })

  const ready = new Promise<string>((resolve) => {
    const onMessage = (message: ChildMessage): void => {
      if (message.type === "ready") {
        child.off("message", onMessage)
        resolve(message.url)
      }
    }
    child.on("message", onMessage)
  })
  let url: string
  try {
    url = await withDeadline(Promise.race([ready, onExit()]), options.startTimeoutMs, "starting the fake server")
  } catch (error) {
    kill()
    throw error
  }

  const rpc = (message: ParentMessage & { readonly id: number }, label: string) =>
    withDeadline(
      Promise.race([
        new Promise<Reply>((resolve) => {
          pending.set(message.id, resolve)
          child.send(message)
        }),
        onExit()
      ]),
      RPC_TIMEOUT_MS,
      label
    )

  let stopping: Promise<void> | undefined
  return {
    url,
    pid,
    stall: async (count, text) => {
      await rpc({ type: "stall", id: nextId++, count, text }, "queueing stalled streams")
    },
    stalledStatus: async () => {
      const reply = await rpc({ type: "stalledStatus", id: nextId++ }, "reading the stalled streams' status")
      if (reply.type !== "reply") throw new Error(`unexpected answer ${reply.type}`)
      return { received: reply.received, closed: reply.closed }
    },
    cpuMicros: async () => {
      const reply = await rpc({ type: "cpuUsage", id: nextId++ }, "reading the server's CPU time")
      if (reply.type !== "cpu") throw new Error(`unexpected answer ${reply.type}`)
      return reply.micros
    },
    stop: () => {
      if (stopping !== undefined) return stopping
      stopping = (async () => {
        if (exited !== undefined) return
        const gone = onExit().catch(() => undefined)
        if (child.connected) child.send({ type: "shutdown" } satisfies ParentMessage)
        await withDeadline(gone, 3_000, "stopping the fake server").catch(() => kill())
        process.off("exit", kill)
      })()
      return stopping
    }
  }
}
