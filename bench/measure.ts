/** The four measurements, the warm-up and the text checks, for one client at a time. */
import * as Os from "node:os"
import * as V8 from "node:v8"
import * as Vm from "node:vm"
import type { BenchClient, OpenStream } from "./clients/BenchClient.js"
import { withDeadline } from "./deadline.js"
import type { FakeServerProcess } from "./fakeServerProcess.js"

export interface Settings {
  readonly warmupCalls: number
  readonly warmupStreams: number
  readonly sequentialCalls: number
  readonly concurrentCalls: number
  readonly concurrency: number
  readonly streams: number
  readonly streamConcurrency: number
  readonly streamChunks: number
  readonly heapStreams: number
  /** Each timed phase runs at least this many times; the fastest quiet round counts. */
  readonly rounds: number
  /** More rounds, up to this many, while none was quiet. */
  readonly maxRounds: number
  /** A round is quiet when the rest of the machine used at most this much CPU (% of one core) meanwhile. */
  readonly quietOthersPercent: number
  /** Deadline of each phase of each client. */
  readonly phaseTimeoutMs: number
}

export interface Measurement {
  /** Mean time of one sequential non-streaming call, µs. */
  readonly perCallUs: number
  /** Requests per second with `concurrency` calls in flight. */
  readonly concurrentRps: number
  /** Content chunks per second over `streams` streams, `streamConcurrency` at a time. */
  readonly chunksPerSecond: number
  /** Live heap per open stream (after gc), KB (1024 bytes). */
  readonly heapKbPerStream: number
  /** CPU use of the bench process, the server process and the rest of the machine during each timed phase's
   * fastest round, in % of one core. */
  readonly cpu: {
    readonly sequential: CpuLoad
    readonly concurrent: CpuLoad
    readonly streaming: CpuLoad
  }
}

export interface CpuLoad {
  readonly client: number
  readonly server: number
  /** Everything else on the machine: high values mean the figures are disturbed. */
  readonly others: number
  /** Rounds run to find the counted one. */
  readonly rounds: number
}

/** A call whose text differs from the prompt: the bench fails. */
export class CheckError extends Error {
  override readonly name = "CheckError"
}

const BASE =
  "The quick brown fox jumps over the lazy dog while the benchmark counts every byte on loopback. " +
  "Each answer echoes this prompt, split into many small chunks, and every call checks it comes back intact. " +
  "Unicode too: café, naïve, Ærøskøbing, 東京, emoji 🦊 stay whole across chunk boundaries of the stream. " +
  "Padding keeps the prompt a few hundred characters long so that a streamed answer has two hundred chunks."

/** A distinct prompt per call (a cross-wired answer fails the check), always the same length. */
export const prompt = (i: number): string => `#${i.toString(36).padStart(6, "0")} ${BASE}`

const describeMismatch = (expected: string, actual: string): string => {
  let at = 0
  while (at < expected.length && expected[at] === actual[at]) at++
  return `lengths ${actual.length}/${expected.length}, first difference at ${at}: ${JSON.stringify(actual.slice(at, at + 20))}`
}

const checkText = (client: BenchClient, phase: string, expected: string, actual: string): void => {
  if (actual !== expected) {
    throw new CheckError(
      `${client.name} (${phase}): the answer differs from the prompt: ${describeMismatch(expected, actual)}`
    )
  }
}

const gc: () => void = (() => {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  V8.setFlagsFromString("--expose_gc")
  return Vm.runInNewContext("gc") as () => void
})()

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Full collections with turns of the event loop between them, so finalizers and weak callbacks run. */
export const settleHeap = async (): Promise<number> => {
  for (let i = 0; i < 4; i++) {
    gc()
    await immediate()
  }
  return process.memoryUsage().heapUsed
}

const runPool = async (total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (next < total && !failed) {
      const i = next++
      try {
        await task(i)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker))
}

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9

export interface Phases {
  /** Called before each phase, e.g. to print progress. */
  readonly onPhase?: (phase: string) => void
}

