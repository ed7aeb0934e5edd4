/**
 * Reads JSON that is still arriving: the value of the longest valid prefix, with open strings, arrays and objects
 * closed where the text stops. Numbers and `true`/`false`/`null` appear only once they are complete (a `1` may
 * still become `12`), and so does an object's key; a string appears as far as it has arrived.
 *
 * @example
 * ```ts
 * PartialJson.parse('{"name":"Ad')      // { value: { name: "Ad" }, state: "partial" }
 * PartialJson.parse('{"n":1')           // { value: {}, state: "partial" }
 * PartialJson.parse('{"n":12}')         // { value: { n: 12 }, state: "complete" }
 * ```
 *
 * @since 0.1.0
 */

/**
 * What the text held: `complete` (one whole JSON value, nothing after it but whitespace), `partial` (a valid
 * beginning of one), or `invalid` (text that no continuation can make valid; `value` is what came before the fault).
 *
 * @since 0.1.0
 */
export type ParseState = "complete" | "partial" | "invalid"

/**
 * The result of {@link parse}: `value` is `undefined` while nothing usable has arrived.
 *
 * @since 0.1.0
 */
export interface PartialParse {
  readonly value: unknown
  readonly state: ParseState
}

const NOTHING: unique symbol = Symbol("nothing")
type Parsed = unknown | typeof NOTHING

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
// What a number may look like before it is complete: "-", "1.", "1e", "1e+".
const NUMBER_PREFIX = /^-?$|^-?(?:0|[1-9]\d*)(?:\.\d*)?$|^-?(?:0|[1-9]\d*)(?:\.\d+)?[eE][+-]?\d*$/
// The run of characters a number is made of; what it holds is checked against the two patterns above.
const NUMBER_LIKE = /[-+0-9.eE]*/y
const WHITESPACE = /[ \t\n\r]*/y
const HEX4 = /^[0-9a-fA-F]{4}$/

const escapes: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t"
}

const literals: ReadonlyArray<readonly [string, unknown]> = [
  ["true", true],
  ["false", false],
  ["null", null]
]

class Parser {
  private position = 0
  /** Set when the text ran out (`partial`) or broke (`invalid`); every level then returns what it has. */
  stop: "partial" | "invalid" | undefined

  constructor(private readonly text: string) {}

  get atEnd(): boolean {
    return this.position >= this.text.length
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.position
    WHITESPACE.exec(this.text)
    this.position = WHITESPACE.lastIndex
  }

  value(): Parsed {
    this.skipWhitespace()
    if (this.atEnd) {
      this.stop = "partial"
      return NOTHING
    }
    const char = this.text[this.position]!
    if (char === "{") return this.object()
    if (char === "[") return this.array()
    if (char === '"') return this.string()
    if (char === "-" || (char >= "0" && char <= "9")) return this.number()
    return this.literal()
  }

  private object(): Parsed {
    this.position++
    const out: Record<string, unknown> = {}
    let first = true
    for (;;) {
      this.skipWhitespace()
      if (this.atEnd) return this.halt("partial", out)
      const char = this.text[this.position]
      if (char === "}" && first) {
        this.position++
        return out
      }
      if (char !== '"') return this.halt("invalid", out)
      const key = this.string()
      // A key still arriving is left out, with the value it will have.
      if (this.stop !== undefined) return out
      this.skipWhitespace()
      if (this.atEnd) return this.halt("partial", out)
      if (this.text[this.position] !== ":") return this.halt("invalid", out)
      this.position++
      const value = this.value()
      // Assigned with defineProperty so that a "__proto__" key is data, as JSON.parse makes it.
      if (value !== NOTHING)
        Object.defineProperty(out, key as string, { value, enumerable: true, writable: true, configurable: true })
      if (this.stop !== undefined) return out
      this.skipWhitespace()
      if (this.atEnd) return this.halt("partial", out)
      const next = this.text[this.position]
      this.position++
      if (next === "}") return out
      if (next !== ",") return this.halt("invalid", out)
      first = false
    }
  }

