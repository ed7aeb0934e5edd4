/**
 * Redaction: removes secrets from anything bound for logs, spans and error messages. A redactor knows the shapes keys
 * come in (bearer tokens, `sk-…` keys, `x-api-key`/`api-key`/`x-goog-api-key` header values, AWS `Signature=`,
 * `Credential=`, `X-Amz-Security-Token` and `AKIA…` access key ids, Google `AIza…` keys, JWTs, `?key=` query
 * parameters, and values under names such as `apiKey` or `secretAccessKey`), plus the exact secrets you register,
 * process-wide with {@link register} or per redactor with `secrets`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import { globalValue } from "effect/GlobalValue"
import * as Redacted from "effect/Redacted"

/**
 * What replaces a secret.
 *
 * @since 0.1.0
 */
export const REDACTED = "[REDACTED]"

/**
 * Options of {@link make}.
 *
 * @since 0.1.0
 */
export interface RedactionOptions {
  /** Exact secrets to remove wherever they appear (4 characters or more). */
  readonly secrets?: Iterable<string | Redacted.Redacted<string>> | undefined
  /** More shapes to remove: every match of each pattern is replaced (use the `g` flag; it is added when missing). */
  readonly patterns?: Iterable<RegExp> | undefined
}

/**
 * Removes secrets from text, values, errors and causes. Values keep their shape: objects and arrays are copied with
 * secrets removed, errors keep their class (so `instanceof` and `_tag` still work) with message and stack cleaned.
 *
 * @since 0.1.0
 */
export interface Redactor {
  /** The text with every secret replaced by `[REDACTED]`. */
  readonly text: (text: string) => string
  /** A copy of the value with secrets removed (the same value when nothing had to change). */
  readonly value: <A>(value: A) => A
  /** The error with secrets removed from its message, stack and fields (the same error when nothing had to change). */
  readonly error: <E>(error: E) => E
  /** The cause with every failure and defect redacted. */
  readonly cause: <E>(cause: Cause.Cause<E>) => Cause.Cause<E>
  /** Telemetry attributes: values under sensitive names (e.g. `http.request.header.api-key`) are replaced whole. */
  readonly attributes: <A>(attributes: Readonly<Record<string, A>>) => Record<string, A | string>
  /** The same redactor, also removing these secrets. */
  readonly withSecrets: (secrets: Iterable<string | Redacted.Redacted<string>>) => Redactor
}

/**
 * Header and field names whose values are secrets whatever they look like.
 *
 * @since 0.1.0
 */
export const sensitiveNames: ReadonlyArray<string> = [
  "authorization",
  "proxy-authorization",
  "x-api-key",
  "api-key",
  "x-goog-api-key",
  "x-amz-security-token",
  "cookie",
  "set-cookie"
]

// Field names (any case, `-`/`_` or none between words) that hold a secret.
const sensitiveField =
  /^(?:authorization|proxy[-_]?authorization|cookie|set[-_]?cookie|x[-_]?api[-_]?key|api[-_]?key|apikey|x[-_]?goog[-_]?api[-_]?key|x[-_]?amz[-_]?security[-_]?token|secret[-_]?access[-_]?key|session[-_]?token|auth[-_]?token|access[-_]?token|refresh[-_]?token|client[-_]?secret|password|azure[-_]?ad[-_]?token|bearer)$/i

const isSensitiveName = (name: string): boolean => {
  // `http.request.header.api-key` and friends: the last segment names the header.
  const dot = name.lastIndexOf(".")
  return sensitiveField.test(dot === -1 ? name : name.slice(dot + 1))
}

