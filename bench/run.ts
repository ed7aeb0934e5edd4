/**
 * `npm run bench`: this SDK (Effect API and facade) beside plain `fetch`, plain `node:http` and the official `openai`
 * SDK, on loopback against the fake provider in its own process. See bench/README.md.
 *
 *   npm run bench                       full run (2–4 minutes)
 *   npm run bench -- --quick            smoke run (a few seconds of measuring, small counts)
 *   npm run bench -- --json out.json    also write the results as JSON
 *   npm run bench -- --clients effect,facade   only these clients (plain fetch always runs: it is the baseline)
 *   npm run bench -- --strict           exit 2 when our SDK misses a target
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import { parseArgs } from "node:util"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpTransport from "../src/transport/HttpTransport.js"
import type { BenchClient, ClientConfig } from "./clients/BenchClient.js"
import { makeEffectClient } from "./clients/effectClient.js"
import { makeFacadeClient } from "./clients/facadeClient.js"
import { makeFetchClient } from "./clients/fetchClient.js"
import { makeNodeHttpClient } from "./clients/nodeHttpClient.js"
import { makeOpenAiSdkClient } from "./clients/openAiSdkClient.js"
import { DeadlineError, withDeadline } from "./deadline.js"
import { startFakeServerProcess } from "./fakeServerProcess.js"
import { CheckError, type CpuLoad, type Measurement, measureClient, type Settings, settleHeap } from "./measure.js"

interface ClientSpec {
  readonly id: string
  /** Which table: the comparison of the issue, or the transports of the Effect API. */
  readonly tables: ReadonlyArray<"main" | "transports">
  /** Rows with targets. */
  readonly ours: boolean
  readonly label: string
  readonly make: (config: ClientConfig) => BenchClient | Promise<BenchClient>
}

const CLIENTS: ReadonlyArray<ClientSpec> = [
  { id: "fetch", tables: ["main"], ours: false, label: "plain fetch + SSE split", make: makeFetchClient },
  { id: "node-http", tables: ["main"], ours: false, label: "plain node:http keep-alive", make: makeNodeHttpClient },
  { id: "openai", tables: ["main"], ours: false, label: "openai SDK 6.49", make: makeOpenAiSdkClient },
  {
    id: "effect",
    tables: ["main", "transports"],
    ours: true,
    label: "SDK Effect API",
    make: (config) => makeEffectClient(config, "SDK Effect API", HttpTransport.layer)
  },
  {
    id: "facade",
    tables: ["main"],
    ours: true,
    label: "SDK facade (Client)",
    make: (config) => makeFacadeClient(config)
  },
  {
    id: "facade-bare",
    tables: ["main"],
    ours: false,
    label: "SDK facade, no retry or deadlines",
    make: (config) => makeFacadeClient(config, true)
  },
  {
    id: "effect-platform",
    tables: ["transports"],
    ours: false,
    label: "Effect API + HttpTransport.layerPlatform",
    make: (config) => makeEffectClient(config, "Effect API + platform node:http", HttpTransport.layerPlatform)
  },
  {
    id: "effect-undici",
    tables: ["transports"],
    ours: false,
    label: "Effect API + HttpTransport.layerUndici",
    make: (config) => makeEffectClient(config, "Effect API + undici", HttpTransport.layerUndici)
  },
  {
    id: "effect-fetch",
    tables: ["transports"],
    ours: false,
    label: "Effect API + FetchHttpClient.layer",
    make: (config) => makeEffectClient(config, "Effect API + FetchHttpClient", FetchHttpClient.layer)
  }
]

const TRANSPORT_LABEL: Record<string, string> = {
  effect: "HttpTransport.layer (ours, node:http keep-alive)",
  "effect-platform": "HttpTransport.layerPlatform (@effect/platform-node)",
  "effect-undici": "HttpTransport.layerUndici",
  "effect-fetch": "FetchHttpClient.layer (global fetch)"
}

/** Ratios to plain fetch: per call as a time ratio (lower is better), the others as throughput ratios. */
const TARGETS = { perCall: 1.0, concurrent: 1.0, streaming: 0.9, heapKb: 48 } as const

const FULL: Settings = {
  warmupCalls: 200,
  warmupStreams: 40,
  sequentialCalls: 2000,
  concurrentCalls: 10_000,
  concurrency: 64,
  streams: 400,
  streamConcurrency: 8,
  streamChunks: 200,
  heapStreams: 500,
  rounds: 3,
  maxRounds: 10,
  quietOthersPercent: 15,
  phaseTimeoutMs: 180_000
}

