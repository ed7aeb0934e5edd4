/**
 * The configuration file format as a Schema: `AdapterConfigFromInput` decodes a parsed YAML or JSON document (or
 * an object in the same shape) into an `AdapterConfig`: durations become milliseconds, keys `Redacted`, provider
 * settings beyond the common ones go to `extra`, and names that point elsewhere (group targets, fallbacks,
 * aliases, rate limits) are checked against what is configured. Every problem is reported in one pass.
 *
 * Decode it with `Config.decode` (which also interpolates `${VAR}` and formats the problems as a `ConfigError`)
 * rather than by hand: the schema checks unknown keys by itself, whatever parse options it is given.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import * as Ollama from "../providers/ollama/Ollama.js"
import { providerNames, providers, secretSettings } from "../providers/registry.js"
import { describeKind, describeValue } from "./internal/describe.js"
import { isPlainObject } from "./internal/interpolate.js"
import { checkReferences } from "./internal/references.js"
import { didYouMean, nearest } from "./internal/suggest.js"
import type { AdapterConfig, GroupStrategy, ProviderConfig } from "./types.js"
import { parseByteSize, parseDuration } from "./Units.js"

// =============================================================================
// Input shape
// =============================================================================

/**
 * A duration as written: `"45s"`, `"500ms"`, `"2m"`, `"1h"`, a number of milliseconds, or (in code) an Effect
 * `Duration`.
 *
 * @since 0.1.0
 */
export type DurationInput = string | number | Duration.Duration

/**
 * A secret as written: the text, or already `Redacted`.
 *
 * @since 0.1.0
 */
export type SecretInput = string | Redacted.Redacted<string>

/**
 * A provider instance as written. Keys beyond these are provider-specific settings (`organization`, `region`,
 * `apiVersion`, ...), kept in `extra`.
 *
 * @since 0.1.0
 */
export interface ProviderInput {
  readonly type?: string | undefined
  readonly apiKey?: SecretInput | undefined
  readonly baseUrl?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly timeout?: DurationInput | undefined
  readonly models?: ReadonlyArray<string> | undefined
  readonly [setting: string]: unknown
}

/**
 * A model group as written; a target is an address or `{ model, weight }`.
 *
 * @since 0.1.0
 */
export interface ModelGroupInput {
  readonly strategy?: GroupStrategy | undefined
  readonly targets: ReadonlyArray<string | { readonly model: string; readonly weight?: number | undefined }>
  readonly fallbacks?: ReadonlyArray<string> | undefined
}

/**
 * A configuration as written in a file, or passed as explicit options (`Config.load({ overrides })`): the same
 * keys, durations as text or milliseconds, secrets as text or `Redacted`. Every part is optional.
 *
 * @since 0.1.0
 */
export interface ConfigInput {
  readonly providers?: Readonly<Record<string, ProviderInput | null>> | undefined
  readonly models?: Readonly<Record<string, ModelGroupInput>> | undefined
  readonly aliases?: Readonly<Record<string, string>> | undefined
  readonly defaultModel?: string | undefined
  readonly retry?:
    | {
        readonly maxRetries?: number | undefined
        readonly baseDelay?: DurationInput | undefined
        readonly maxDelay?: DurationInput | undefined
        readonly jitter?: boolean | undefined
      }
    | undefined
  readonly timeout?:
    | {
        readonly total?: DurationInput | undefined
        readonly attempt?: DurationInput | undefined
        readonly firstChunk?: DurationInput | undefined
        readonly idle?: DurationInput | undefined
      }
    | undefined
  readonly circuitBreaker?:
    | {
        readonly failureThreshold?: number | undefined
        readonly resetTimeout?: DurationInput | undefined
        readonly halfOpenMaxCalls?: number | undefined
      }
    | undefined
  readonly rateLimit?:
    | Readonly<
        Record<
          string,
          {
            readonly requestsPerMinute?: number | undefined
            readonly tokensPerMinute?: number | undefined
            readonly concurrency?: number | undefined
            readonly maxWait?: DurationInput | undefined
          }
        >
      >
    | undefined
  readonly cache?: { readonly ttl?: DurationInput | undefined; readonly maxEntries?: number | undefined } | undefined
  readonly gateway?:
    | {
        readonly host?: string | undefined
        readonly port?: number | string | undefined
        readonly masterKey?: SecretInput | undefined
        readonly database?: SecretInput | undefined
        readonly redis?: SecretInput | undefined
        /** `1mb`, `512kb`, or bytes. */
        readonly maxBodySize?: string | number | undefined
        readonly shutdownGrace?: DurationInput | undefined
      }
    | undefined
}

