/**
 * Loading a configuration: from a YAML or JSON file (with `${VAR}` interpolation), the environment, and explicit
 * options, merged in that order (options win over the environment, which wins over the file), then validated in
 * one pass: a `ConfigError` lists every problem with its path, its line and column in the file, and what was
 * expected. Keys are `Redacted` from the moment they are read.
 *
 * As a service, `layerFile` watches the file and swaps each valid change in whole; an invalid change is refused
 * with its reason (logged, and kept in `lastError`) and the previous configuration stays live.
 *
 * @example
 * ```ts
 * import { Config } from "@agent-adapter/sdk"
 * import { Effect } from "effect"
 *
 * const config = await Effect.runPromise(Config.load({ file: "agent-adapter.yaml" }))
 * ```
 *
 * @since 0.1.0
 */
import { readFileSync, watch } from "node:fs"
import { basename, dirname, extname } from "node:path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { AdapterConfigSource, type AdapterConfigSourceService } from "./AdapterConfigSource.js"
import { ConfigError, type ConfigIssue } from "./ConfigError.js"
import { AdapterConfigFromInput, type ConfigInput, sections } from "./ConfigSchema.js"
import { describeKind } from "./internal/describe.js"
import { type Format as DocumentFormat, parseDocument } from "./internal/document.js"
import { environmentSettings } from "./internal/environment.js"
import { interpolateTree, isPlainObject } from "./internal/interpolate.js"
import { flattenIssue } from "./internal/issues.js"
import { mergeSources, type Source } from "./internal/merge.js"
import { formatPath, type Path, pathKey, type RawIssue } from "./internal/path.js"
import type { AdapterConfig } from "./types.js"

/**
 * The text formats a configuration may be written in.
 *
 * @since 0.1.0
 */
export type Format = DocumentFormat

/**
 * Environment variables, by name: `process.env` unless a test or an embedder passes its own.
 *
 * @since 0.1.0
 */
export type Environment = Readonly<Record<string, string | undefined>>

/**
 * The variable naming the configuration file when `file` is not given.
 *
 * @since 0.1.0
 */
export const fileVariable = "AGENT_ADAPTER_CONFIG"

/**
 * Where `load` reads from.
 *
 * @since 0.1.0
 */
export interface LoadOptions {
  /** A `.yaml`, `.yml` or `.json` file. Default: `$AGENT_ADAPTER_CONFIG`, else no file. */
  readonly file?: string | undefined
  /** Environment variables, for interpolation and for the settings read from the environment. Default `process.env`. */
  readonly env?: Environment | undefined
  /** Explicit options in the file's shape: they win over the environment and the file. Taken as written (no `${}`). */
  readonly overrides?: ConfigInput | undefined
}

/**
 * How `parse` reads text.
 *
 * @since 0.1.0
 */
export interface ParseOptions {
  /** What to call the text in messages (a file name, say). Default `"configuration"`. */
  readonly source?: string | undefined
  /** Default: from the extension of `source`, else YAML (which also reads JSON). */
  readonly format?: Format | undefined
  /** For `${VAR}` interpolation. Default `process.env`. */
  readonly env?: Environment | undefined
}

/**
 * How `decode` reads an object.
 *
 * @since 0.1.0
 */
export interface DecodeOptions {
  /** What to call the object in messages. Default `"options"`. */
  readonly source?: string | undefined
  /** For `${VAR}` interpolation of its strings. Default `process.env`. */
  readonly env?: Environment | undefined
}

/**
 * How a configuration service built from a file behaves.
 *
 * @since 0.1.0
 */
export interface LayerFileOptions {
  /** Reload when the file changes. Default true. */
  readonly watch?: boolean | undefined
  /** How long the file must stay quiet before it is read again (editors write in several steps). Default 100 ms. */
  readonly debounce?: Duration.DurationInput | undefined
  readonly env?: Environment | undefined
  readonly overrides?: ConfigInput | undefined
}