const QUICK: Settings = {
  ...FULL,
  warmupCalls: 30,
  warmupStreams: 8,
  sequentialCalls: 150,
  concurrentCalls: 640,
  streams: 24,
  heapStreams: 100,
  rounds: 1,
  maxRounds: 1,
  phaseTimeoutMs: 20_000
}

interface Ratios {
  readonly perCall: number
  readonly concurrent: number
  readonly streaming: number
  readonly heap: number
}

interface Result {
  readonly id: string
  readonly label: string
  readonly ours: boolean
  readonly measurement: Measurement
  readonly ratios: Ratios
  readonly pass?: {
    readonly perCall: boolean
    readonly concurrent: boolean
    readonly streaming: boolean
    readonly heap: boolean
  }
}

const ratiosTo = (m: Measurement, base: Measurement): Ratios => ({
  perCall: m.perCallUs / base.perCallUs,
  concurrent: m.concurrentRps / base.concurrentRps,
  streaming: m.chunksPerSecond / base.chunksPerSecond,
  heap: m.heapKbPerStream / base.heapKbPerStream
})

const load = (m: Measurement): string =>
  [m.cpu.sequential, m.cpu.concurrent, m.cpu.streaming]
    .map((cpu) => `${cpu.client}/${cpu.server}/${cpu.others}%${cpu.rounds > 1 ? ` (${cpu.rounds} rounds)` : ""}`)
    .join(", ")

const grouped = (value: number): string => Math.round(value).toLocaleString("en-US")
const ratio = (value: number): string => `×${value.toFixed(2)}`
const mark = (pass: boolean | undefined): string => (pass === undefined ? "" : pass ? " ✓" : " ✗")

// A dagger marks a figure measured while other processes used more than `quiet` % of a core.
const cells = (result: Result, quiet: number, marks = true): Array<string> => {
  const { measurement: m, ratios: r } = result
  const pass = marks ? result.pass : undefined
  const disturbed = (cpu: CpuLoad) => (cpu.others > quiet ? "†" : "")
  return [
    `${m.perCallUs.toFixed(0)} µs${disturbed(m.cpu.sequential)} ${ratio(r.perCall)}${mark(pass?.perCall)}`,
    `${grouped(m.concurrentRps)} req/s${disturbed(m.cpu.concurrent)} ${ratio(r.concurrent)}${mark(pass?.concurrent)}`,
    `${grouped(m.chunksPerSecond)} chunks/s${disturbed(m.cpu.streaming)} ${ratio(r.streaming)}${mark(pass?.streaming)}`,
    `${m.heapKbPerStream.toFixed(1)} KB ${ratio(r.heap)}${mark(pass?.heap)}`
  ]
}

const verdict = (result: Result): string => {
  if (result.pass === undefined) return ""
  return Object.values(result.pass).every(Boolean) ? "PASS" : "MISS"
}

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (row: ReadonlyArray<string>) =>
    `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`
  const rule = `|${widths.map((width, column) => (column === 0 ? `${"-".repeat(width + 1)}-` : `-${"-".repeat(width)}:`)).join("|")}|`
  return [line(header), rule, ...rows.map(line)].join("\n")
}

const parse = () => {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      clients: { type: "string" },
      strict: { type: "boolean", default: false },
      help: { type: "boolean", default: false }
    },
    strict: true
  })
  return values
}