// =============================================================================
// Values
// =============================================================================

// A leaf decodes anything and says, in its own words, what it expected. Leaves that hold secrets never put the
// value they were given in a message.
const leaf = <A, I>(
  identifier: string,
  to: Schema.Schema<A, I>,
  decode: (input: unknown) => Either.Either<A, string>
): Schema.Schema<A, unknown> =>
  Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(to), {
    strict: true,
    decode: (input, _, ast) =>
      Either.match(decode(input), {
        onLeft: (message) => ParseResult.fail(new ParseResult.Type(ast, input, message)),
        onRight: ParseResult.succeed
      }),
    encode: ParseResult.succeed
  }).annotations({ identifier })

const numeric = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i

// Numbers may arrive as text: `${PORT}` interpolates to a string.
const asNumber = (input: unknown): number | undefined =>
  typeof input === "number"
    ? input
    : typeof input === "string" && numeric.test(input.trim())
      ? Number(input.trim())
      : undefined

const Text = leaf("Text", Schema.String, (input) =>
  typeof input !== "string"
    ? Either.left(`expected a string, got ${describeValue(input)}`)
    : input.trim() === ""
      ? Either.left("expected a non-empty string")
      : Either.right(input)
)

// A secret's message says what kind of value it got, never the value.
const secret = (identifier: string, check?: { readonly test: (text: string) => boolean; readonly expected: string }) =>
  leaf(identifier, Schema.RedactedFromSelf(Schema.String), (input) => {
    if (Redacted.isRedacted(input)) {
      const value = Redacted.value(input)
      return typeof value === "string"
        ? Either.right(input as Redacted.Redacted<string>)
        : Either.left("expected a string (a secret)")
    }
    if (typeof input !== "string") return Either.left(`expected a string, got ${describeKind(input)}`)
    if (input.trim() === "") return Either.left("expected a non-empty string")
    if (check !== undefined && !check.test(input)) return Either.left(`expected ${check.expected}`)
    return Either.right(Redacted.make(input))
  })

const Secret = secret("Secret")

const DatabaseUrl = secret("DatabaseUrl", {
  test: (text) => /^(sqlite:|postgres(ql)?:\/\/)/.test(text),
  expected: "sqlite:<file>, sqlite::memory: or a postgres:// URL"
})

const RedisUrl = secret("RedisUrl", {
  test: (text) => /^rediss?:\/\//.test(text),
  expected: "a redis:// or rediss:// URL"
})

const isHttpUrl = (text: string): boolean => {
  try {
    const protocol = new URL(text).protocol
    return protocol === "http:" || protocol === "https:"
  } catch {
    return false
  }
}

const address = (identifier: string, expected: string, accepts: (text: string) => boolean) =>
  leaf(identifier, Schema.String, (input) => {
    if (typeof input === "string" && accepts(input)) return Either.right(input)
    // A URL may carry credentials (`https://user:pass@host`): those are not echoed.
    return Either.left(
      typeof input === "string" && input.includes("@")
        ? `expected ${expected}`
        : `expected ${expected}, got ${describeValue(input)}`
    )
  })

const HttpUrl = address("HttpUrl", "an http(s) URL like http://127.0.0.1:11434", isHttpUrl)

