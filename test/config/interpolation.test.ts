import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { Config } from "../../src/config/index.js"
import { yaml } from "./helpers.js"

// `${...}` in these strings is configuration text, not JavaScript interpolation.
const reference = (inner: string) => `\${${inner}}`

const aliasOf = (value: string, env: Record<string, string>) =>
  Effect.map(
    Config.decode({ aliases: { probe: value }, models: { g: { targets: ["mock/x"] } } }, { env }),
    (config) => config.aliases.probe
  )

describe("interpolation", () => {
  it.effect("a variable, several in one string, and text around them", () =>
    Effect.gen(function* () {
      const env = { PROVIDER: "mock", MODEL: "echo", SUFFIX: "v2" }
      assert.strictEqual(yield* aliasOf(reference("PROVIDER"), { PROVIDER: "g" }), "g")
      assert.strictEqual(
        yield* aliasOf(`${reference("PROVIDER")}/${reference("MODEL")}-${reference("SUFFIX")}`, env),
        "mock/echo-v2"
      )
    })
  )

  it.effect("defaults: used when the variable is unset or empty, themselves interpolated", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* aliasOf(`mock/${reference("MODEL:-fallback")}`, {}), "mock/fallback")
      assert.strictEqual(yield* aliasOf(`mock/${reference("MODEL:-fallback")}`, { MODEL: "" }), "mock/fallback")
      assert.strictEqual(yield* aliasOf(`mock/${reference("MODEL:-fallback")}`, { MODEL: "set" }), "mock/set")
      assert.strictEqual(
        yield* aliasOf(`mock/${reference(`MODEL:-${reference("OTHER:-last")}`)}`, { OTHER: "other" }),
        "mock/other"
      )
      assert.strictEqual(yield* aliasOf(`mock/${reference(`MODEL:-${reference("OTHER:-last")}`)}`, {}), "mock/last")
      // An empty default is a default.
      assert.strictEqual(yield* aliasOf(`mock/a${reference("NOTHING:-")}`, {}), "mock/a")
    })
  )

  it.effect("$${ is a literal ${, and a lone $ stays as written", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* aliasOf(`mock/$${reference("NOT_A_VARIABLE")}`, {}),
        `mock/${reference("NOT_A_VARIABLE")}`
      )
      assert.strictEqual(yield* aliasOf("mock/cost-$5-$$", {}), "mock/cost-$5-$$")
    })
  )

  it.effect("interpolated keys become Redacted, and numbers and flags read from text", () =>
    Effect.gen(function* () {
      const config = yield* Config.parse(
        yaml(
          "providers:",
          `  openai: { apiKey: "${reference("KEY")}" }`,
          `gateway: { port: "${reference("PORT:-8080")}" }`,
          `retry: { maxRetries: "${reference("RETRIES")}", jitter: "${reference("JITTER")}" }`
        ),
        { env: { KEY: "sk-interpolated", RETRIES: "4", JITTER: "false" } }
      )
      const apiKey = config.providers.openai?.apiKey
      assert.isTrue(apiKey !== undefined && Redacted.isRedacted(apiKey))
      assert.strictEqual(apiKey === undefined ? undefined : Redacted.value(apiKey), "sk-interpolated")
      assert.strictEqual(config.gateway?.port, 8080)
      assert.deepStrictEqual(config.retry, { maxRetries: 4, jitter: false })
    })
  )

  it.effect("an unterminated reference and an invalid name are reported at their path", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Config.parse(
          yaml(`aliases: { a: "mock/${reference("MODEL").slice(0, -1)}", b: "mock/${reference("NOT VALID")}" }`),
          { source: "agent-adapter.yaml", env: {} }
        )
      )
      assert.strictEqual(
        error.message,
        [
          "agent-adapter.yaml: 2 problems",
          `  aliases.a (line 1, col 12): unterminated \${ (close it with } or write $\${ for a literal \${)`,
          `  aliases.b (line 1, col 31): \${NOT VALID} is not a variable reference: names are letters, digits and _ (write $\${ for a literal \${)`
        ].join("\n")
      )
    })
  )

  it.effect("keys are not interpolated, and a decoded object's strings are", () =>
    Effect.gen(function* () {
      const config = yield* Config.parse(yaml(`aliases: { "${reference("NAME")}": mock/x }`), { env: { NAME: "n" } })
      assert.deepStrictEqual(Object.keys(config.aliases), [reference("NAME")])
      const decoded = yield* Config.decode({ defaultModel: `mock/${reference("M")}` }, { env: { M: "m1" } })
      assert.strictEqual(decoded.defaultModel, "mock/m1")
    })
  )
})