const main = async (): Promise<number> => {
  const args = parse()
  if (args.help) {
    console.log(
      "usage: npm run bench -- [--quick] [--json <file>] [--clients fetch,node-http,openai,effect,facade,facade-bare,effect-platform,effect-undici,effect-fetch] [--strict]"
    )
    return 0
  }
  const settings = args.quick ? QUICK : FULL
  const wanted =
    args.clients === undefined ? undefined : new Set(["fetch", ...args.clients.split(",").map((s) => s.trim())])
  if (wanted !== undefined) {
    const unknown = [...wanted].filter((id) => !CLIENTS.some((spec) => spec.id === id))
    if (unknown.length > 0) throw new Error(`unknown client(s): ${unknown.join(", ")}`)
  }
  const specs = CLIENTS.filter((spec) => wanted === undefined || wanted.has(spec.id))
  const started = Date.now()

  const cpu = Os.cpus()
  console.log(`agent-adapter SDK bench (${args.quick ? "quick" : "full"})`)
  console.log(
    `node ${process.version}, ${Os.platform()} ${Os.arch()}, ${cpu[0]?.model ?? "unknown CPU"} × ${cpu.length} cores`
  )
  console.log(
    `sequential N=${settings.sequentialCalls}; ${settings.concurrency} concurrent, ${settings.concurrentCalls} calls; ` +
      `streaming ${settings.streams} streams × ${settings.streamChunks} chunks, ${settings.streamConcurrency} at a time; ` +
      `live heap with ${settings.heapStreams} streams open; warm-up ${settings.warmupCalls} calls + ${settings.warmupStreams} streams; ` +
      `best of ${settings.rounds} round${settings.rounds === 1 ? "" : "s"} per timed phase`
  )

  const server = await startFakeServerProcess({ streamChunks: settings.streamChunks, startTimeoutMs: 30_000 })
  console.log(`fake server ${server.url} in process ${server.pid}\n`)
  const measured = new Map<string, Measurement>()
  try {
    const config: ClientConfig = { url: server.url, apiKey: "sk-bench", model: "gpt-4o-mini" }
    for (const spec of specs) {
      const client = await withDeadline(
        Promise.resolve(spec.make(config)),
        settings.phaseTimeoutMs,
        `${spec.label}: setup`
      )
      process.stdout.write(`${spec.label.padEnd(42)}`)
      const t0 = Date.now()
      try {
        const m = await measureClient(client, server, settings, { onPhase: () => process.stdout.write(".") })
        measured.set(spec.id, m)
        process.stdout.write(
          ` ${m.perCallUs.toFixed(0)} µs, ${grouped(m.concurrentRps)} req/s, ${grouped(m.chunksPerSecond)} chunks/s, ${m.heapKbPerStream.toFixed(1)} KB (${((Date.now() - t0) / 1000).toFixed(1)} s; CPU bench/server/others ${load(m)})\n`
        )
      } finally {
        await withDeadline(client.close(), 10_000, `${spec.label}: close`)
        await settleHeap()
      }
    }
  } finally {
    await server.stop()
  }

  const base = measured.get("fetch")!
  const results: Array<Result> = specs.map((spec) => {
    const m = measured.get(spec.id)!
    const r = ratiosTo(m, base)
    return {
      id: spec.id,
      label: spec.label,
      ours: spec.ours,
      measurement: m,
      ratios: r,
      ...(spec.ours
        ? {
            pass: {
              perCall: r.perCall <= TARGETS.perCall,
              concurrent: r.concurrent >= TARGETS.concurrent,
              streaming: r.streaming >= TARGETS.streaming,
              heap: m.heapKbPerStream <= TARGETS.heapKb
            }
          }
        : {})
    }
  })

  const header = ["client", "per call", `${settings.concurrency} concurrent`, "streaming", "live heap / stream", ""]
  console.log("")
  console.log(
    table(
      header,
      results
        .filter((r) => CLIENTS.find((c) => c.id === r.id)!.tables.includes("main"))
        .map((r) => [r.label, ...cells(r, settings.quietOthersPercent), verdict(r)])
    )
  )
  console.log(
    `targets for our rows (ratios to plain fetch): per call ≤ ${ratio(TARGETS.perCall)}, ${settings.concurrency} concurrent ≥ ${ratio(TARGETS.concurrent)}, ` +
      `streaming ≥ ${ratio(TARGETS.streaming)}, live heap ≤ ${TARGETS.heapKb} KB per stream`
  )
  const transports = results.filter((r) => CLIENTS.find((c) => c.id === r.id)!.tables.includes("transports"))
  if (transports.length > 0) {
    console.log("\nEffect API by transport (ratios to plain fetch)")
    console.log(
      table(
        ["transport", ...header.slice(1, 5)],
        transports.map((r) => [TRANSPORT_LABEL[r.id] ?? r.label, ...cells(r, settings.quietOthersPercent, false)])
      )
    )
  }
  const disturbed = results.some((r) =>
    [r.measurement.cpu.sequential, r.measurement.cpu.concurrent, r.measurement.cpu.streaming].some(
      (cpu) => cpu.others > settings.quietOthersPercent
    )
  )
  if (disturbed) {
    console.log(
      `\n† other processes used more than ${settings.quietOthersPercent}% of a core during every round of this figure: it is pessimistic; rerun on a quiet machine`
    )
  }
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s; every call's text checked`)

  if (args.json !== undefined) {
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: cpu[0]?.model,
      cores: cpu.length,
      mode: args.quick ? "quick" : "full",
      settings,
      targets: TARGETS,
      results
    }
    Fs.writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`)
    console.log(`results written to ${args.json}`)
  }
  const missed = results.some((r) => r.pass !== undefined && !Object.values(r.pass).every(Boolean))
  return args.strict && missed ? 2 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("")
    if (error instanceof CheckError) console.error(`bench: TEXT CHECK FAILED: ${error.message}`)
    else if (error instanceof DeadlineError) console.error(`bench: TIMEOUT: ${error.message}`)
    else console.error("bench: failed:", error)
    process.exit(1)
  }
)