// Ollama's clients also take `OLLAMA_HOST` forms (`gpu-box`, `gpu-box:11434`, `:11434`); the provider reads them.
const OllamaHost = address("OllamaHost", "an Ollama address like http://127.0.0.1:11434 or gpu-box:11434", (text) =>
  isHttpUrl(Ollama.resolveBaseUrl(text))
)

const DurationMs = leaf("Duration", Schema.Number, parseDuration)

const ByteSize = leaf("ByteSize", Schema.Number, parseByteSize)

const wholeNumber = (identifier: string, minimum: 0 | 1) =>
  leaf(identifier, Schema.Number, (input) => {
    const value = asNumber(input)
    const expected = minimum === 1 ? "a positive whole number" : "a whole number (0 or more)"
    return value !== undefined && Number.isInteger(value) && value >= minimum
      ? Either.right(value)
      : Either.left(`expected ${expected}, got ${describeValue(input)}`)
  })

const Count = wholeNumber("Count", 0)
const PositiveCount = wholeNumber("PositiveCount", 1)

const Weight = leaf("Weight", Schema.Number, (input) => {
  const value = asNumber(input)
  return value !== undefined && Number.isFinite(value) && value > 0
    ? Either.right(value)
    : Either.left(`expected a number greater than 0, got ${describeValue(input)}`)
})

const Port = leaf("Port", Schema.Number, (input) => {
  const value = asNumber(input)
  return value !== undefined && Number.isInteger(value) && value >= 0 && value <= 65_535
    ? Either.right(value)
    : Either.left(`expected a port number from 0 to 65535, got ${describeValue(input)}`)
})

const Flag = leaf("Flag", Schema.Boolean, (input) => {
  if (typeof input === "boolean") return Either.right(input)
  const text = typeof input === "string" ? input.trim().toLowerCase() : undefined
  return text === "true" || text === "false"
    ? Either.right(text === "true")
    : Either.left(`expected true or false, got ${describeValue(input)}`)
})

/**
 * The strategies a model group may use.
 *
 * @since 0.1.0
 */
export const strategies: ReadonlyArray<GroupStrategy> = [
  "round-robin",
  "weighted",
  "least-latency",
  "least-busy",
  "lowest-cost",
  "priority"
]

const Strategy = leaf("Strategy", Schema.Literal(...strategies), (input) =>
  typeof input === "string" && (strategies as ReadonlyArray<string>).includes(input)
    ? Either.right(input as GroupStrategy)
    : Either.left(
        `expected one of ${strategies.join(", ")}, got ${describeValue(input)}${
          typeof input === "string" ? didYouMean(input, strategies) : ""
        }`
      )
)

// The registry's canonical names first, then their aliases, for messages.
const knownTypes = (): string => {
  const canonical = [...new Set(Object.values(providers).map((entry) => entry.name))]
  const aliases = providerNames().filter((name) => !canonical.includes(name))
  return `${canonical.join(", ")} (aliases: ${aliases.join(", ")})`
}

const ProviderType = leaf("ProviderType", Schema.String, (input) => {
  if (typeof input !== "string") return Either.left(`expected a provider type, got ${describeValue(input)}`)
  const entry = providers[input]
  return entry === undefined
    ? Either.left(`unknown provider type \`${input}\`${didYouMean(input, providerNames())}; known: ${knownTypes()}`)
    : Either.right(entry.name)
})

// Header values are often credentials (`Authorization: Bearer ...`): they are not echoed either.
const HeaderValue = leaf("HeaderValue", Schema.String, (input) =>
  typeof input === "string" ? Either.right(input) : Either.left(`expected a string, got ${describeKind(input)}`)
)

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

// =============================================================================
// Providers
// =============================================================================

const providerKeys = ["type", "apiKey", "baseUrl", "headers", "timeout", "models"] as const

const ProviderKnown = Schema.Struct({
  type: optional(ProviderType),
  apiKey: optional(Secret),
  baseUrl: optional(HttpUrl),
  headers: optional(Schema.Record({ key: Schema.String, value: HeaderValue })),
  timeoutMs: optional(DurationMs).pipe(Schema.fromKey("timeout")),
  models: optional(Schema.Array(Text))
})

