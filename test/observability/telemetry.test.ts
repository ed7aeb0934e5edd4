// The telemetry `Observability.layer` wires up: OTLP/HTTP export of traces and metrics to a collector (a real HTTP
// server on loopback standing in for one), the endpoint from the environment, and the JSON log format.
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import { LlmClient } from "../../src/core/LlmClient.js"
import { ProviderError } from "../../src/core/LlmError.js"
import * as Observability from "../../src/observability/Observability.js"
import { MockLlm, MockReply } from "../../src/testing/index.js"

interface Received {
  readonly path: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: unknown
}

// An OTLP/HTTP collector that keeps every JSON export it receives.
const collector: Effect.Effect<{ readonly url: string; readonly received: Array<Received> }, never, Scope.Scope> =
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: Array<Received>; readonly server: Http.Server }>(
      (resume) => {
        const received: Array<Received> = []
        const server = Http.createServer((request, response) => {
          const parts: Array<Buffer> = []
          request.on("data", (part: Buffer) => parts.push(part))
          request.on("end", () => {
            const text = Buffer.concat(parts).toString("utf8")
            received.push({ path: request.url ?? "", headers: request.headers, body: JSON.parse(text) as unknown })
            response.writeHead(200, { "content-type": "application/json" })
            response.end("{}")
          })
        })
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as AddressInfo
          resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, received, server }))
        })
      }
    ),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const ask = (model: string) => ({ model, messages: [{ role: "user" as const, content: "Hello" }] })

const spanNames = (received: ReadonlyArray<Received>): Array<string> =>
  received
    .filter((item) => item.path === "/v1/traces")
    .flatMap(
      (item) =>
        (item.body as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string }> }> }> }).resourceSpans
    )
    .flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans.map((span) => span.name)))

const metricNames = (received: ReadonlyArray<Received>): Array<string> =>
  received
    .filter((item) => item.path === "/v1/metrics")
    .flatMap(
      (item) =>
        (item.body as { resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }> })
          .resourceMetrics
    )
    .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics.map((metric) => metric.name)))

// Lines written to the console, for the log format tests.
const capturingConsole = (lines: Array<string>): Console.Console => {
  const write = (...args: ReadonlyArray<unknown>) => {
    lines.push(args.map(String).join(" "))
  }
  const unsafe = { ...globalThis.console, log: write, info: write, warn: write, error: write, debug: write }
  return {
    [Console.TypeId]: Console.TypeId,
    unsafe,
    assert: () => Effect.void,
    clear: Effect.void,
    count: () => Effect.void,
    countReset: () => Effect.void,
    debug: (...args) => Effect.sync(() => write(...args)),
    dir: () => Effect.void,
    dirxml: () => Effect.void,
    error: (...args) => Effect.sync(() => write(...args)),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: (...args) => Effect.sync(() => write(...args)),
    log: (...args) => Effect.sync(() => write(...args)),
    table: () => Effect.void,
    time: () => Effect.void,
    timeEnd: () => Effect.void,
    timeLog: () => Effect.void,
    trace: () => Effect.void,
    warn: (...args) => Effect.sync(() => write(...args))
  } as Console.Console
}

describe("Observability.layer: OTLP export", () => {
  it.effect("traces and metrics reach the collector's /v1/traces and /v1/metrics, with the resource and headers", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { url, received } = yield* collector
        const live = Observability.layer({
          serviceName: "otlp-test-service",
          serviceVersion: "1.2.3",
          otlpEndpoint: `${url}/`,
          otlpHeaders: { "x-collector-token": "collector-secret" },
          logFormat: "none"
        }).pipe(Layer.provide(MockLlm.layer({ whenEmpty: "echo" })))
        // The layer's scope ends with the program: the tracer and the metric reader flush then.
        yield* Effect.provide(LlmClient.chat(ask("m-otlp")), live)
        assert.include(spanNames(received), "chat m-otlp")
        assert.include(spanNames(received), "gen_ai.attempt")
        assert.include(metricNames(received), "gen_ai.client.operation.duration")
        assert.include(metricNames(received), "gen_ai.client.token.usage")
        for (const item of received) assert.strictEqual(item.headers["x-collector-token"], "collector-secret")
        const traces = received.find((item) => item.path === "/v1/traces")!.body as {
          resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> } }>
        }
        const resource = traces.resourceSpans[0]!.resource.attributes
        assert.deepInclude(resource, { key: "service.name", value: { stringValue: "otlp-test-service" } })
        assert.deepInclude(resource, { key: "service.version", value: { stringValue: "1.2.3" } })
      })
    )
  )

  it.effect("without an endpoint, OTEL_EXPORTER_OTLP_ENDPOINT is used; without either, nothing is exported", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { url, received } = yield* collector
        const live = Observability.layer({ serviceName: "env-test", logFormat: "none" }).pipe(
          Layer.provide(MockLlm.layer({ whenEmpty: "echo" }))
        )
        yield* Effect.provide(LlmClient.chat(ask("m-otlp-none")), live).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
        assert.deepStrictEqual(received, [])
        yield* Effect.provide(LlmClient.chat(ask("m-otlp-env")), live).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OTEL_EXPORTER_OTLP_ENDPOINT", url]])))
        )
        assert.include(spanNames(received), "chat m-otlp-env")
      })
    )
  )
})

describe("Observability.layer: logs", () => {
  it.effect("the json format writes one redacted JSON line per call through the console", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const live = Observability.layer({ serviceName: "log-test", redaction: { secrets: ["echoed-odd-key"] } }).pipe(
        Layer.provide(
          MockLlm.layer([MockReply.text("fine"), MockReply.fail(new ProviderError({ message: "saw echoed-odd-key" }))])
        )
      )
      yield* Effect.gen(function* () {
        yield* LlmClient.chat(ask("m-json-log"))
        yield* Effect.flip(LlmClient.chat(ask("m-json-log")))
      }).pipe(Effect.provide(live), Effect.withConsole(capturingConsole(lines)))
      assert.strictEqual(lines.length, 2)
      const [ok, failed] = lines.map(
        (line) => JSON.parse(line) as { message: string; logLevel: string; annotations: Record<string, unknown> }
      )
      assert.strictEqual(ok!.message, "chat m-json-log success")
      assert.deepInclude(ok!.annotations, { model: "m-json-log", provider: "mock", outcome: "success" })
      assert.strictEqual(failed!.logLevel, "WARN")
      assert.strictEqual(failed!.annotations["error.message"], "saw [REDACTED]")
      for (const line of lines) assert.notInclude(line, "echoed-odd-key")
    })
  )

  it.effect("logLevel keeps less severe lines out; logfmt writes key=value lines", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const warnOnly = Observability.layer({ serviceName: "log-test", logLevel: "Warning" }).pipe(
        Layer.provide(MockLlm.layer({ whenEmpty: "echo" }))
      )
      yield* Effect.provide(LlmClient.chat(ask("m-level")), warnOnly).pipe(Effect.withConsole(capturingConsole(lines)))
      assert.deepStrictEqual(lines, [])
      // The level (and the logger) end with the layer: the next layer's Info line gets through.
      const logfmt = Observability.layer({ serviceName: "log-test", logFormat: "logfmt" }).pipe(
        Layer.provide(MockLlm.layer({ whenEmpty: "echo" }))
      )
      yield* Effect.provide(LlmClient.chat(ask("m-logfmt")), logfmt).pipe(Effect.withConsole(capturingConsole(lines)))
      assert.strictEqual(lines.length, 1)
      assert.include(lines[0]!, 'message="chat m-logfmt success"')
      assert.include(lines[0]!, "model=m-logfmt")
    })
  )
})