// =============================================================================
// Reading sources
// =============================================================================

const defaultEnvironment = (): Environment => process.env

/**
 * The format a file is read in, from its extension.
 *
 * @since 0.1.0
 */
export const formatOf = (path: string): Format | undefined => {
  const extension = extname(path).toLowerCase()
  return extension === ".yaml" || extension === ".yml" ? "yaml" : extension === ".json" ? "json" : undefined
}

const failure = (source: string, message: string): ConfigError =>
  ConfigError.fromIssues(source, [{ path: "", message }])

const readText = (path: string): Either.Either<string, ConfigError> => {
  try {
    return Either.right(readFileSync(path, "utf8"))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const reason =
      code === "ENOENT"
        ? "the file does not exist"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory, not a file"
            : `cannot read the file (${code ?? String(error)})`
    return Either.left(failure(path, reason))
  }
}

interface Prepared {
  readonly source: Source
  /** Strings whose `${VAR}` could not be resolved, reported unless a later source replaces them. */
  readonly unresolved: ReadonlyArray<RawIssue>
}

const notAMapping = (label: string, value: unknown): ConfigError =>
  failure(label, `expected a mapping of configuration sections (${sections.join(", ")}), got ${describeKind(value)}`)

// Top-level keys starting with `x-` are the file's own (a place for YAML anchors, as in Compose files).
const withoutExtensions = (document: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(document).filter(([key]) => !key.startsWith("x-")))

const prepareText = (
  text: string,
  label: string,
  format: Format,
  env: Environment
): Either.Either<Prepared, ConfigError> => {
  const document = parseDocument(text, format)
  if (document._tag === "Invalid") {
    return Either.left(
      ConfigError.fromIssues(
        label,
        document.issues.map((issue) => ({
          path: "",
          message: issue.message,
          ...(issue.line === undefined ? {} : { line: issue.line }),
          ...(issue.column === undefined ? {} : { column: issue.column })
        }))
      )
    )
  }
  if (!isPlainObject(document.value)) return Either.left(notAMapping(label, document.value))
  const interpolated = interpolateTree(withoutExtensions(document.value), env)
  return Either.right({
    source: { label, value: interpolated.value as Record<string, unknown>, locations: document.positions },
    unresolved: interpolated.issues
  })
}

const prepareObject = (
  input: unknown,
  label: string,
  env: Environment | undefined
): Either.Either<Prepared, ConfigError> => {
  if (!isPlainObject(input)) return Either.left(notAMapping(label, input))
  const interpolated = env === undefined ? { value: input, issues: [] } : interpolateTree(input, env)
  return Either.right({
    source: { label, value: interpolated.value as Record<string, unknown>, locations: new Map() },
    unresolved: interpolated.issues
  })
}

// =============================================================================
// Validating
// =============================================================================

const isUnder = (path: Path, prefix: Path): boolean =>
  prefix.length <= path.length && pathKey(path.slice(0, prefix.length)) === pathKey(prefix)

