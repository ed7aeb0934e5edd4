// Content-only events recognised by their repeating text must decode exactly as `JSON.parse` would have: every
// case runs through a decoder that recognises repeats and one that parses every event, and the two must agree on
// each chunk and each failure.
import { describe, expect, it } from "@effect/vitest"
import type { StreamChunk } from "../../../src/core/StreamChunk.js"
import { openAiDialect } from "../../../src/providers/openai/internal/dialect.js"
import { ChunkDecoder, type StreamContext } from "../../../src/providers/openai/internal/streamChunks.js"

const context: StreamContext = {
  dialect: openAiDialect,
  model: "gpt-4o-mini",
  requestId: "req_1",
  streamError: (details) => {
    throw new Error(`stream error: ${details.message}`)
  },
  scrub: (text) => text
}

type Outcome = { readonly chunk: StreamChunk | undefined } | { readonly failure: string }

const run = (events: ReadonlyArray<string | { event: string; data: string }>, recognize: boolean) => {
  const decoder = new ChunkDecoder(context, recognize)
  const outcomes: Array<Outcome> = []
  for (const item of events) {
    const { event, data } = typeof item === "string" ? { event: "", data: item } : item
    try {
      outcomes.push({ chunk: decoder.decode(event, data) })
    } catch (error) {
      outcomes.push({ failure: error instanceof Error ? error.message : String(error) })
    }
  }
  return { outcomes, recognized: decoder.recognized, complete: decoder.complete }
}

/** Runs both decoders; returns how many events the recognising one read by their text. */
const agree = (events: ReadonlyArray<string | { event: string; data: string }>): number => {
  const fast = run(events, true)
  const parsed = run(events, false)
  expect(fast.outcomes).toEqual(parsed.outcomes)
  expect(fast.complete).toBe(parsed.complete)
  expect(parsed.recognized).toBe(0)
  return fast.recognized
}

const head = (id = "chatcmpl-1") =>
  `{"id":"${id}","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"fp_1","choices":`
const role = (tail = "}") =>
  `${head()}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${tail}`
const content = (text: string, tail = "}", id?: string) =>
  `${head(id)}[{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]${tail}`
const finish = (tail = "}") => `${head()}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]${tail}`

