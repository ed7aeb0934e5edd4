/**
 * `npm run bench:gateway`: the fake upstream three ways, on loopback, each in its own process, loaded by autocannon
 * in its own process:
 *
 *   direct    the fake provider server itself
 *   proxy     a bare pass-through proxy (a few lines of node:http): the floor for any Node gateway
 *   gateway   our gateway (one OpenAI instance, SQLite usage records, open on loopback)
 *
 * Non-streaming and streaming (200 chunks) answers, at 1 and 64 connections: requests per second, p50/p99 latency
 * and the CPU time the proxy or gateway process spends per request (`process.cpuUsage` over IPC). Then 1,000
 * concurrent streams through the gateway, with its memory sampled during the run. See bench/gateway/README.md.
 *
 *   npm run bench:gateway                 full run (about 3 minutes)
 *   npm run bench:gateway -- --quick      smoke run (short runs)
 *   npm run bench:gateway -- --json out.json
 *   npm run bench:gateway -- --strict     exit 2 when a target is missed
 */
import { type ChildProcess, fork } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { withDeadline } from "../deadline.js"
import { startFakeServerProcess } from "../fakeServerProcess.js"
import type { ChildMessage, LoadResult, LoadSpec, ParentMessage, Stats } from "./protocol.js"

interface Settings {
  readonly warmupSeconds: number
  readonly runSeconds: number
  readonly streamsSeconds: number
  readonly manyStreams: number
}

const FULL: Settings = { warmupSeconds: 5, runSeconds: 10, streamsSeconds: 30, manyStreams: 1000 }
const QUICK: Settings = { warmupSeconds: 1, runSeconds: 3, streamsSeconds: 9, manyStreams: 1000 }

// Failures of the diagnostic variants, printed under the table.
const variantFailures: Array<string> = []

interface Child {
  readonly url: string
  readonly pid: number
  stats(gc?: boolean): Promise<Stats>
  load(spec: LoadSpec): Promise<LoadResult>
  stop(): Promise<void>
}