const validate = (prepared: ReadonlyArray<Prepared>): Either.Either<AdapterConfig, ConfigError> => {
  const sources = prepared.map((item) => item.source)
  const merged = mergeSources(sources)
  // A `${VAR}` that cannot be resolved matters only if its string is what ends up in the configuration.
  const unresolved = prepared.flatMap((item) =>
    item.unresolved
      .filter((issue) => merged.sourceOf(issue.path) === item.source)
      .map((issue) => ({ ...issue, source: item.source }))
  )
  const decoded = Schema.decodeUnknownEither(AdapterConfigFromInput)(merged.value)
  if (Either.isRight(decoded) && unresolved.length === 0) return Either.right(decoded.right)
  const schemaIssues = Either.isLeft(decoded)
    ? flattenIssue(decoded.left.issue)
        // The value of an unresolved string is not what was meant: its own problem is the one to report.
        .filter((issue) => !unresolved.some((missing) => isUnder(issue.path, missing.path)))
        .flatMap((issue) => {
          const source = merged.sourceOf(issue.path)
          return source === undefined ? [] : [{ ...issue, source }]
        })
    : []
  const located = [...unresolved, ...schemaIssues].map((issue) => ({
    order: sources.indexOf(issue.source),
    source: issue.source,
    path: issue.path,
    message: issue.message,
    location: merged.locate(issue.path, issue.source)
  }))
  located.sort(
    (a, b) =>
      a.order - b.order ||
      (a.location.line ?? Number.POSITIVE_INFINITY) - (b.location.line ?? Number.POSITIVE_INFINITY) ||
      (a.location.column ?? 0) - (b.location.column ?? 0)
  )
  const labels = [...new Set(located.map((issue) => issue.source.label))]
  const several = labels.length > 1
  const issues: Array<ConfigIssue> = located.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
    ...(issue.location.line === undefined ? {} : { line: issue.location.line }),
    ...(issue.location.column === undefined ? {} : { column: issue.location.column }),
    ...(issue.location.variable === undefined ? {} : { variable: issue.location.variable }),
    ...(several ? { source: issue.source.label } : {})
  }))
  return Either.left(ConfigError.fromIssues(labels.join(" + "), issues))
}

// =============================================================================
// Loading
// =============================================================================

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === "" ? undefined : value

const fileOf = (options: LoadOptions, env: Environment): string | undefined =>
  nonEmpty(options.file) ?? nonEmpty(env[fileVariable])

const fileFormat = (path: string): Either.Either<Format, ConfigError> => {
  const format = formatOf(path)
  return format === undefined
    ? Either.left(
        failure(path, `cannot tell the format from the extension \`${extname(path)}\`: use a .yaml, .yml or .json file`)
      )
    : Either.right(format)
}

// Everything `load` does once the file's text (if any) is read.
const assemble = (
  options: LoadOptions,
  env: Environment,
  file: { readonly path: string; readonly text: string } | undefined
): Either.Either<AdapterConfig, ConfigError> =>
  Either.gen(function* () {
    const fromFile =
      file === undefined ? undefined : yield* prepareText(file.text, file.path, yield* fileFormat(file.path), env)
    const fromOptions =
      options.overrides === undefined ? undefined : yield* prepareObject(options.overrides, "options", undefined)
    const fromEnvironment = environmentSettings(env, [fromFile?.source.value, fromOptions?.source.value])
    const environment: Prepared = {
      source: { label: "environment", value: fromEnvironment.value, locations: fromEnvironment.variables },
      unresolved: []
    }
    return yield* validate([
      ...(fromFile === undefined ? [] : [fromFile]),
      environment,
      ...(fromOptions === undefined ? [] : [fromOptions])
    ])
  })

const readFileOf = (
  options: LoadOptions,
  env: Environment
): Either.Either<{ readonly path: string; readonly text: string } | undefined, ConfigError> => {
  const path = fileOf(options, env)
  if (path === undefined) return Either.right(undefined)
  return Either.flatMap(fileFormat(path), () => Either.map(readText(path), (text) => ({ path, text })))
}

/**
 * Loads a configuration: the file (`file`, else `$AGENT_ADAPTER_CONFIG`, else none) with its `${VAR}`s
 * interpolated, then the environment (an instance of each provider whose key variable is set and that the file
 * does not configure; `AGENT_ADAPTER_MASTER_KEY`, `AGENT_ADAPTER_DATABASE_URL`, `AGENT_ADAPTER_REDIS_URL`, `HOST`,
 * `PORT` for the gateway), then `overrides`; later sources win key by key. Fails with every problem at once.
 *
 * Reading is synchronous underneath, so `Effect.runSync` may run it.
 *
 * @since 0.1.0
 */
export const load = (options: LoadOptions = {}): Effect.Effect<AdapterConfig, ConfigError> =>
  Effect.suspend(() => {
    const env = options.env ?? defaultEnvironment()
    return Either.flatMap(readFileOf(options, env), (file) => assemble(options, env, file))
  })

