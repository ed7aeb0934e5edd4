// Most events of a Chat Completions stream differ only in the text of their content delta:
//
//   {"id":"…","object":"chat.completion.chunk","created":…,"model":"…",…,
//    "choices":[{"index":0,"delta":{"content":"…"},"logprobs":null,"finish_reason":null}]…}
//
// Once one such event has been parsed, the text before and after the content string repeats byte for byte (but for
// the value of a last key such as OpenAI's `obfuscation` padding, which changes with every event), so the following
// ones are recognised by comparing that text and reading the string between, without `JSON.parse` building the tree
// of each event (on a 200-chunk stream through the gateway that tree was its largest single
// cost). Any event that is not exactly that shape (another key, a changed id, a role, a finish reason, an escape
// that does not decode) is not recognised and goes through `JSON.parse` as before, so the result is the same.

const OPEN = '"choices":[{"index":0,"delta":{"content":"'
const CLOSE = '"},"logprobs":null,"finish_reason":null}]'
// What follows the choices when it ends with a key whose value is a string without quotes or escapes; group 1 is all
// of it up to that value.
const LAST_STRING = /^(.*,"[^"\\]+":")[^"\\]*"\}$/s
const QUOTE = 34
const CLOSE_BRACE = 125

// Characters a JSON string literal holds only escaped: a body with none of them is its own value.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON allows control characters in strings only escaped
const NEEDS_DECODING = /["\\\u0000-\u001f]/

/**
 * The repeating text of one stream's content-only events.
 *
 * @internal
 */
export class ContentTemplate {
  /** Everything up to the opening quote of the content. */
  private readonly head: string

  private constructor(
    /** Everything before `"choices"`: `{` and the other keys. */
    prefix: string,
    /**
     * What follows the content: all of it, or, when the last key's string value changes from event to event, all
     * of it up to that value's opening quote.
     */
    private readonly suffix: string,
    /** Whether the event ends with a last string value that changes (then `suffix` stops before it). */
    private readonly varyingLast: boolean
  ) {
    this.head = `${prefix}${OPEN}`
  }

  /** The content of an event of this shape, or `undefined` when the event is not one. */
  match(data: string): string | undefined {
    const bodyStart = this.head.length
    const bodyEnd = this.varyingLast ? this.varyingBodyEnd(data) : data.length - this.suffix.length
    // `slice(…) ===` compares flat text at memory speed; `startsWith` walks it character by character, which cost
    // as much as the JSON.parse this replaces.
    if (bodyEnd < bodyStart || data.slice(0, bodyStart) !== this.head) return undefined
    if (!this.varyingLast && data.slice(bodyEnd) !== this.suffix) return undefined
    const body = data.slice(bodyStart, bodyEnd)
    if (!NEEDS_DECODING.test(body)) return body
    try {
      // An unescaped quote or a bad escape makes this fail: then the event is not of this shape.
      const value: unknown = JSON.parse(`"${body}"`)
      return typeof value === "string" ? value : undefined
    } catch {
      return undefined
    }
  }

  // Where the content ends in an event ending `<suffix><value>"}` with no quote or backslash in the value; -1 when
  // the event does not end that way. The content cannot hold the suffix (its quotes would be escaped), so the last
  // occurrence is the one after it.
  private varyingBodyEnd(data: string): number {
    const last = data.length - 2
    if (last < 0 || data.charCodeAt(last) !== QUOTE || data.charCodeAt(last + 1) !== CLOSE_BRACE) return -1
    const at = data.lastIndexOf(this.suffix, last - this.suffix.length)
    if (at === -1) return -1
    const value = at + this.suffix.length
    return data.indexOf('"', value) === last && data.indexOf("\\", value) === -1 ? at : -1
  }

  /**
   * The template of an event `JSON.parse` read as `parsed`, when the event has the shape and its other keys are
   * ones the decoder ignores after the first chunk (`ignorable(key, value)`).
   */
  static learn(
    data: string,
    parsed: unknown,
    ignorable: (key: string, value: unknown) => boolean
  ): ContentTemplate | undefined {
    const content = contentOf(parsed)
    if (content === undefined) return undefined
    const open = data.indexOf(OPEN)
    const close = data.lastIndexOf(CLOSE)
    if (open < 1 || close < open + OPEN.length) return undefined
    const prefix = data.slice(0, open)
    const after = data.slice(close + CLOSE.length)
    if (!(prefix.endsWith(",") || prefix === "{") || !(after.startsWith(",") || after === "}")) return undefined
    // The other keys as one object: valid JSON only when the choices sat between two whole key-value pairs.
    const others = prefix === "{" ? `{${after.slice(after === "}" ? 0 : 1)}` : `${prefix.slice(0, -1)}${after}`
    let rest: unknown
    try {
      rest = JSON.parse(others)
    } catch {
      return undefined
    }
    if (typeof rest !== "object" || rest === null || Array.isArray(rest)) return undefined
    for (const [key, value] of Object.entries(rest)) if (!ignorable(key, value)) return undefined
    // A last key with a plain string value (`,"obfuscation":"…"}`) may change from event to event.
    const varying = LAST_STRING.exec(after)
    const template =
      varying === null
        ? new ContentTemplate(prefix, `${CLOSE}${after}`, false)
        : new ContentTemplate(prefix, `${CLOSE}${varying[1]}`, true)
    // The event it was learnt from must read back as what JSON.parse found.
    return template.match(data) === content ? template : undefined
  }
}

const contentOf = (parsed: unknown): string | undefined => {
  if (typeof parsed !== "object" || parsed === null) return undefined
  const choices = (parsed as { choices?: unknown }).choices
  if (!Array.isArray(choices) || choices.length !== 1) return undefined
  const delta = (choices[0] as { delta?: unknown } | null)?.delta
  const content = typeof delta === "object" && delta !== null ? (delta as { content?: unknown }).content : undefined
  return typeof content === "string" ? content : undefined
}
