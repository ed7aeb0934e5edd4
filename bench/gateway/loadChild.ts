/**
 * The load generator in its own process: autocannon runs on request and answers with requests per second and
 * latency percentiles computed from every response's exact time (autocannon's own histogram has 1 ms resolution).
 * Every answer must carry `expectText` (the stream's `[DONE]`, or the echoed text), else it counts as an error.
 */
import autocannon from "autocannon"
import type { LoadResult, LoadSpec, ParentMessage } from "./protocol.js"
import { serveChild } from "./protocol.js"

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

const run = (spec: LoadSpec): Promise<LoadResult> =>
  new Promise((resolve, reject) => {
    const times: Array<number> = []
    let wrongBody: string | undefined
    const started = process.hrtime.bigint()
    const instance = autocannon(
      {
        url: spec.url,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: spec.body,
        connections: spec.connections,
        duration: spec.durationSeconds,
        timeout: spec.timeoutSeconds,
        // Checking every body costs the generator, not the process measured; it catches a target that answers
        // fast but wrong.
        verifyBody: (body: string) => {
          const right = body.includes(spec.expectText)
          if (!right && wrongBody === undefined) wrongBody = body.slice(0, 300)
          return right
        }
      },
      (error, result) => {
        if (error !== null && error !== undefined) {
          reject(error)
          return
        }
        const seconds = Number(process.hrtime.bigint() - started) / 1e9
        const sorted = Float64Array.from(times).sort()
        let sum = 0
        for (const time of times) sum += time
        resolve({
          requests: times.length,
          seconds,
          rps: times.length / seconds,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          mean: times.length === 0 ? Number.NaN : sum / times.length,
          errors: result.errors + result.mismatches,
          mismatches: result.mismatches,
          non2xx: result.non2xx,
          timeouts: result.timeouts,
          ...(wrongBody === undefined ? {} : { wrongBody })
        })
      }
    )
    instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === 200) times.push(responseTime)
    })
  })

serveChild(
  "",
  async () => {},
  (message: ParentMessage) => {
    if (message.type !== "load") return false
    run(message.spec).then(
      (result) => process.send?.({ type: "load", id: message.id, result }),
      (error: unknown) => process.send?.({ type: "failed", id: message.id, message: String(error) })
    )
    return true
  }
)