const OllamaKnown = Schema.Struct({ ...ProviderKnown.fields, baseUrl: optional(OllamaHost) })

const ProviderConfigType = Schema.Struct({
  type: Schema.String,
  apiKey: Schema.optionalWith(Schema.RedactedFromSelf(Schema.String), { exact: true }),
  baseUrl: Schema.optionalWith(Schema.String, { exact: true }),
  headers: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), { exact: true }),
  timeoutMs: Schema.optionalWith(Schema.Number, { exact: true }),
  models: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  extra: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

// Provider-specific settings with an environment variable are text; knowing them also keeps a real setting from
// being mistaken for a misspelt common key.
const textSettings: ReadonlySet<string> = new Set(
  Object.values(providers).flatMap((entry) => Object.keys(entry.extraEnv ?? {}))
)

const typeOfInstance = (name: string, input: Record<string, unknown>): string | undefined => {
  const written = input.type
  if (written !== undefined) return typeof written === "string" ? providers[written]?.name : undefined
  return providers[name]?.name
}

const decodeExtra = (key: string, value: unknown, ast: AST.AST): Either.Either<unknown, ParseResult.ParseIssue> => {
  if (secretSettings.has(key)) {
    if (Redacted.isRedacted(value)) return Either.right(value)
    return typeof value === "string" && value.trim() !== ""
      ? Either.right(Redacted.make(value))
      : Either.left(new ParseResult.Type(ast, value, `expected a string, got ${describeKind(value)}`))
  }
  if (textSettings.has(key) && typeof value !== "string") {
    return Either.left(new ParseResult.Type(ast, value, `expected a string, got ${describeValue(value)}`))
  }
  return Either.right(value)
}

const decodeProvider = (
  name: string,
  input: unknown,
  options: AST.ParseOptions | undefined,
  ast: AST.AST
): Either.Either<ProviderConfig, ParseResult.ParseIssue> => {
  // `openai:` with nothing after it is an instance with every default.
  const settings = input === null ? {} : input
  if (!isPlainObject(settings)) {
    return Either.left(
      new ParseResult.Type(ast, input, `expected a mapping of provider settings, got ${describeKind(input)}`)
    )
  }
  const issues: Array<ParseResult.ParseIssue> = []
  const known: Record<string, unknown> = {}
  const extra: Record<string, unknown> = {}
  const type = typeOfInstance(name, settings)
  for (const [key, value] of Object.entries(settings)) {
    if ((providerKeys as ReadonlyArray<string>).includes(key)) {
      known[key] = value
      continue
    }
    const meant = textSettings.has(key) || secretSettings.has(key) ? undefined : nearest(key, providerKeys, "close")
    if (meant !== undefined) {
      issues.push(
        new ParseResult.Pointer(
          key,
          settings,
          new ParseResult.Unexpected(value, `unknown key \`${key}\` (did you mean \`${meant}\`?)`)
        )
      )
      continue
    }
    const decoded = decodeExtra(key, value, ast)
    if (Either.isLeft(decoded)) issues.push(new ParseResult.Pointer(key, settings, decoded.left))
    else extra[key] = decoded.right
  }
  const decoded = ParseResult.decodeUnknownEither(type === "ollama" ? OllamaKnown : ProviderKnown)(known, options)
  if (Either.isLeft(decoded)) issues.push(decoded.left)
  if (settings.type === undefined && providers[name] === undefined) {
    issues.push(
      new ParseResult.Type(
        ast,
        input,
        `\`${name}\` is not a provider type, so this instance needs \`type\`: one of ${knownTypes()}`
      )
    )
  }
  const entry = type === undefined ? undefined : providers[type]
  if (entry?.requiresBaseUrl === true && settings.baseUrl === undefined) {
    issues.push(
      new ParseResult.Pointer(
        "baseUrl",
        settings,
        new ParseResult.Type(ast, undefined, `required: ${entry.name} has no default address`)
      )
    )
  }
  if (issues.length > 0 || Either.isLeft(decoded) || type === undefined) {
    return Either.left(new ParseResult.Composite(ast, input, issues as [ParseResult.ParseIssue]))
  }
  const { type: _written, ...common } = decoded.right
  return Either.right({ ...common, type, extra })
}

