import { renameSync, writeFileSync } from "node:fs"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import {
  type AdapterConfig,
  AdapterConfigSource,
  type AdapterConfigSourceService,
  Config,
  ConfigError
} from "../../src/config/index.js"
import { temporaryDirectory, yaml } from "./helpers.js"

// These tests watch real files, so they run on the live clock. They wait for events with a bounded timeout and
// never sleep to make a point.

const files = temporaryDirectory()
afterAll(() => files.remove())

const secret = "sk-reload-secret-7731"

// Version k of a configuration: four fields that must always agree with each other.
const version = (k: number) =>
  yaml(
    "providers:",
    `  openai: { apiKey: ${secret} }`,
    `retry: { maxRetries: ${k} }`,
    `circuitBreaker: { failureThreshold: ${k + 1} }`,
    `defaultModel: mock/v${k}`,
    `aliases: { current: mock/v${k} }`
  )

const versionOf = (config: AdapterConfig): number => config.retry?.maxRetries ?? -1

const isWhole = (config: AdapterConfig): boolean => {
  const k = versionOf(config)
  return (
    config.circuitBreaker?.failureThreshold === k + 1 &&
    config.defaultModel === `mock/v${k}` &&
    config.aliases.current === `mock/v${k}`
  )
}

const invalid = yaml(
  "providers:",
  `  openai: { apiKey: ${secret}, timeout: 45 parsecs }`,
  "retry: { maxRetries: 99 }",
  "circuitBreaker: { failureThreshold: 100 }"
)

// Writers replace the file the way deploy tools do: write beside it, then rename over it.
const replace = (path: string, text: string) =>
  Effect.sync(() => {
    writeFileSync(`${path}.next`, text)
    renameSync(`${path}.next`, path)
  })

const rewrite = (path: string, text: string) => Effect.sync(() => writeFileSync(path, text))

const waitForVersion = (service: AdapterConfigSourceService, k: number) =>
  service.changes.pipe(
    Stream.filter((config) => versionOf(config) === k),
    Stream.runHead,
    Effect.timeoutOption("5 seconds"),
    Effect.map(Option.isSome)
  )

type LogLine = { readonly level: string; readonly text: string }

