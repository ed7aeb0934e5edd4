import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as fc from "effect/FastCheck"
import * as Prompt from "../../src/prompt/Prompt.js"

const summarize = Prompt.template("Summarize {{text}} in {{ words }} words, for {{audience}} ({{words}} at most).")

// Compile-time checks: each line must keep compiling (or keep failing, for the @ts-expect-error ones).
const variables: ReadonlyArray<"text" | "words" | "audience"> = summarize.variables
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const inferred: [
  Same<Prompt.VariablesOf<"Hi {{ name }}, {{name}} again">, "name">,
  Same<Prompt.VariablesOf<"no placeholders, only {braces} and {{ two words }}">, never>,
  Same<Prompt.VariablesOf<"{{{inner}}}">, "inner">,
  Same<Prompt.VariablesOf<string>, string>
] = [true, true, true, true]

describe("Prompt.template", () => {
  it("lists its variables once each, in order, as the types say", () => {
    assert.deepStrictEqual(variables, ["text", "words", "audience"])
    assert.deepStrictEqual(inferred, [true, true, true, true])
    assert.deepStrictEqual(Prompt.template("{{{inner}}} {{ two words }} {x}").variables, ["inner"])
  })

  it.effect("renders every placeholder, numbers and booleans as JavaScript prints them", () =>
    Effect.gen(function* () {
      const text = yield* summarize.render({ text: "the report", words: 50, audience: "engineers" })
      assert.strictEqual(text, "Summarize the report in 50 words, for engineers (50 at most).")
      const flags = Prompt.template("strict={{strict}} big={{big}}")
      assert.strictEqual(Either.getOrThrow(flags.render({ strict: false, big: 10n })), "strict=false big=10")
    })
  )

  it("keeps text that is not a placeholder, and does not expand placeholders inside values", () => {
    const json = Prompt.template('Reply as {"answer": {{kind}}} with {{ not a name }} and {{{kind}}}.')
    assert.strictEqual(
      Either.getOrThrow(json.render({ kind: "{{kind}}" })),
      'Reply as {"answer": {{kind}}} with {{ not a name }} and {{{kind}}}.'
    )
    const none = Prompt.template("No variables here.")
    assert.strictEqual(Either.getOrThrow(none.render({})), "No variables here.")
  })

  it("names missing, unknown and unprintable variables from untyped callers", () => {
    const untyped = summarize.render as (values: unknown) => Either.Either<string, Prompt.PromptTemplateError>

    const missing = untyped({ text: "x", words: undefined })
    assert.isTrue(Either.isLeft(missing))
    if (Either.isLeft(missing)) {
      assert.deepStrictEqual(missing.left.missing, ["words", "audience"])
      assert.include(missing.left.message, 'no value for "words", "audience"')
    }

    const extra = untyped({ text: "x", words: 5, audience: "y", tone: "dry", length: 3 })
    assert.isTrue(Either.isLeft(extra) && extra.left.unknown.join() === "tone,length")
    if (Either.isLeft(extra)) assert.include(extra.left.message, '"tone", "length" are not in it')

    const wrong = untyped({ text: { body: "x" }, words: Number.NaN, audience: null })
    assert.isTrue(Either.isLeft(wrong))
    if (Either.isLeft(wrong)) {
      assert.strictEqual(wrong.left._tag, "PromptTemplateError")
      assert.deepStrictEqual(wrong.left.invalid, ["text", "words", "audience"])
      assert.include(wrong.left.message, "(got an object, NaN, null)")
      assert.include(wrong.left.message, 'The template "Summarize {{text}} in {{ words }} words, for {{audience}} ({…"')
    }

    const notAnObject = untyped("text")
    assert.isTrue(Either.isLeft(notAnObject) && notAnObject.left.missing.length === 3)
  })

  it("rejects wrong values at compile time", () => {
    // @ts-expect-error: "audience" is missing
    const missing = summarize.render({ text: "x", words: 1 })
    // @ts-expect-error: "tone" is not a variable of the template
    const extra = summarize.render({ text: "x", words: 1, audience: "y", tone: "dry" })
    // @ts-expect-error: an object is not a value
    const wrong = summarize.render({ text: { body: "x" }, words: 1, audience: "y" })
    assert.isTrue(Either.isLeft(missing) && Either.isLeft(extra) && Either.isLeft(wrong))
  })

  // The placeholder rule, scanned by hand: the template's parser (and the type-level scan, which mirrors it) must
  // find the same names.
  const scanByHand = (text: string): Array<string> => {
    const names: Array<string> = []
    const space = (i: number) => text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r"
    let i = 0
    while (i < text.length) {
      if (!text.startsWith("{{", i)) {
        i++
        continue
      }
      let j = i + 2
      while (space(j)) j++
      const start = j
      while (j < text.length && /\w/.test(text[j]!)) j++
      const name = text.slice(start, j)
      while (space(j)) j++
      if (name !== "" && text.startsWith("}}", j)) {
        if (!names.includes(name)) names.push(name)
        i = j + 2
      } else {
        i++
      }
    }
    return names
  }

  it("finds the names the placeholder rule gives, and leaves no placeholder behind", () => {
    const pieces = fc.constantFrom("{{", "}}", "{", "}", " ", "a", "b_1", "x y", "\n", "{{ c }}", "é")
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 14 }), (parts) => {
        const text = parts.join("")
        const template = Prompt.template(text)
        assert.deepStrictEqual(template.variables, scanByHand(text))
        const values = Object.fromEntries(template.variables.map((name) => [name, `<${name}>`]))
        const rendered = Either.getOrThrow(template.render(values as never))
        assert.deepStrictEqual(scanByHand(rendered), [])
      }),
      { numRuns: 500 }
    )
  })
})