const startChild = async (
  file: string,
  env: Record<string, string>,
  execArgv: ReadonlyArray<string> = []
): Promise<Child> => {
  const script = fileURLToPath(new URL(file, import.meta.url))
  const child: ChildProcess = fork(script, [], {
    execArgv: ["--import", "tsx", ...execArgv],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
  process.once("exit", kill)
  let nextId = 0
  const pending = new Map<number, (message: ChildMessage) => void>()
  let exited: Error | undefined
  const onExit: Array<(error: Error) => void> = []
  child.on("exit", (code, signal) => {
    exited = new Error(`${file} exited (code ${code}, signal ${signal})`)
    for (const reject of onExit.splice(0)) reject(exited)
  })
  const gone = () =>
    new Promise<never>((_, reject) => {
      if (exited !== undefined) reject(exited)
      else onExit.push(reject)
    })
  const url = await withDeadline(
    Promise.race([
      new Promise<string>((resolve) => {
        child.on("message", (message: ChildMessage) => {
          if (message.type === "ready") resolve(message.url)
          else if ("id" in message) {
            const waiter = pending.get(message.id)
            pending.delete(message.id)
            waiter?.(message)
          }
        })
      }),
      gone()
    ]),
    60_000,
    `starting ${file}`
  )
  const rpc = (message: ParentMessage & { readonly id: number }, ms: number) =>
    withDeadline(
      Promise.race([
        new Promise<ChildMessage>((resolve) => {
          pending.set(message.id, resolve)
          child.send(message)
        }),
        gone()
      ]),
      ms,
      `${file}: ${message.type}`
    )
  return {
    url,
    pid: child.pid ?? -1,
    stats: async (gc = false) => {
      const reply = await rpc({ type: "stats", id: nextId++, gc }, 10_000)
      if (reply.type !== "stats") throw new Error(`${file}: unexpected ${reply.type}`)
      return reply.stats
    },
    load: async (spec) => {
      const reply = await rpc({ type: "load", id: nextId++, spec }, (spec.durationSeconds + 60) * 1000)
      if (reply.type === "failed") throw new Error(`load: ${reply.message}`)
      if (reply.type !== "load") throw new Error(`${file}: unexpected ${reply.type}`)
      return reply.result
    },
    stop: async () => {
      if (exited !== undefined) return
      const done = gone().catch(() => undefined)
      if (child.connected) child.send({ type: "shutdown" } satisfies ParentMessage)
      await withDeadline(done, 15_000, `stopping ${file}`).catch(() => kill())
      process.off("exit", kill)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// What is sent

// ~400 characters: the fake echoes it, in 200 chunks when streamed.
const PROMPT =
  `bench-marker ${"The quick brown fox jumps over the lazy dog while the gateway relays every chunk. ".repeat(5)}`.slice(
    0,
    400
  )

type Target = "direct" | "proxy" | "gateway" | "gateway-no-usage" | "gateway-no-router" | "gateway-bare"

const isGateway = (target: Target): boolean => target.startsWith("gateway")
type Mode = "json" | "stream"

const bodyFor = (target: Target, mode: Mode): string =>
  JSON.stringify({
    model: isGateway(target) ? "openai/gpt-4o-mini" : "gpt-4o-mini",
    messages: [{ role: "user", content: PROMPT }],
    ...(mode === "stream" ? { stream: true } : {})
  })

const expected = (mode: Mode): string => (mode === "stream" ? "data: [DONE]" : "bench-marker")

/** One request by hand: the answer must be the prompt, in 200 deltas when streamed. */
const check = async (url: string, target: Target, mode: Mode): Promise<void> => {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: bodyFor(target, mode)
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`${target} ${mode}: status ${response.status}: ${text.slice(0, 300)}`)
  if (mode === "json") {
    const content = (JSON.parse(text) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message
      .content
    if (content !== PROMPT) throw new Error(`${target} json: the answer is not the prompt`)
    return
  }
  let joined = ""
  let deltas = 0
  for (const event of text.split("\n\n")) {
    if (!event.startsWith("data: {")) continue
    const content = (JSON.parse(event.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]
      ?.delta.content
    if (content !== undefined && content !== "") {
      joined += content
      deltas++
    }
  }
  if (joined !== PROMPT || deltas !== 200) {
    throw new Error(`${target} stream: ${deltas} deltas, text ${joined === PROMPT ? "right" : "wrong"}`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring

interface Row {
  readonly mode: Mode
  readonly connections: number
  readonly target: Target
  readonly load: LoadResult
  /** µs of the measured process (proxy or gateway; the upstream's for direct) per request. */
  readonly cpuPerRequestUs: number
  readonly upstreamCpuPerRequestUs: number
}

const measure = async (
  children: { readonly upstream: { cpuMicros(): Promise<number> } } & Partial<Record<Target, Child>>,
  loader: Child,
  urls: Partial<Record<Target, string>>,
  target: Target,
  mode: Mode,
  connections: number,
  settings: Settings
): Promise<Row> => {
  const spec = (seconds: number): LoadSpec => ({
    url: `${urls[target] ?? ""}/v1/chat/completions`,
    body: bodyFor(target, mode),
    connections,
    durationSeconds: seconds,
    timeoutSeconds: 30,
    expectText: expected(mode)
  })
  await loader.load(spec(settings.warmupSeconds))
  const measured = target === "direct" ? undefined : children[target]
  const before = await measured?.stats()
  const upstreamBefore = await children.upstream.cpuMicros()
  const load = await loader.load(spec(settings.runSeconds))
  const after = await measured?.stats()
  const upstreamAfter = await children.upstream.cpuMicros()
  const upstreamCpu = (upstreamAfter - upstreamBefore) / Math.max(1, load.requests)
  const cpu =
    before === undefined || after === undefined
      ? upstreamCpu
      : (after.cpuMicros - before.cpuMicros) / Math.max(1, load.requests)
  if (load.errors > 0 || load.non2xx > 0 || load.timeouts > 0) {
    const failures = `${target} ${mode} x${connections}: ${load.errors} errors (wrong bodies included), ${load.non2xx} non-2xx, ${load.timeouts} timeouts${
      load.wrongBody === undefined ? "" : `; first wrong answer: ${load.wrongBody}`
    }`
    // The diagnostic variants call the provider without the router's retries, so an upstream hiccup (a kept-alive
    // socket the upstream closed as it was reused) reaches the client there: reported, not fatal. The measured
    // targets must answer every request right.
    if (!target.startsWith("gateway-")) throw new Error(failures)
    variantFailures.push(failures)
    process.stderr.write(`  warning: ${failures}\n`)
  }
  return { mode, connections, target, load, cpuPerRequestUs: cpu, upstreamCpuPerRequestUs: upstreamCpu }
}

interface ManyStreams {
  readonly target: Target
  readonly streams: number
  readonly load: LoadResult
  /** MB: before the run (after GC), sampled every two seconds during it (after a GC), after it (after GC). */
  readonly rssBeforeMb: number
  readonly rssSamplesMb: ReadonlyArray<number>
  readonly heapSamplesMb: ReadonlyArray<number>
  readonly rssAfterMb: number
  readonly heapBeforeMb: number
  readonly heapAfterMb: number
}

const mb = (bytes: number): number => bytes / (1024 * 1024)

const manyStreams = async (child: Child, loader: Child, target: Target, settings: Settings): Promise<ManyStreams> => {
  const before = await child.stats(true)
  const samples: Array<number> = []
  const heapSamples: Array<number> = []
  const running = loader.load({
    url: `${child.url}/v1/chat/completions`,
    body: bodyFor(target, "stream"),
    connections: settings.manyStreams,
    durationSeconds: settings.streamsSeconds,
    // A thousand streams share two cores with the upstream and the load generator: a slow one is not a failure.
    timeoutSeconds: 120,
    expectText: expected("stream")
  })
  let finished = false
  void running.finally(() => {
    finished = true
  })
  while (!finished) {
    await new Promise((resolve) => setTimeout(resolve, 2000))
    if (!finished) {
      // A full GC first, so that the heap figure is what the open streams hold, not garbage not yet collected.
      const stats = await child.stats(true)
      samples.push(mb(stats.rssBytes))
      heapSamples.push(mb(stats.heapUsedBytes))
    }
  }
  const load = await running
  const after = await child.stats(true)
  if (load.mismatches > 0 || load.non2xx > 0 || load.errors > load.timeouts) {
    throw new Error(
      `${settings.manyStreams} streams through ${target}: ${load.errors} errors (${load.mismatches} wrong bodies), ${load.non2xx} non-2xx, ${load.timeouts} timeouts, ${load.requests} streams answered`
    )
  }
  return {
    target,
    streams: settings.manyStreams,
    load,
    rssBeforeMb: mb(before.rssBytes),
    rssSamplesMb: samples,
    heapSamplesMb: heapSamples,
    rssAfterMb: mb(after.rssBytes),
    heapBeforeMb: mb(before.heapUsedBytes),
    heapAfterMb: mb(after.heapUsedBytes)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reporting

const TARGETS = { throughput: 0.5, cpu: 2.0, addedP50Ms: 1.0, memoryGrowth: 0.15 } as const

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (row: ReadonlyArray<string>) =>
    `| ${row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`
  const rule = `|${widths.map((width, column) => (column < 2 ? `${"-".repeat(width + 2)}` : `${"-".repeat(width + 1)}:`)).join("|")}|`
  return [line(header), rule, ...rows.map(line)].join("\n")
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : "–")
const grouped = (value: number): string => Math.round(value).toLocaleString("en-US")

interface Verdicts {
  readonly lines: Array<string>
  readonly pass: boolean
}

const report = (
  rows: ReadonlyArray<Row>,
  streams: ReadonlyArray<ManyStreams>
): { text: string; verdicts: Verdicts } => {
  const find = (mode: Mode, connections: number, target: Target) =>
    rows.find((row) => row.mode === mode && row.connections === connections && row.target === target)
  const body: Array<Array<string>> = []
  const verdictLines: Array<string> = []
  let pass = true
  const mark = (ok: boolean) => {
    pass &&= ok
    return ok ? "✓" : "✗"
  }
  for (const row of rows) {
    const proxy = find(row.mode, row.connections, "proxy")!
    const direct = find(row.mode, row.connections, "direct")!
    const scenario = `${row.mode === "json" ? "non-streaming" : "stream 200 chunks"}, ${row.connections} conn`
    const ours = row.target === "gateway"
    const rpsRatio = row.load.rps / proxy.load.rps
    const cpuRatio = row.cpuPerRequestUs / proxy.cpuPerRequestUs
    const addedP50 = row.load.p50 - direct.load.p50
    body.push([
      scenario,
      row.target,
      grouped(row.load.rps),
      row.target === "direct" ? "" : `×${fixed(rpsRatio, 2)}${ours ? ` ${mark(rpsRatio >= TARGETS.throughput)}` : ""}`,
      fixed(row.load.p50, 3),
      fixed(row.load.p99, 3),
      row.target === "direct"
        ? ""
        : `+${fixed(addedP50, 3)}${ours && row.connections === 1 ? ` ${mark(addedP50 < TARGETS.addedP50Ms)}` : ""}`,
      row.target === "direct" ? `(${fixed(row.cpuPerRequestUs, 0)})` : fixed(row.cpuPerRequestUs, 0),
      row.target === "gateway"
        ? `×${fixed(cpuRatio, 2)} ${mark(cpuRatio <= TARGETS.cpu)}`
        : isGateway(row.target)
          ? `×${fixed(cpuRatio, 2)}`
          : ""
    ])
  }
  const text = [
    table(["scenario", "target", "req/s", "vs proxy", "p50 ms", "p99 ms", "p50 added", "CPU µs/req", "vs proxy"], body),
    "",
    "CPU µs/req is the proxy's or the gateway's process; for direct, in parentheses, the upstream's own.",
    `Targets (gateway): req/s ≥ ×${TARGETS.throughput} the proxy's, CPU ≤ ×${TARGETS.cpu} the proxy's, p50 added over direct < ${TARGETS.addedP50Ms} ms at 1 connection.`,
    ""
  ]
  for (const run of streams) {
    // The heap grows while the first streams open; what must stay flat is the rest of the run: the heap after a GC
    // in the last third of the samples against the middle third.
    const samples = run.heapSamplesMb
    const third = Math.max(1, Math.floor(samples.length / 3))
    const middle = samples.slice(third, 2 * third)
    const last = samples.slice(samples.length - third)
    const average = (list: ReadonlyArray<number>) =>
      list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length)
    const growth = (average(last) - average(middle)) / average(middle)
    const flat = growth <= TARGETS.memoryGrowth
    text.push(
      `${run.streams} concurrent streams through ${run.target}: ${grouped(run.load.rps)} streams/s (${grouped(run.load.rps * 200)} chunks/s), p50 ${fixed(run.load.p50, 1)} ms, p99 ${fixed(run.load.p99, 1)} ms, ${run.load.requests} streams, ${run.load.timeouts} timed out (${run.load.non2xx} errors, ${run.load.mismatches} cut)`,
      `  heap after GC ${fixed(run.heapBeforeMb, 1)} MB before, ${samples.map((value) => fixed(value, 1)).join(" ")} MB during (every 2 s), ${fixed(run.heapAfterMb, 1)} MB after`,
      `  RSS ${fixed(run.rssBeforeMb, 0)} MB before, ${run.rssSamplesMb.map((value) => fixed(value, 0)).join(" ")} MB during, ${fixed(run.rssAfterMb, 0)} MB after`,
      `  heap in the last third of the run vs the middle third: ${growth >= 0 ? "+" : ""}${fixed(growth * 100, 1)}% ${run.target === "gateway" ? mark(flat) : ""}`
    )
    if (run.target === "gateway") verdictLines.push(`flat memory under ${run.streams} streams: ${flat ? "yes" : "no"}`)
  }
  return { text: text.join("\n"), verdicts: { lines: verdictLines, pass } }
}

// ---------------------------------------------------------------------------------------------------------------

// The Node flags `npm start` runs the gateway with (the options before the script in package.json's `start` script,
// run by `tsx` or `node`): every server of the bench gets them, the proxy too, so the gateway is measured as it ships
// and the floor under the same V8 settings.
const startFlags = (): ReadonlyArray<string> => {
  const manifest = JSON.parse(Fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    readonly scripts?: Readonly<Record<string, string>>
  }
  const [command, ...words] = (manifest.scripts?.start ?? "").trim().split(/\s+/)
  if (command !== "tsx" && command !== "node") return []
  const flags: Array<string> = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === "--import" || word === "--require") i++
    else if (word.startsWith("--")) flags.push(word)
    else break
  }
  return flags
}
const serverFlags = startFlags()

// The gateway's child script; `BENCH_GATEWAY_CHILD` names another (an absolute path to an older checkout's, to
// compare two versions of the gateway on one machine in one sitting).
const gatewayScript = process.env.BENCH_GATEWAY_CHILD ?? "./gatewayChild.ts"

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "string" },
      strict: { type: "boolean", default: false },
      /** Writes CPU profiles of the gateway process (node --cpu-prof) into this directory, the proxy's into `proxy/`. */
      profile: { type: "string" },
      modes: { type: "string", default: "json,stream" },
      connections: { type: "string", default: "1,64" },
      targets: { type: "string", default: "direct,proxy,gateway" },
      "skip-many-streams": { type: "boolean", default: false },
      /** Also measure diagnostic variants of the gateway: without usage records, without the router, without both. */
      diagnose: { type: "boolean", default: false },
      /** Where the gateway keeps keys and usage: a SQLite `file` (the default, as npm start) or `memory`. */
      database: { type: "string", default: "file" }
    }
  })
  const modes = values.modes.split(",").filter((mode): mode is Mode => mode === "json" || mode === "stream")
  const connectionCounts = values.connections.split(",").map(Number)
  const chosen = values.targets.split(",")
  // The ratios need the proxy and direct rows beside the gateway's.
  const targets: Array<Target> = (["direct", "proxy", "gateway"] as const).filter(
    (target) => chosen.includes(target) || (chosen.includes("gateway") && target !== "gateway")
  )
  if (values.diagnose) targets.push("gateway-no-usage", "gateway-no-router", "gateway-bare")
  const settings = values.quick ? QUICK : FULL
  const directory = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-gateway-"))
  const stops: Array<() => Promise<void>> = []
  try {
    const upstream = await startFakeServerProcess({ streamChunks: 200, startTimeoutMs: 60_000 })
    stops.push(() => upstream.stop())
    const profileInto = (subdirectory: string): ReadonlyArray<string> =>
      values.profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${Path.resolve(values.profile, subdirectory)}`]
    const proxy = await startChild("./proxyChild.ts", { BENCH_UPSTREAM: upstream.url }, [
      "--expose-gc",
      ...serverFlags,
      ...profileInto("proxy")
    ])
    stops.push(() => proxy.stop())
    const gateway = await startChild(
      gatewayScript,
      {
        BENCH_UPSTREAM: upstream.url,
        BENCH_DATABASE: values.database === "memory" ? ":memory:" : Path.join(directory, "gateway.db")
      },
      [
        "--expose-gc",
        ...serverFlags,
        ...(process.env.BENCH_GATEWAY_NODE_ARGS ?? "").split(" ").filter((arg) => arg !== ""),
        ...profileInto(".")
      ]
    )
    stops.push(() => gateway.stop())
    const loader = await startChild("./loadChild.ts", {})
    stops.push(() => loader.stop())
    const variants: Partial<Record<Target, Child>> = {}
    for (const [target, variant] of [
      ["gateway-no-usage", "no-usage"],
      ["gateway-no-router", "no-router"],
      ["gateway-bare", "bare"]
    ] as const) {
      if (!targets.includes(target)) continue
      const child = await startChild(
        gatewayScript,
        {
          BENCH_UPSTREAM: upstream.url,
          BENCH_DATABASE: values.database === "memory" ? ":memory:" : Path.join(directory, `${variant}.db`),
          BENCH_VARIANT: variant
        },
        ["--expose-gc", ...serverFlags]
      )
      stops.push(() => child.stop())
      variants[target] = child
    }
    const urls: Partial<Record<Target, string>> = {
      direct: upstream.url,
      proxy: proxy.url,
      gateway: gateway.url,
      ...Object.fromEntries(Object.entries(variants).map(([target, child]) => [target, child.url]))
    }
    for (const target of targets) {
      for (const mode of ["json", "stream"] as const) await check(urls[target]!, target, mode)
    }
    process.stderr.write(
      `Node ${process.version}, ${Os.cpus().length} × ${Os.cpus()[0]?.model ?? "cpu"}; runs of ${settings.runSeconds} s after ${settings.warmupSeconds} s of warm-up; servers run with ${serverFlags.length === 0 ? "no Node flags" : serverFlags.join(" ")} (as npm start)\n`
    )
    const rows: Array<Row> = []
    const heapBefore = await gateway.stats(true)
    for (const mode of modes) {
      for (const connections of connectionCounts) {
        for (const target of targets) {
          const row = await measure(
            { upstream, proxy, gateway, ...variants },
            loader,
            urls,
            target,
            mode,
            connections,
            settings
          )
          process.stderr.write(
            `  ${mode} x${connections} ${target}: ${grouped(row.load.rps)} req/s, p50 ${fixed(row.load.p50, 3)} ms, ${fixed(row.cpuPerRequestUs, 0)} µs CPU/req\n`
          )
          rows.push(row)
        }
      }
    }
    const heapAfter = await gateway.stats(true)
    const served = rows.filter((row) => row.target === "gateway").reduce((sum, row) => sum + row.load.requests, 0)
    const heapLine = `Gateway heap after GC: ${fixed(mb(heapBefore.heapUsedBytes), 1)} MB before the runs, ${fixed(mb(heapAfter.heapUsedBytes), 1)} MB after them (${grouped(served)} requests measured, warm-ups besides); RSS ${fixed(mb(heapBefore.rssBytes), 0)} → ${fixed(mb(heapAfter.rssBytes), 0)} MB.`
    const streams: Array<ManyStreams> = []
    for (const [target, child] of !values["skip-many-streams"]
      ? ([
          ["proxy", proxy],
          ["gateway", gateway]
        ] as const)
      : []) {
      const run = await manyStreams(child, loader, target, settings)
      process.stderr.write(`  ${run.streams} streams through ${target}: done\n`)
      streams.push(run)
    }
    const { text, verdicts } = report(rows, streams)
    const variantLine =
      variantFailures.length === 0
        ? ""
        : `\nDiagnostic variants with failed requests (no retries there):\n${variantFailures.map((line) => `- ${line}`).join("\n")}\n`
    process.stdout.write(
      `\n${text}\n${heapLine}\n${variantLine}\n${verdicts.pass ? "ALL TARGETS MET" : "SOME TARGETS MISSED"}\n`
    )
    if (values.json !== undefined) {
      Fs.writeFileSync(values.json, JSON.stringify({ settings, node: process.version, rows, streams }, null, 2))
    }
    return values.strict && !verdicts.pass ? 2 : 0
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
    Fs.rmSync(directory, { recursive: true, force: true })
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`bench:gateway failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  }
)