/**
 * Reads configuration text (YAML, or JSON) on its own: no environment settings, no options, but `${VAR}`
 * interpolation from `env`.
 *
 * @since 0.1.0
 */
export const parse = (text: string, options: ParseOptions = {}): Effect.Effect<AdapterConfig, ConfigError> =>
  Effect.suspend(() => {
    const label = options.source ?? "configuration"
    const format = options.format ?? (options.source === undefined ? undefined : formatOf(options.source)) ?? "yaml"
    return Either.flatMap(prepareText(text, label, format, options.env ?? defaultEnvironment()), (prepared) =>
      validate([prepared])
    )
  })

/**
 * Reads an object in the file's shape on its own (its strings interpolated from `env`, as a file's are).
 *
 * @since 0.1.0
 */
export const decode = (input: unknown, options: DecodeOptions = {}): Effect.Effect<AdapterConfig, ConfigError> =>
  Effect.suspend(() =>
    Either.flatMap(prepareObject(input, options.source ?? "options", options.env ?? defaultEnvironment()), (prepared) =>
      validate([prepared])
    )
  )

// =============================================================================
// As a service
// =============================================================================

/**
 * The configuration service over a fixed configuration.
 *
 * @since 0.1.0
 */
export const make = (config: AdapterConfig): Effect.Effect<AdapterConfigSourceService> =>
  Effect.map(SubscriptionRef.make(config), (ref) => ({
    source: "options",
    current: SubscriptionRef.get(ref),
    changes: ref.changes,
    lastError: Effect.succeedNone,
    reload: SubscriptionRef.get(ref)
  }))

/**
 * A fixed configuration as the service (tests, and programs that build their configuration in code).
 *
 * @since 0.1.0
 */
export const layer = (config: AdapterConfig): Layer.Layer<AdapterConfigSource> =>
  Layer.effect(AdapterConfigSource, make(config))

// Only events about the file itself matter; `..data` and its kin are how Kubernetes swaps a mounted file.
const concerns = (file: string, name: string | null): boolean =>
  name === null || name === basename(file) || name.startsWith("..")

type FileEvent = { readonly _tag: "Changed" } | { readonly _tag: "Failed"; readonly error: Error }

const changed: FileEvent = { _tag: "Changed" }

// Watches the file's directory, not the file: a file replaced by a rename is a new file, which a watch on the old
// one would miss. The watch is in place when this returns, so no change made after it is lost.
const watchFile = (file: string): Effect.Effect<Queue.Dequeue<FileEvent>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const events = yield* Effect.acquireRelease(Queue.unbounded<FileEvent>(), Queue.shutdown)
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        try {
          const watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
            if (concerns(file, name)) Queue.unsafeOffer(events, changed)
          })
          watcher.on("error", (error) => Queue.unsafeOffer(events, { _tag: "Failed", error }))
          return watcher
        } catch (error) {
          Queue.unsafeOffer(events, {
            _tag: "Failed",
            error: error instanceof Error ? error : new Error(String(error))
          })
          return undefined
        }
      }),
      (watcher) => Effect.sync(() => watcher?.close())
    )
    return events
  })

/**
 * The configuration service over `load(options)`: loaded now (failing with `ConfigError` when invalid), and, when
 * `watch` is on and there is a file, reloaded whenever the file changes. Each reload validates the whole
 * configuration before swapping it in at once; a refused one leaves the live configuration as it was, sets
 * `lastError` and logs its reason as a warning.
 *
 * @since 0.1.0
 */
