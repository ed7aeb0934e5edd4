/**
 * `agent-adapter bench`: a load test through the router. N requests at concurrency C (streamed with `--stream`), a
 * live progress bar on stderr (a line per tenth when stderr is not a terminal), then a table of throughput, latency
 * percentiles, time to first chunk and errors by type.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ChatRequest } from "../../core/ChatRequest.js"
import type { RouterService } from "../../routing/Router.js"
import { CliExit, ExitCode, tagOf } from "../Failure.js"
import * as Flags from "../Flags.js"
import { err, formatMillis, out, style, table } from "../Output.js"
import { commonOptions, defaultModel, router as loadRouter } from "../Session.js"

/**
 * One request's outcome.
 *
 * @since 0.1.0
 */
export interface Sample {
  readonly ok: boolean
  readonly latencyMs: number
  /** Streamed requests: when the first chunk arrived. */
  readonly firstChunkMs?: number | undefined
  /** The error's `_tag` for failed requests. */
  readonly error?: string | undefined
}

/**
 * Percentiles in milliseconds.
 *
 * @since 0.1.0
 */
export interface Percentiles {
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
}

/**
 * What a run measured.
 *
 * @since 0.1.0
 */
export interface BenchReport {
  readonly model: string
  readonly stream: boolean
  readonly requests: number
  readonly concurrency: number
  readonly succeeded: number
  readonly failed: number
  readonly elapsedMs: number
  /** Completed requests (succeeded or failed) per second of the whole run. */
  readonly requestsPerSecond: number
  /** Of the successful requests; absent when none succeeded. */
  readonly latency?: Percentiles | undefined
  /** Of the successful streamed requests. */
  readonly firstChunk?: Percentiles | undefined
  /** Failed requests by error `_tag`. */
  readonly errors: Readonly<Record<string, number>>
}

/**
 * The nearest-rank percentile `p` (0-100) of ascending `sorted` values.
 *
 * @since 0.1.0
 */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

const percentilesOf = (values: ReadonlyArray<number>): Percentiles | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!
  }
}

/**
 * Folds the samples of a run into its report.
 *
 * @since 0.1.0
 */
export const summarize = (
  samples: ReadonlyArray<Sample>,
  run: { readonly model: string; readonly stream: boolean; readonly concurrency: number; readonly elapsedMs: number }
): BenchReport => {
  const succeeded = samples.filter((sample) => sample.ok)
  const errors: Record<string, number> = {}
  for (const sample of samples) {
    if (!sample.ok) errors[sample.error ?? "Error"] = (errors[sample.error ?? "Error"] ?? 0) + 1
  }
  const firstChunks = succeeded.flatMap((sample) => (sample.firstChunkMs === undefined ? [] : [sample.firstChunkMs]))
  return {
    model: run.model,
    stream: run.stream,
    requests: samples.length,
    concurrency: run.concurrency,
    succeeded: succeeded.length,
    failed: samples.length - succeeded.length,
    elapsedMs: run.elapsedMs,
    requestsPerSecond: run.elapsedMs > 0 ? samples.length / (run.elapsedMs / 1000) : 0,
    latency: percentilesOf(succeeded.map((sample) => sample.latencyMs)),
    firstChunk: percentilesOf(firstChunks),
    errors
  }
}

const one = (router: RouterService, request: ChatRequest, stream: boolean): Effect.Effect<Sample> =>
  Effect.suspend(() => {
    const started = performance.now()
    let firstChunkMs: number | undefined
    const call: Effect.Effect<unknown, unknown> = stream
      ? Stream.runForEach(router.client.stream(request), () =>
          Effect.sync(() => {
            firstChunkMs ??= performance.now() - started
          })
        )
      : router.client.chat(request)
    return Effect.match(call, {
      onSuccess: (): Sample => ({ ok: true, latencyMs: performance.now() - started, firstChunkMs }),
      onFailure: (error): Sample => ({ ok: false, latencyMs: performance.now() - started, error: tagOf(error) })
    })
  })