export const measureClient = async (
  client: BenchClient,
  server: FakeServerProcess,
  settings: Settings,
  hooks: Phases = {}
): Promise<Measurement> => {
  let seq = 0
  const phase = <A>(label: string, run: () => Promise<A>): Promise<A> => {
    hooks.onPhase?.(label)
    return withDeadline(run(), settings.phaseTimeoutMs, `${client.name}: ${label}`)
  }
  const call = async (label: string): Promise<void> => {
    const text = prompt(seq++)
    checkText(client, label, text, await client.call(text))
  }
  const stream = async (label: string): Promise<void> => {
    const text = prompt(seq++)
    const result = await client.stream(text)
    checkText(client, label, text, result.text)
    if (result.chunks !== settings.streamChunks) {
      throw new CheckError(`${client.name} (${label}): ${result.chunks} chunks, expected ${settings.streamChunks}`)
    }
  }

  await phase("warm-up", async () => {
    for (let i = 0; i < settings.warmupCalls; i++) await call("warm-up")
    await runPool(settings.concurrency * 4, settings.concurrency, () => call("warm-up"))
    await runPool(settings.warmupStreams, settings.streamConcurrency, () => stream("warm-up"))
  })

  // Runs `work` and returns its wall time (s) and the CPU load of both processes (and of the rest of the machine).
  const timed = async (work: () => Promise<void>): Promise<Round> => {
    const serverBefore = await server.cpuMicros()
    const machineBefore = machineBusyMicros()
    const clientBefore = process.cpuUsage()
    const start = process.hrtime.bigint()
    await work()
    const elapsed = seconds(start)
    const clientUsage = process.cpuUsage(clientBefore)
    const machine = machineBusyMicros() - machineBefore
    const serverMicros = (await server.cpuMicros()) - serverBefore
    const clientMicros = clientUsage.user + clientUsage.system
    const percent = (micros: number) => Math.round(micros / 1e4 / elapsed)
    return {
      elapsed,
      cpu: {
        client: percent(clientMicros),
        server: percent(serverMicros),
        others: Math.max(0, percent(machine - clientMicros - serverMicros))
      }
    }
  }
  // The fastest quiet round: other work on the machine only ever slows a round down. At least `rounds` rounds,
  // more (up to `maxRounds`) while none was quiet; when none ever is, the fastest round, marked disturbed.
  const best = async (work: () => Promise<void>): Promise<Round> => {
    let fastest: Round | undefined
    let fastestQuiet: Round | undefined
    let rounds = 0
    while (rounds < settings.rounds || (fastestQuiet === undefined && rounds < settings.maxRounds)) {
      const result = await timed(work)
      rounds++
      if (fastest === undefined || result.elapsed < fastest.elapsed) fastest = result
      if (result.cpu.others <= settings.quietOthersPercent) {
        if (fastestQuiet === undefined || result.elapsed < fastestQuiet.elapsed) fastestQuiet = result
      }
    }
    return { ...(fastestQuiet ?? fastest!), rounds }
  }

  const sequential = await phase("sequential", () =>
    best(async () => {
      for (let i = 0; i < settings.sequentialCalls; i++) await call("sequential")
    })
  )
  const concurrent = await phase(`${settings.concurrency} concurrent`, () =>
    best(() => runPool(settings.concurrentCalls, settings.concurrency, () => call("concurrent")))
  )
  const streaming = await phase("streaming", () =>
    best(() => runPool(settings.streams, settings.streamConcurrency, () => stream("streaming")))
  )
  const heapKbPerStream = await phase("live heap", () => measureHeap(client, server, settings))
  return {
    perCallUs: (sequential.elapsed * 1e6) / settings.sequentialCalls,
    concurrentRps: settings.concurrentCalls / concurrent.elapsed,
    chunksPerSecond: (settings.streams * settings.streamChunks) / streaming.elapsed,
    heapKbPerStream,
    cpu: {
      sequential: { ...sequential.cpu, rounds: sequential.rounds ?? 1 },
      concurrent: { ...concurrent.cpu, rounds: concurrent.rounds ?? 1 },
      streaming: { ...streaming.cpu, rounds: streaming.rounds ?? 1 }
    }
  }
}

interface Round {
  readonly elapsed: number
  readonly cpu: Omit<CpuLoad, "rounds">
  readonly rounds?: number
}

/** CPU time of the whole machine (all cores, all processes), µs; os.cpus() reports ms. */
const machineBusyMicros = (): number => {
  let busy = 0
  for (const cpu of Os.cpus()) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq
  return busy * 1000
}

const measureHeap = async (client: BenchClient, server: FakeServerProcess, settings: Settings): Promise<number> => {
  const count = settings.heapStreams
  const text = prompt(999_999)
  const open: Array<OpenStream> = []
  const closeAll = async (): Promise<void> => {
    await Promise.all(open.splice(0).map((stream) => stream.close().catch(() => undefined)))
  }
  try {
    await server.stall(count, text)
    const before = await settleHeap()
    await runPool(count, 64, async () => {
      const stream = await client.openStream(text)
      open.push(stream)
      if (stream.text.length === 0 || !text.startsWith(stream.text)) {
        throw new CheckError(
          `${client.name} (live heap): the first chunk ${JSON.stringify(stream.text)} does not start the prompt`
        )
      }
    })
    const after = await settleHeap()
    // Every stream must still be open now, or the figure measured nothing.
    const status = await server.stalledStatus()
    if (status.received !== count || status.closed !== 0) {
      throw new CheckError(
        `${client.name} (live heap): ${status.received} of ${count} streams started, ${status.closed} closed before the measurement`
      )
    }
    const perStream = (after - before) / count / 1024
    await closeAll()
    // The server must see every client leave, else a stream leaked open.
    for (;;) {
      const { closed } = await server.stalledStatus()
      if (closed === count) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return perStream
  } finally {
    await closeAll()
  }
}