describe("ChunkDecoder: content events read by their repeating text", () => {
  it("a long answer: every content event after the first is recognised, and decodes as parsed", () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i} `)
    const recognized = agree([role(), ...words.map((word) => content(word)), finish(), "[DONE]"])
    expect(recognized).toBe(199)
  })

  it("escapes, quotes, unicode and empty content decode as JSON.parse decodes them", () => {
    const texts = [
      "a",
      'say "hi"',
      "line\nbreak",
      "tab\there",
      "back\\slash",
      "é ü 中文 🙂",
      "",
      "\u0000nul",
      "</script>"
    ]
    const events = [role(), content("start"), ...texts.map((text) => content(text)), finish()]
    expect(agree(events)).toBe(texts.length)
    // The JSON of a non-ASCII character may also arrive escaped.
    expect(agree([role(), content("a"), content("b").replace('"b"', '"\\u00e9\\ud83d\\ude42"')])).toBe(1)
  })

  it('"usage": null after the choices (stream_options.include_usage) is part of the repeating text', () => {
    const tail = ',"usage":null}'
    const usage = `${head()}[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`
    expect(agree([role(tail), content("a", tail), content("b", tail), finish(tail), usage, "[DONE]"])).toBe(1)
  })

  it("OpenAI's obfuscation padding, a last string that changes with every event, is skipped over", () => {
    const padding = (i: number) => "AbC9x".repeat(3).slice(0, 1 + (i % 11))
    const obfuscated = (text: string, i: number, usage = false) =>
      content(text, `${usage ? ',"usage":null' : ""},"obfuscation":"${padding(i)}"}`)
    const words = Array.from({ length: 50 }, (_, i) => `w${i} "q"\n`)
    expect(agree([role(), ...words.map((word, i) => obfuscated(word, i)), finish(), "[DONE]"])).toBe(49)
    expect(agree([role(), ...words.map((word, i) => obfuscated(word, i, true)), finish()])).toBe(49)
    // An empty padding is one more value; one with an escape, or one that is not a string, is parsed.
    expect(agree([role(), obfuscated("a", 1), obfuscated("b", 2), content("c", ',"obfuscation":""}')])).toBe(2)
    const escaped = content("e", ',"obfuscation":"a\\"b"}')
    const numeric = content("g", ',"obfuscation":7}')
    const odd = [role(), obfuscated("a", 1), obfuscated("b", 2), escaped, numeric]
    agree([...odd, obfuscated("h", 3)])
    expect(run(odd, true).recognized).toBe(1)
    // A padding that is not valid JSON fails as JSON.parse fails.
    const broken = [role(), obfuscated("a", 1), obfuscated("b", 2), content("c", ',"obfuscation":"a\\x"}')]
    agree(broken)
    expect(run(broken, true).outcomes.at(-1)).toHaveProperty("failure")
  })

  it("an event of another shape in between, or a changed id, is parsed; a new repeating text is learnt", () => {
    const toolCall = `${head()}[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"logprobs":null,"finish_reason":null}]}`
    const withUsage = `${head()}[{"index":0,"delta":{"content":"u"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}`
    const events = [
      role(),
      content("a"),
      content("b"),
      toolCall,
      withUsage,
      content("c", "}", "chatcmpl-2"),
      content("d", "}", "chatcmpl-2"),
      finish()
    ]
    // b (first template), d (relearnt from c).
    expect(agree(events)).toBe(2)
  })

  it("keys the decoder reads are never skipped: a content event with an error or x_groq usage is parsed", () => {
    const error = `{"id":"chatcmpl-1","error":{"message":"overloaded","type":"server_error"},"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}]}`
    const groq = `{"id":"chatcmpl-1","x_groq":{"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}},"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}]}`
    const groqShape = (text: string) =>
      `{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}`
    expect(agree([role(), groqShape("a"), groqShape("b"), groq, groqShape("c")])).toBe(2)
    expect(agree([role(), groqShape("a"), groqShape("b"), error, groqShape("c")])).toBe(2)
  })

  it('an event named "error" with the repeating text fails as it would when parsed', () => {
    const outcome = agree([role(), content("a"), content("b"), { event: "error", data: content("c") }])
    expect(outcome).toBe(1)
    expect(run([role(), content("a"), { event: "error", data: content("c") }], true).outcomes.at(-1)).toHaveProperty(
      "failure"
    )
  })

  it("malformed text that looks like the repeating text fails as JSON.parse fails", () => {
    const badEscape = content("b").replace('"b"', '"\\x"')
    const rawNewline = content("b").replace('"b"', '"a\nb"')
    const unescapedQuote = content("b").replace('"b"', '"a"b"')
    const cases = [badEscape, rawNewline, unescapedQuote]
    for (const bad of cases) {
      const fast = run([role(), content("a"), content("z"), bad], true)
      expect(fast.outcomes.at(-1)).toHaveProperty("failure")
      agree([role(), content("a"), content("z"), bad])
    }
  })

  it("the first chunk keeps its identity: nothing is recognised before a chunk went out", () => {
    const events = [content("a"), content("b"), content("c")]
    const fast = run(events, true)
    expect(fast.outcomes[0]).toEqual({
      chunk: { index: 0, delta: "a", id: "chatcmpl-1", model: "gpt-4o-mini", created: 1700000000, requestId: "req_1" }
    })
    expect(agree(events)).toBe(1)
  })

  it("a stream whose events never repeat is parsed throughout", () => {
    const varying = (i: number) =>
      `{"id":"c","obfuscation":"${"x".repeat(i)}","choices":[{"index":0,"delta":{"content":"t${i}"},"logprobs":null,"finish_reason":null}],"n":${i}}`
    const events = [role(), ...Array.from({ length: 20 }, (_, i) => varying(i))]
    expect(agree(events)).toBe(0)
  })
})
