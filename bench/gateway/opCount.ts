/**
 * `npm run bench:gateway:ops`: the Effect operations and fibers the gateway runs per request, counted, not timed.
 *
 * CPU time per request moves ±10 % between runs on a shared machine, so a change worth a few per cent cannot be seen
 * in `bench:gateway`'s table. The number of Effect operations the runtime evaluates for one request is exact and the
 * same on every machine: this script serves the gateway in-process (the same configuration as `gatewayChild.ts`, in
 * front of the fake upstream in its own process) with a `Supervisor` that counts every operation and fiber, sends
 * requests one at a time over loopback HTTP, and prints the counts per request by kind of operation. Fewer
 * operations is not always less CPU (the sixth round in README.md removed 20 % of them for no measurable change),
 * but more operations on the hot path is always a question worth asking.
 *
 * Options: `--requests N` (measured requests per mode, default 200), `--modes json,stream`, `--top N` (how many
 * kinds of operation to list, default 12).
 */
import * as Http from "node:http"
import { parseArgs } from "node:util"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as Scope from "effect/Scope"
import * as Supervisor from "effect/Supervisor"
import * as Gateway from "../../src/gateway/Gateway.js"
import { startFakeServerProcess } from "../fakeServerProcess.js"
import { benchGatewayConfig } from "./benchConfig.js"

type Mode = "json" | "stream"

// Counts while `counting` is on: every operation a fiber evaluates (by its op code), and every fiber started.
class OpCounter extends Supervisor.AbstractSupervisor<void> {
  readonly value = Effect.void
  counting = false
  fibers = 0
  readonly ops = new Map<string, number>()
  override onStart(): void {
    if (this.counting) this.fibers++
  }
  override onEffect(_fiber: unknown, effect: unknown): void {
    if (!this.counting) return
    const op = (effect as { readonly _op?: string })._op ?? "unknown"
    this.ops.set(op, (this.ops.get(op) ?? 0) + 1)
  }
  reset(): void {
    this.fibers = 0
    this.ops.clear()
  }
}

const send = (agent: Http.Agent, url: string, body: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const request = Http.request(
      `${url}/v1/chat/completions`,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (response) => {
        let text = ""
        response.setEncoding("utf8")
        response.on("data", (part: string) => {
          text += part
        })
        response.on("end", () =>
          response.statusCode === 200
            ? resolve(text)
            : reject(new Error(`the gateway answered ${response.statusCode}: ${text.slice(0, 300)}`))
        )
        response.on("error", reject)
      }
    )
    request.on("error", reject)
    request.end(body)
  })

const main = async () => {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "200" },
      modes: { type: "string", default: "json,stream" },
      top: { type: "string", default: "12" }
    }
  })
  const requests = Number(values.requests)
  const top = Number(values.top)
  const modes = values.modes.split(",").map((mode) => mode.trim())
  if (!Number.isInteger(requests) || requests < 1) throw new Error(`--requests must be a positive integer`)
  if (!Number.isInteger(top) || top < 1) throw new Error(`--top must be a positive integer`)
  for (const mode of modes) {
    if (mode !== "json" && mode !== "stream") throw new Error(`--modes: unknown mode "${mode}" (json or stream)`)
  }

  const upstream = await startFakeServerProcess({ streamChunks: 200, startTimeoutMs: 60_000 })
  const counter = new OpCounter()
  const layer = Gateway.layerConfig(benchGatewayConfig(upstream.url, ":memory:"), {
    host: "127.0.0.1",
    port: 0,
    router: { env: {} }
  }).pipe(Layer.provide(Layer.merge(Supervisor.addSupervisor(counter), RuntimeFlags.enableOpSupervision)))
  const scope = Effect.runSync(Scope.make())
  const agent = new Http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
    const url = Context.get(context, Gateway.GatewayServer).url
    console.log(`Effect operations per request through the gateway (${requests} requests per mode, one at a time)`)
    for (const mode of modes as ReadonlyArray<Mode>) {
      const body = JSON.stringify({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "Count the operations." }],
        ...(mode === "stream" ? { stream: true } : {})
      })
      // Warm-up: connections opened, lazy state built, the usage writer's first batch written.
      for (let i = 0; i < 50; i++) await send(agent, url, body)
      counter.reset()
      counter.counting = true
      for (let i = 0; i < requests; i++) await send(agent, url, body)
      // Work that ends after the response (settling, the usage queue) belongs to the request too.
      await new Promise((resolve) => setTimeout(resolve, 250))
      counter.counting = false
      let total = 0
      for (const count of counter.ops.values()) total += count
      const label = mode === "json" ? "non-streaming" : "streaming (200 chunks)"
      console.log(
        `\n${label}: ${(total / requests).toFixed(1)} operations, ${(counter.fibers / requests).toFixed(2)} fibers per request`
      )
      const kinds = [...counter.ops].sort((a, b) => b[1] - a[1]).slice(0, top)
      for (const [op, count] of kinds) console.log(`  ${op.padEnd(22)} ${(count / requests).toFixed(1).padStart(7)}`)
    }
  } finally {
    agent.destroy()
    await Effect.runPromise(Scope.close(scope, Exit.void))
    await upstream.stop()
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:gateway:ops: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