// Log lines, as they are written, for the tests to wait on and to read.
const capturedLogs = Effect.gen(function* () {
  const lines = yield* Queue.unbounded<LogLine>()
  const logger = Logger.make(({ logLevel, message }) => {
    const text = (Array.isArray(message) ? message : [message]).map(String).join(" ")
    Queue.unsafeOffer(lines, { level: logLevel.label, text })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
})

const firstWarning = (lines: Queue.Queue<LogLine>): Effect.Effect<LogLine> =>
  Effect.flatMap(Queue.take(lines), (line) => (line.level === "WARN" ? Effect.succeed(line) : firstWarning(lines)))

const nextWarning = (lines: Queue.Queue<LogLine>) => firstWarning(lines).pipe(Effect.timeoutOption("5 seconds"))

const nextTurnOfEventLoop = Effect.async<void>((resume) => {
  const handle = setImmediate(() => resume(Effect.void))
  return Effect.sync(() => clearImmediate(handle))
})

const expectedRefusal = (path: string) =>
  `${path}: 1 problem\n  providers.openai.timeout (line 2, col 44): expected a duration like 500ms, 45s, 2m or 1h, got "45 parsecs"`

describe("hot reload", () => {
  it.scopedLive("a changed file is validated and swapped in, whether rewritten in place or replaced", () =>
    Effect.gen(function* () {
      const path = files.write("swap.yaml", version(1))
      const service = yield* Config.makeWatched({ file: path, env: {}, debounce: "20 millis" })
      assert.strictEqual(service.source, path)
      assert.strictEqual(versionOf(yield* service.current), 1)

      yield* rewrite(path, version(2))
      assert.isTrue(yield* waitForVersion(service, 2), "the rewritten file was not picked up")
      assert.isTrue(isWhole(yield* service.current))

      yield* replace(path, version(3))
      assert.isTrue(yield* waitForVersion(service, 3), "the replaced file was not picked up")
      const live = yield* service.current
      assert.isTrue(isWhole(live))
      assert.strictEqual(Redacted.value(live.providers.openai?.apiKey ?? Redacted.make("")), secret)
      assert.isTrue(Option.isNone(yield* service.lastError))
    })
  )

  it.scopedLive("an invalid change is refused with its reason, logged without secrets; the old config stays live", () =>
    Effect.gen(function* () {
      const logs = yield* capturedLogs
      const path = files.write("refuse.yaml", version(1))
      const service = yield* Config.makeWatched({ file: path, env: {}, debounce: "20 millis" }).pipe(
        Effect.provide(logs.layer)
      )

      yield* replace(path, invalid)
      const warning = yield* nextWarning(logs.lines)
      assert.isTrue(Option.isSome(warning), "no warning was logged for the invalid file")
      const text = Option.getOrThrow(warning).text
      assert.include(text, "configuration change refused, the previous configuration stays live")
      assert.include(text, expectedRefusal(path))
      assert.notInclude(text, secret)

      const live = yield* service.current
      assert.strictEqual(versionOf(live), 1)
      assert.isTrue(isWhole(live))
      const lastError = yield* service.lastError
      assert.isTrue(Option.isSome(lastError))
      assert.instanceOf(Option.getOrThrow(lastError), ConfigError)
      assert.strictEqual(Option.getOrThrow(lastError).message, expectedRefusal(path))

      // A valid file again: swapped in, and the error is cleared.
      yield* replace(path, version(2))
      assert.isTrue(yield* waitForVersion(service, 2))
      assert.isTrue(Option.isNone(yield* service.lastError))
    })
  )

  it.scopedLive("Config.reload reads the file again on request, with watching off", () =>
    Effect.gen(function* () {
      const path = files.write("explicit.yaml", version(1))
      const service = yield* Config.makeWatched({ file: path, env: {}, watch: false })
      yield* replace(path, version(2))
      assert.strictEqual(versionOf(yield* service.current), 1)
      assert.strictEqual(versionOf(yield* service.reload), 2)
      assert.strictEqual(versionOf(yield* service.current), 2)

      yield* replace(path, invalid)
      const refused = yield* Effect.flip(service.reload)
      assert.strictEqual(refused.message, expectedRefusal(path))
      assert.strictEqual(versionOf(yield* service.current), 2)
      assert.strictEqual(Option.getOrThrow(yield* service.lastError).message, expectedRefusal(path))
    })
  )

  it.live("Config.layerFile: built from a valid file, and failing to build with ConfigError from an invalid one", () =>
    Effect.gen(function* () {
      const valid = files.write("layer.yaml", version(7))
      const live = yield* Effect.scoped(
        Effect.gen(function* () {
          const config = yield* Config.current
          const reloaded = yield* Config.reload
          const errors = yield* Config.lastError
          return { config, reloaded, errors }
        }).pipe(Effect.provide(Config.layerFile(valid, { env: {} })))
      )
      assert.strictEqual(versionOf(live.config), 7)
      assert.strictEqual(versionOf(live.reloaded), 7)
      assert.isTrue(Option.isNone(live.errors))

      const broken = files.write("broken.yaml", invalid)
      const failure = yield* Effect.flip(Effect.scoped(Layer.build(Config.layerFile(broken, { env: {} }))))
      assert.instanceOf(failure, ConfigError)
      assert.strictEqual(failure.message, expectedRefusal(broken))
    })
  )

  it.effect("Config.layer serves a fixed configuration", () =>
    Effect.gen(function* () {
      const fixed = yield* Config.parse(version(4), { env: {} })
      const served = yield* Effect.gen(function* () {
        const service = yield* AdapterConfigSource
        return {
          current: yield* service.current,
          reloaded: yield* service.reload,
          first: yield* Stream.runHead(service.changes),
          lastError: yield* service.lastError
        }
      }).pipe(Effect.provide(Config.layer(fixed)))
      assert.strictEqual(served.current, fixed)
      assert.strictEqual(served.reloaded, fixed)
      assert.strictEqual(Option.getOrThrow(served.first), fixed)
      assert.isTrue(Option.isNone(served.lastError))
    })
  )

  it.scopedLive("no reader ever sees a half-applied configuration while the file is swapped again and again", () =>
    Effect.gen(function* () {
      const path = files.write("concurrent.yaml", version(1))
      const service = yield* Config.makeWatched({ file: path, env: {}, debounce: "5 millis" })
      const last = 25

      // Each reader stands for a stream of requests: it reads the live configuration over and over, checks that
      // its fields agree, and that versions only move forward, until it sees the last one. Like a request, it waits on I/O now and then (a turn
      // of the event loop), which is also when file events come in.
      const reader = Effect.gen(function* () {
        let reads = 0
        let broken = 0
        let backwards = 0
        let previous = 0
        const versions = new Set<number>()
        while (previous !== last) {
          for (let burst = 0; burst < 50; burst++) {
            const config = yield* service.current
            const k = versionOf(config)
            reads++
            if (!isWhole(config)) broken++
            if (k < previous) backwards++
            previous = k
            versions.add(k)
            yield* Effect.yieldNow()
          }
          yield* nextTurnOfEventLoop
        }
        return { reads, broken, backwards, versions }
      })
      const readers = yield* Effect.forkAll(Array.from({ length: 8 }, () => reader))

      for (let k = 2; k <= last; k++) {
        yield* replace(path, version(k))
        // Now and then an explicit reload races the watcher for the same change.
        if (k % 3 === 0) yield* Effect.fork(Effect.ignore(service.reload))
        assert.isTrue(yield* waitForVersion(service, k), `version ${k} was not picked up`)
      }
      const results = yield* Fiber.join(readers).pipe(Effect.timeout("10 seconds"))

      for (const result of results) {
        assert.isAbove(result.reads, 100)
        assert.strictEqual(result.broken, 0, "a reader saw a configuration mixing two versions")
        assert.strictEqual(result.backwards, 0, "a reader saw an older configuration after a newer one")
        for (const k of result.versions) assert.isTrue(k >= 1 && k <= last)
      }
      const seen = new Set(results.flatMap((result) => [...result.versions]))
      assert.isTrue(seen.has(last))
      assert.isAbove(seen.size, 2, "the readers should have lived through several versions")
      assert.strictEqual(versionOf(yield* service.current), last)
    })
  )
})