// A bar redrawn in place on a terminal; elsewhere (CI logs, pipes) a line at every tenth.
const progress = (total: number) => {
  const terminal = process.stderr.isTTY === true
  const started = performance.now()
  let done = 0
  let failed = 0
  let lastTenth = 0
  let lastDrawn = Number.NEGATIVE_INFINITY
  return {
    record: (sample: Sample) =>
      Effect.sync(() => {
        done++
        if (!sample.ok) failed++
        const rate = done / Math.max(0.001, (performance.now() - started) / 1000)
        // Redrawn at most every 50 ms: a fast run finishes thousands of requests a second.
        if (terminal && (done === total || performance.now() - lastDrawn >= 50)) {
          lastDrawn = performance.now()
          const width = 30
          const filled = Math.round((done / total) * width)
          const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`
          const errors = failed > 0 ? style.red(` ${failed} failed`) : ""
          process.stderr.write(`\r${style.cyan(bar)} ${done}/${total}  ${rate.toFixed(1)} req/s${errors}\u001b[K`)
          if (done === total) process.stderr.write("\n")
        } else if (!terminal) {
          const tenth = Math.floor((done * 10) / total)
          if (tenth > lastTenth) {
            lastTenth = tenth
            process.stderr.write(
              `bench: ${done}/${total} (${tenth * 10}%), ${failed} failed, ${rate.toFixed(1)} req/s\n`
            )
          }
        }
      })
  }
}

const renderReport = (report: BenchReport): string => {
  const ms = (value: number | undefined) => (value === undefined ? "-" : formatMillis(value))
  const rows: Array<Array<string>> = [
    ["model", report.model],
    ["mode", report.stream ? "stream" : "chat"],
    ["requests", `${report.requests} (${report.succeeded} ok, ${report.failed} failed)`],
    ["concurrency", String(report.concurrency)],
    ["elapsed", formatMillis(report.elapsedMs)],
    ["throughput", `${report.requestsPerSecond.toFixed(1)} req/s`],
    ["latency p50", ms(report.latency?.p50)],
    ["latency p90", ms(report.latency?.p90)],
    ["latency p99", ms(report.latency?.p99)],
    ["latency max", ms(report.latency?.max)]
  ]
  if (report.stream) {
    rows.push(
      ["first chunk p50", ms(report.firstChunk?.p50)],
      ["first chunk p90", ms(report.firstChunk?.p90)],
      ["first chunk p99", ms(report.firstChunk?.p99)]
    )
  }
  const summary = table([{ header: "METRIC" }, { header: "VALUE", align: "right" }], rows)
  const errorRows = Object.entries(report.errors).sort(([, a], [, b]) => b - a)
  return errorRows.length === 0
    ? summary
    : `${summary}\n${table(
        [{ header: "ERROR" }, { header: "COUNT", align: "right" }],
        errorRows.map(([tag, count]) => [style.red(tag), String(count)])
      )}`
}

/**
 * The `bench` command.
 *
 * @since 0.1.0
 */
export const bench = Command.make(
  "bench",
  {
    ...commonOptions,
    model: Options.text("model").pipe(
      Options.withAlias("m"),
      Options.withPseudoName("MODEL"),
      Options.withDescription("provider/model, alias or group to load. Default: as for chat."),
      Options.optional
    ),
    requests: Flags.number("requests", { integer: true, min: 1 }).pipe(
      Options.withAlias("n"),
      Options.withDescription("How many requests in all."),
      Options.withDefault(100)
    ),
    concurrency: Flags.number("concurrency", { integer: true, min: 1 }).pipe(
      Options.withDescription("How many requests at once."),
      Options.withDefault(10)
    ),
    stream: Options.boolean("stream").pipe(Options.withDescription("Stream the answers and measure the first chunk.")),
    prompt: Options.text("prompt").pipe(
      Options.withPseudoName("TEXT"),
      Options.withDescription("What each request asks."),
      Options.withDefault("Reply with one short sentence.")
    ),
    maxTokens: Flags.number("max-tokens", { integer: true, min: 1 }).pipe(
      Options.withDescription("The longest answer, in tokens."),
      Options.optional
    ),
    json: Options.boolean("json").pipe(Options.withDescription("Print the report as JSON."))
  },
  (options) =>
    Effect.gen(function* () {
      const router = yield* loadRouter(options.config)
      const model = Option.isSome(options.model) ? options.model.value : yield* defaultModel(router)
      const request: ChatRequest = {
        model,
        messages: [{ role: "user", content: options.prompt }],
        ...(Option.isSome(options.maxTokens) ? { maxTokens: options.maxTokens.value } : {})
      }
      yield* err(
        style.dim(
          `bench: ${options.requests} requests to ${model}, ${options.concurrency} at a time${options.stream ? ", streamed" : ""}\n`
        )
      )
      const bar = progress(options.requests)
      const started = performance.now()
      const samples = yield* Effect.forEach(
        Array.from({ length: options.requests }, (_, index) => index),
        () => Effect.tap(one(router, request, options.stream), bar.record),
        { concurrency: options.concurrency }
      )
      const report = summarize(samples, {
        model,
        stream: options.stream,
        concurrency: options.concurrency,
        elapsedMs: performance.now() - started
      })
      yield* out(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report))
      // Errors are part of what a load test measures; only a run where nothing succeeded is a failure.
      if (report.succeeded === 0) return yield* new CliExit({ code: ExitCode.failure })
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Load-test a model through the router: throughput, latency percentiles, errors."))