const encodeProvider = (config: ProviderConfig): Record<string, unknown> => {
  const { extra, timeoutMs, ...common } = config
  const encoded: Record<string, unknown> = { ...extra }
  for (const [key, value] of Object.entries(common)) if (value !== undefined) encoded[key] = value
  if (timeoutMs !== undefined) encoded.timeout = timeoutMs
  return encoded
}

const Providers = Schema.transformOrFail(
  Schema.Unknown,
  Schema.Record({ key: Schema.String, value: ProviderConfigType }),
  {
    strict: false,
    decode: (input, options, ast) => {
      if (!isPlainObject(input)) {
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            input,
            `expected a mapping of provider instances by name, got ${describeKind(input)}`
          )
        )
      }
      const issues: Array<ParseResult.ParseIssue> = []
      const output: Record<string, ProviderConfig> = {}
      for (const [name, settings] of Object.entries(input)) {
        const decoded = decodeProvider(name, settings, options, ast)
        if (Either.isLeft(decoded)) issues.push(new ParseResult.Pointer(name, input, decoded.left))
        else output[name] = decoded.right
      }
      return issues.length > 0
        ? ParseResult.fail(new ParseResult.Composite(ast, input, issues as [ParseResult.ParseIssue]))
        : ParseResult.succeed(output)
    },
    encode: (config) =>
      ParseResult.succeed(
        Object.fromEntries(Object.entries(config).map(([name, provider]) => [name, encodeProvider(provider)]))
      )
  }
).annotations({ identifier: "Providers" })

// =============================================================================
// Models, aliases and the other sections
// =============================================================================

const TargetStruct = Schema.Struct({ model: Text, weight: optional(Weight) })

const Target = Schema.transformOrFail(Schema.Unknown, Schema.typeSchema(TargetStruct), {
  strict: true,
  decode: (input, options, ast) => {
    if (typeof input === "string") return ParseResult.decodeUnknownEither(TargetStruct)({ model: input }, options)
    if (isPlainObject(input)) return ParseResult.decodeUnknownEither(TargetStruct)(input, options)
    return ParseResult.fail(
      new ParseResult.Type(
        ast,
        input,
        `expected a provider/model address or { model, weight }, got ${describeValue(input)}`
      )
    )
  },
  encode: ParseResult.succeed
}).annotations({ identifier: "Target" })

const ModelGroup = Schema.Struct({
  strategy: Schema.optionalWith(Strategy, { exact: true, default: () => "round-robin" as const }),
  targets: Schema.Array(Target).pipe(Schema.filter((targets) => targets.length > 0 || "expected at least one target")),
  fallbacks: Schema.optionalWith(Schema.Array(Text), { exact: true, default: () => [] })
})

const Retry = Schema.Struct({
  maxRetries: optional(Count),
  baseDelayMs: optional(DurationMs).pipe(Schema.fromKey("baseDelay")),
  maxDelayMs: optional(DurationMs).pipe(Schema.fromKey("maxDelay")),
  jitter: optional(Flag)
})

const Timeout = Schema.Struct({
  totalMs: optional(DurationMs).pipe(Schema.fromKey("total")),
  attemptMs: optional(DurationMs).pipe(Schema.fromKey("attempt")),
  firstChunkMs: optional(DurationMs).pipe(Schema.fromKey("firstChunk")),
  idleMs: optional(DurationMs).pipe(Schema.fromKey("idle"))
})

const CircuitBreaker = Schema.Struct({
  failureThreshold: optional(PositiveCount),
  resetTimeoutMs: optional(DurationMs).pipe(Schema.fromKey("resetTimeout")),
  halfOpenMaxCalls: optional(PositiveCount)
})