  private array(): Parsed {
    this.position++
    const out: Array<unknown> = []
    let first = true
    for (;;) {
      this.skipWhitespace()
      if (this.atEnd) return this.halt("partial", out)
      if (this.text[this.position] === "]" && first) {
        this.position++
        return out
      }
      const value = this.value()
      if (value !== NOTHING) out.push(value)
      if (this.stop !== undefined) return out
      this.skipWhitespace()
      if (this.atEnd) return this.halt("partial", out)
      const next = this.text[this.position]
      this.position++
      if (next === "]") return out
      if (next !== ",") return this.halt("invalid", out)
      first = false
    }
  }

  private string(): Parsed {
    this.position++
    let out = ""
    let start = this.position
    const text = this.text
    while (this.position < text.length) {
      const code = text.charCodeAt(this.position)
      if (code === 0x22) {
        out += text.slice(start, this.position)
        this.position++
        return out
      }
      if (code < 0x20) return this.halt("invalid", out + text.slice(start, this.position))
      if (code !== 0x5c) {
        this.position++
        continue
      }
      out += text.slice(start, this.position)
      const escaped = text[this.position + 1]
      if (escaped === undefined) return this.halt("partial", out)
      if (escaped === "u") {
        const hex = text.slice(this.position + 2, this.position + 6)
        if (hex.length < 4) {
          return /^[0-9a-fA-F]*$/.test(hex) ? this.halt("partial", out) : this.halt("invalid", out)
        }
        if (!HEX4.test(hex)) return this.halt("invalid", out)
        out += String.fromCharCode(Number.parseInt(hex, 16))
        this.position += 6
      } else {
        const replacement = escapes[escaped]
        if (replacement === undefined) return this.halt("invalid", out)
        out += replacement
        this.position += 2
      }
      start = this.position
    }
    return this.halt("partial", out + text.slice(start))
  }

  private number(): Parsed {
    NUMBER_LIKE.lastIndex = this.position
    NUMBER_LIKE.exec(this.text)
    const end = NUMBER_LIKE.lastIndex
    const run = this.text.slice(this.position, end)
    if (end >= this.text.length) {
      // The number reaches the end of the text, so more of it may follow: it is not shown yet.
      return this.halt(NUMBER_PREFIX.test(run) ? "partial" : "invalid", NOTHING)
    }
    if (!NUMBER.test(run)) return this.halt("invalid", NOTHING)
    this.position = end
    return Number(run)
  }

  private literal(): Parsed {
    const rest = this.text.slice(this.position, this.position + 5)
    for (const [word, value] of literals) {
      if (rest.startsWith(word)) {
        this.position += word.length
        return value
      }
      if (rest.length < word.length && word.startsWith(rest) && this.position + rest.length >= this.text.length) {
        return this.halt("partial", NOTHING)
      }
    }
    return this.halt("invalid", NOTHING)
  }

  private halt<A>(state: "partial" | "invalid", value: A): A {
    this.stop = state
    return value
  }
}

/**
 * Parses complete or incomplete JSON text. It never throws; see {@link PartialParse} for what comes back.
 *
 * @since 0.1.0
 */
export const parse = (text: string): PartialParse => {
  const parser = new Parser(text)
  const parsed = parser.value()
  const value = parsed === NOTHING ? undefined : parsed
  if (parser.stop !== undefined) return { value, state: parser.stop }
  parser.skipWhitespace()
  return { value, state: parser.atEnd ? "complete" : "invalid" }
}

const FENCE_OPEN = /^\s*```[A-Za-z0-9_-]*[ \t]*\r?\n?/
const FENCE_CLOSE = /\r?\n?```\s*$/

/**
 * The text without a Markdown code fence around it (models sometimes wrap JSON in ```` ```json ````), as far as it
 * has arrived: an opening fence is dropped, and a closing one once it is there.
 *
 * @since 0.1.0
 */
export const stripCodeFence = (text: string): string => {
  const open = FENCE_OPEN.exec(text)
  if (open === null) return text
  const body = text.slice(open[0].length)
  return body.replace(FENCE_CLOSE, "")
}