export const makeWatched = (
  options: LoadOptions & Pick<LayerFileOptions, "watch" | "debounce"> = {}
): Effect.Effect<AdapterConfigSourceService, ConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const env = options.env ?? defaultEnvironment()
    const read = Effect.suspend(() => readFileOf(options, env))
    const first = yield* read
    const initial = yield* assemble(options, env, first)
    const ref = yield* SubscriptionRef.make(initial)
    const lastError = yield* Ref.make(Option.none<ConfigError>())
    // The text last looked at, valid or not: a change event that leaves it as it was is not a change.
    const seen = yield* Ref.make(first?.text)
    // One reload at a time, so a slow older read never lands after a newer one.
    const lock = yield* Effect.makeSemaphore(1)
    const source = first?.path ?? (options.overrides === undefined ? "environment" : "options")

    const apply = (onlyIfChanged: boolean): Effect.Effect<AdapterConfig, ConfigError> =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const file = yield* read
          if (onlyIfChanged && file?.text === (yield* Ref.get(seen))) return yield* SubscriptionRef.get(ref)
          yield* Ref.set(seen, file?.text)
          const next = yield* assemble(options, env, file)
          yield* SubscriptionRef.set(ref, next)
          yield* Ref.set(lastError, Option.none())
          yield* Effect.logInfo(`configuration reloaded from ${source}`)
          return next
        }).pipe(
          Effect.tapError((error) =>
            Effect.zipRight(
              Ref.set(lastError, Option.some(error)),
              Effect.logWarning(`configuration change refused, the previous configuration stays live\n${error.message}`)
            )
          )
        )
      )

    if (options.watch !== false && first !== undefined) {
      const file = first.path
      const events = yield* watchFile(file)
      yield* Stream.fromQueue(events).pipe(
        Stream.mapEffect((event) => (event._tag === "Failed" ? Effect.fail(event.error) : Effect.succeed(event))),
        Stream.debounce(options.debounce ?? Duration.millis(100)),
        Stream.runForEach(() => Effect.ignore(apply(true))),
        Effect.catchAll((error) => Effect.logWarning(`stopped watching ${file} for changes: ${error.message}`)),
        Effect.forkScoped
      )
    }

    return {
      source,
      current: SubscriptionRef.get(ref),
      changes: ref.changes,
      lastError: Ref.get(lastError),
      reload: apply(false)
    }
  })

/**
 * The configuration service over `load(options)`, watched when `watch` is not false (see `makeWatched`).
 *
 * @since 0.1.0
 */
export const layerLoad = (
  options: LoadOptions & Pick<LayerFileOptions, "watch" | "debounce"> = {}
): Layer.Layer<AdapterConfigSource, ConfigError> => Layer.scoped(AdapterConfigSource, makeWatched(options))

/**
 * The configuration service over a file (merged with the environment and `overrides` as `load` does), watched and
 * reloaded unless `watch: false`. Building the layer fails with `ConfigError` when the file is invalid.
 *
 * @since 0.1.0
 */
export const layerFile = (
  path: string,
  options: LayerFileOptions = {}
): Layer.Layer<AdapterConfigSource, ConfigError> => layerLoad({ ...options, file: path })

/**
 * The configuration now live.
 *
 * @since 0.1.0
 */
export const current: Effect.Effect<AdapterConfig, never, AdapterConfigSource> = Effect.flatMap(
  AdapterConfigSource,
  (service) => service.current
)

/**
 * The configuration now live, then each one swapped in after it.
 *
 * @since 0.1.0
 */
export const changes: Stream.Stream<AdapterConfig, never, AdapterConfigSource> = Stream.unwrap(
  Effect.map(AdapterConfigSource, (service) => service.changes)
)

/**
 * Why the last reload was refused, if it was.
 *
 * @since 0.1.0
 */
export const lastError: Effect.Effect<Option.Option<ConfigError>, never, AdapterConfigSource> = Effect.flatMap(
  AdapterConfigSource,
  (service) => service.lastError
)

/**
 * Reads the configuration's sources again now; a refused configuration leaves the live one as it was.
 *
 * @since 0.1.0
 */
export const reload: Effect.Effect<AdapterConfig, ConfigError, AdapterConfigSource> = Effect.flatMap(
  AdapterConfigSource,
  (service) => service.reload
)
