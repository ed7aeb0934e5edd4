import { assert, describe, it } from "@effect/vitest"
import * as fc from "effect/FastCheck"
import * as PartialJson from "../../src/structured/PartialJson.js"

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Whether `partial` is what a prefix of `full`'s JSON may show: strings cut short, arrays and objects missing their
 * tail (the last element itself partial), every complete number, boolean and null equal.
 */
const isPartialOf = (partial: unknown, full: unknown): boolean => {
  if (partial === undefined) return true
  if (typeof full === "string") return typeof partial === "string" && full.startsWith(partial)
  if (Array.isArray(full)) {
    if (!Array.isArray(partial) || partial.length > full.length) return false
    return partial.every((item, i) =>
      i === partial.length - 1 ? isPartialOf(item, full[i]) : JSON.stringify(item) === JSON.stringify(full[i])
    )
  }
  if (isPlainObject(full)) {
    if (!isPlainObject(partial)) return false
    return Object.keys(partial).every((key) => Object.hasOwn(full, key) && isPartialOf(partial[key], full[key]))
  }
  return Object.is(partial, full) || (partial === 0 && full === 0)
}

// JSON values as JSON.parse gives them back (no -0, no undefined).
const jsonValue = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown)
// Structured answers are objects or arrays; a bare number at the end of the text may still grow, so it is not shown.
const container = fc.oneof(fc.array(jsonValue, { maxLength: 6 }), fc.dictionary(fc.string(), jsonValue, { maxKeys: 6 }))
const indentation = fc.constantFrom<ReadonlyArray<number | undefined>>([undefined], [2])

describe("PartialJson.parse", () => {
  it("shows strings as far as they arrived and leaves out what may still change", () => {
    const cases: ReadonlyArray<readonly [string, unknown, PartialJson.ParseState]> = [
      ["", undefined, "partial"],
      ["  ", undefined, "partial"],
      ["{", {}, "partial"],
      ['{"na', {}, "partial"],
      ['{"name"', {}, "partial"],
      ['{"name":', {}, "partial"],
      ['{"name":"Ad', { name: "Ad" }, "partial"],
      ['{"name":"Ada","age":3', { name: "Ada" }, "partial"],
      ['{"name":"Ada","age":36', { name: "Ada" }, "partial"],
      ['{"name":"Ada","age":36,', { name: "Ada", age: 36 }, "partial"],
      ['{"ok":tr', {}, "partial"],
      ['{"ok":true', { ok: true }, "partial"],
      ['{"tags":["a","b', { tags: ["a", "b"] }, "partial"],
      ['{"n":-', {}, "partial"],
      ['{"n":1.', {}, "partial"],
      ['{"n":1e+', {}, "partial"],
      ['{"n":1.5e3}', { n: 1500 }, "complete"],
      ['"line\\', "line", "partial"],
      ['"\\u00e', "", "partial"],
      ['"caf\\u00e9"', "café", "complete"],
      ['{"a":[1,{"b":null}]} ', { a: [1, { b: null }] }, "complete"],
      ["12", undefined, "partial"],
      ["12 ", 12, "complete"],
      ["[]", [], "complete"]
    ]
    for (const [text, value, state] of cases) {
      assert.deepStrictEqual(PartialJson.parse(text), { value, state }, JSON.stringify(text))
    }
  })

  it("says invalid where no continuation can help, keeping what came before", () => {
    const cases: ReadonlyArray<readonly [string, unknown]> = [
      ['{"a":1}x', { a: 1 }],
      ['{"a" 1}', {}],
      ['{"a":1,}', { a: 1 }],
      ["[1,]", [1]],
      ['{"n":01}', {}],
      ['{"n":1.e5}', {}],
      ['{"n":-x}', {}],
      ['{"ok":trux}', {}],
      ['"bad \\q escape"', "bad "],
      ['"\\u00zz"', ""],
      ["{a:1}", {}],
      ['"raw\nnewline"', "raw"]
    ]
    for (const [text, value] of cases) {
      assert.deepStrictEqual(PartialJson.parse(text), { value, state: "invalid" }, JSON.stringify(text))
    }
  })

  it("keeps a __proto__ key as data, as JSON.parse does", () => {
    const { value } = PartialJson.parse('{"__proto__":{"polluted":true}}')
    assert.deepStrictEqual(Object.keys(value as object), ["__proto__"])
    assert.isUndefined(({} as Record<string, unknown>).polluted)
  })

  it("reads any whole JSON text as JSON.parse does", () => {
    fc.assert(
      fc.property(jsonValue, indentation, (value, [indent]) => {
        // A number is complete once something follows it, here the end of the document's whitespace.
        const text = JSON.stringify(value, null, indent) + (typeof value === "number" ? "\n" : "")
        assert.deepStrictEqual(PartialJson.parse(text), { value, state: "complete" })
      }),
      { numRuns: 300 }
    )
  })

  it("reads every prefix as a partial of the whole value, never invalid", () => {
    fc.assert(
      fc.property(container, indentation, (value, [indent]) => {
        const text = JSON.stringify(value, null, indent)
        for (let end = 0; end < text.length; end++) {
          const parsed = PartialJson.parse(text.slice(0, end))
          if (parsed.state === "invalid") return false
          if (!isPartialOf(parsed.value, value)) return false
        }
        return true
      }),
      { numRuns: 200 }
    )
  })

  it("grows monotonically when the text arrives in random pieces", () => {
    fc.assert(
      fc.property(container, fc.array(fc.nat(), { maxLength: 12 }), (value, cuts) => {
        const text = JSON.stringify(value)
        const points = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b)
        let previous: unknown
        for (const point of [...points, text.length]) {
          const parsed = PartialJson.parse(text.slice(0, point))
          if (parsed.state === "invalid" || !isPartialOf(previous, parsed.value)) return false
          previous = parsed.value
        }
        return JSON.stringify(previous) === JSON.stringify(value)
      }),
      { numRuns: 300 }
    )
  })
})

describe("PartialJson.stripCodeFence", () => {
  it("drops a Markdown fence around JSON, as far as it has arrived", () => {
    assert.strictEqual(PartialJson.stripCodeFence('```json\n{"a":1}\n```'), '{"a":1}')
    assert.strictEqual(PartialJson.stripCodeFence('```json\n{"a":'), '{"a":')
    assert.strictEqual(PartialJson.stripCodeFence("```\n[1]```"), "[1]")
    assert.strictEqual(PartialJson.stripCodeFence('{"a":"```"}'), '{"a":"```"}')
  })
})