// Each shape with how to keep the part that is not secret. Order matters: named values before bare tokens.
const builtInRules: ReadonlyArray<readonly [RegExp, string]> = [
  // `name: value`, `name=value`, `"name":"value"` for header and field names that hold secrets.
  [
    /((?:x[-_]?)?api[-_]?key|apikey|x[-_]?goog[-_]?api[-_]?key|x[-_]?amz[-_]?security[-_]?token|secret[-_]?access[-_]?key|session[-_]?token|client[-_]?secret|access[-_]?token|refresh[-_]?token|password)(\\?["']?\s*[:=]\s*\\?["']?)(?!\[REDACTED\])([^\s"'\\,;&}]{4,})/gi,
    `$1$2${REDACTED}`
  ],
  // Query parameters carrying keys or signatures: `?key=…`, `&api_key=…`, `X-Amz-Signature=…`.
  [
    /([?&](?:key|api[-_]?key|access[-_]?token|token|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=)(?!\[REDACTED\])[^&\s"'#]+/gi,
    `$1${REDACTED}`
  ],
  // AWS SigV4 authorization parts.
  [/(\b(?:Credential|Signature)=)(?!\[REDACTED\])[^\s,&"']+/g, `$1${REDACTED}`],
  // Bearer and Basic credentials.
  [/(\b(?:bearer|basic)\s+)(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  // OpenAI, Anthropic and look-alike keys: sk-…, sk-ant-…, sk-proj-…, pk-…, rk-….
  [/\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, `$1-${REDACTED}`],
  // AWS access key ids (long-term and temporary).
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  // Google API keys.
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, REDACTED],
  // JSON web tokens (Azure AD and other OAuth access tokens).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED]
]

// Secrets registered for the whole process, shared by every copy of this module.
const registry = globalValue("@agent-adapter/sdk/observability/Redaction/registry", () => new Set<string>())

const plain = (secret: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(secret) ? Redacted.value(secret) : secret

/**
 * Registers a secret for the whole process: every redactor removes it from then on. Use it for keys loaded at
 * runtime that do not match a known shape.
 *
 * @since 0.1.0
 */
export const register = (secret: string | Redacted.Redacted<string>): void => {
  const value = plain(secret)
  if (value.length >= 4) registry.add(value)
}

/**
 * Forgets a secret given to {@link register}.
 *
 * @since 0.1.0
 */
export const unregister = (secret: string | Redacted.Redacted<string>): void => {
  registry.delete(plain(secret))
}

const globalFlag = (pattern: RegExp): RegExp =>
  pattern.flags.includes("g") ? pattern : new RegExp(pattern.source, `${pattern.flags}g`)

const MAX_DEPTH = 8

/**
 * Builds a redactor: the built-in shapes, the process-wide registry, and the given secrets and patterns.
 *
 * @since 0.1.0
 */
export const make = (options: RedactionOptions = {}): Redactor => {
  const own = new Set<string>()
  for (const secret of options.secrets ?? []) {
    const value = plain(secret)
    if (value.length >= 4) own.add(value)
  }
  const extra = Array.from(options.patterns ?? [], globalFlag)

  const text = (input: string): string => {
    let out = input
    // Longest first, so that a secret containing another is removed whole.
    const secrets = [...own, ...registry].sort((a, b) => b.length - a.length)
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    }
    for (const [pattern, replacement] of builtInRules) out = out.replace(pattern, replacement)
    for (const pattern of extra) out = out.replace(pattern, REDACTED)
    return out
  }

  const redactError = <E extends Error>(error: E, depth: number): E => {
    const message = text(error.message)
    const stack = error.stack === undefined ? undefined : text(error.stack)
    const fields: Array<[string, unknown]> = []
    let changed = message !== error.message || stack !== error.stack
    // The error's own enumerable fields (a tagged error's `provider`, `status`, `cause`, ...).
    const own: Readonly<Record<string, unknown>> = Object.fromEntries(Object.entries(error))
    for (const key of Object.keys(own)) {
      if (key === "message" || key === "stack") continue
      const before = own[key]
      const after = isSensitiveName(key) && before !== undefined ? REDACTED : walk(before, depth + 1)
      if (after !== before) changed = true
      fields.push([key, after])
    }
    if (!changed) return error
    // Same class, so `instanceof` and `_tag` keep working; the copy is what callers and exporters see.
    const copy: E = Object.create(Object.getPrototypeOf(error))
    Object.assign(copy, Object.fromEntries(fields))
    Object.defineProperty(copy, "message", { value: message, writable: true, configurable: true, enumerable: false })
    if (stack !== undefined) {
      Object.defineProperty(copy, "stack", { value: stack, writable: true, configurable: true, enumerable: false })
    }
    return copy
  }

  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return text(value)
    if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value
    if (Redacted.isRedacted(value)) return REDACTED
    if (value instanceof Error) return redactError(value, depth)
    if (Array.isArray(value)) {
      let changed = false
      const out = value.map((item) => {
        const after = walk(item, depth + 1)
        if (after !== item) changed = true
        return after
      })
      return changed ? out : value
    }
    const prototype = Object.getPrototypeOf(value)
    // Only plain records are copied; other objects (dates, maps, class instances) pass through as they are.
    if (prototype !== Object.prototype && prototype !== null) return value
    let changed = false
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const after = isSensitiveName(key) && item !== undefined && item !== null ? REDACTED : walk(item, depth + 1)
      if (after !== item) changed = true
      out[key] = after
    }
    return changed ? out : value
  }

  const cause = <E>(input: Cause.Cause<E>): Cause.Cause<E> =>
    Cause.match(input, {
      onEmpty: Cause.empty as Cause.Cause<E>,
      onFail: (error) => Cause.fail(walk(error, 0) as E),
      onDie: (defect) => Cause.die(walk(defect, 0)),
      onInterrupt: (fiberId) => Cause.interrupt(fiberId),
      onSequential: (left, right) => Cause.sequential(left, right),
      onParallel: (left, right) => Cause.parallel(left, right)
    })

  const attributes = <A>(input: Readonly<Record<string, A>>): Record<string, A | string> => {
    const out: Record<string, A | string> = {}
    for (const key of Object.keys(input)) {
      const value = input[key] as A
      out[key] = isSensitiveName(key) && value !== undefined && value !== null ? REDACTED : (walk(value, 0) as A)
    }
    return out
  }

  return {
    text,
    value: <A>(value: A): A => walk(value, 0) as A,
    error: <E>(error: E): E => walk(error, 0) as E,
    cause,
    attributes,
    withSecrets: (secrets) => make({ secrets: [...own, ...secrets], patterns: extra })
  }
}

/**
 * A redactor with the built-in shapes and the registered secrets.
 *
 * @since 0.1.0
 */
export const defaultRedactor: Redactor = make()

/**
 * Removes secrets from text with the built-in shapes and the registered secrets.
 *
 * @since 0.1.0
 */
export const redact = (text: string): string => defaultRedactor.text(text)