const RateLimit = Schema.Struct({
  requestsPerMinute: optional(PositiveCount),
  tokensPerMinute: optional(PositiveCount),
  concurrency: optional(PositiveCount),
  maxWaitMs: optional(DurationMs).pipe(Schema.fromKey("maxWait"))
})

const Cache = Schema.Struct({
  ttlMs: optional(DurationMs).pipe(Schema.fromKey("ttl")),
  maxEntries: optional(PositiveCount)
})

const Host = Text

const Gateway = Schema.Struct({
  host: optional(Host),
  port: optional(Port),
  masterKey: optional(Secret),
  database: optional(DatabaseUrl),
  redis: optional(RedisUrl),
  maxBodyBytes: optional(ByteSize).pipe(Schema.fromKey("maxBodySize")),
  shutdownGraceMs: optional(DurationMs).pipe(Schema.fromKey("shutdownGrace"))
})

const noEntries = () => ({})

const Sections = Schema.Struct({
  providers: Schema.optionalWith(Providers, { exact: true, default: noEntries }),
  models: Schema.optionalWith(Schema.Record({ key: Schema.String, value: ModelGroup }), {
    exact: true,
    default: noEntries
  }),
  aliases: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Text }), { exact: true, default: noEntries }),
  defaultModel: optional(Text),
  retry: optional(Retry),
  timeout: optional(Timeout),
  circuitBreaker: optional(CircuitBreaker),
  rateLimit: Schema.optionalWith(Schema.Record({ key: Schema.String, value: RateLimit }), {
    exact: true,
    default: noEntries
  }),
  cache: optional(Cache),
  gateway: optional(Gateway)
})

/**
 * The top-level keys of a configuration.
 *
 * @since 0.1.0
 */
export const sections: ReadonlyArray<string> = [
  "providers",
  "models",
  "aliases",
  "defaultModel",
  "retry",
  "timeout",
  "circuitBreaker",
  "rateLimit",
  "cache",
  "gateway"
]

// Unknown keys are mistakes everywhere but in provider settings (see `decodeProvider`), whatever the caller asks.
const strict: AST.ParseOptions = { errors: "all", onExcessProperty: "error" }

const AdapterConfigType = Schema.declare((input: unknown): input is AdapterConfig => isPlainObject(input), {
  identifier: "AdapterConfig"
})

const withoutUndefined = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutUndefined)
  if (!isPlainObject(value)) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => [key, withoutUndefined(item)])
  )
}

/**
 * A configuration document (parsed YAML or JSON, or an object in the same shape) to an `AdapterConfig`, checking
 * structure, types and references in one pass; encoding gives the document back (durations in milliseconds, secrets
 * still `Redacted`).
 *
 * @since 0.1.0
 */
export const AdapterConfigFromInput: Schema.Schema<AdapterConfig, unknown> = Schema.transformOrFail(
  Schema.Unknown,
  AdapterConfigType,
  {
    strict: true,
    decode: (input, _, ast) => {
      if (!isPlainObject(input)) {
        return ParseResult.fail(
          new ParseResult.Type(
            ast,
            input,
            `expected a mapping of configuration sections (${sections.join(", ")}), got ${describeKind(input)}`
          )
        )
      }
      const decoded = ParseResult.decodeUnknownEither(Sections)(input, strict)
      const references = checkReferences(input).map((issue) => {
        const problem = new ParseResult.Type(ast, undefined, issue.message)
        const [first, ...rest] = issue.path
        return first === undefined ? problem : new ParseResult.Pointer([first, ...rest], input, problem)
      })
      const issues = [...(Either.isLeft(decoded) ? [decoded.left] : []), ...references]
      if (issues.length > 0) {
        return ParseResult.fail(new ParseResult.Composite(ast, input, issues as [ParseResult.ParseIssue]))
      }
      return Either.isRight(decoded) ? ParseResult.succeed(decoded.right) : ParseResult.fail(decoded.left)
    },
    encode: (config) => ParseResult.encodeUnknownEither(Sections)(withoutUndefined(config), strict)
  }
).annotations({ identifier: "AdapterConfigFromInput" })
