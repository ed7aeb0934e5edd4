import { readFileSync } from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { LlmClient } from "../../src/core/LlmClient.js"
import { providers } from "../../src/providers/registry.js"
import * as HttpTransport from "../../src/transport/HttpTransport.js"

// docs/providers/README.md states each provider's capabilities; this keeps it equal to what the code declares, and
// checks that a provider without embeddings refuses them without a request.
const table = readFileSync(new URL("../../docs/providers/README.md", import.meta.url), "utf8")
const rows = table
  .slice(table.indexOf("<!-- capabilities:start -->"), table.indexOf("<!-- capabilities:end -->"))
  .split("\n")
  .filter((line) => line.startsWith("| ["))
  .map((line) => {
    const cells = line.split("|").map((cell) => cell.trim())
    const name = /\[([^\]]+)\]/.exec(cells[1] ?? "")?.[1] ?? ""
    const flags = cells.slice(2, 9).map((cell) => cell === "✓")
    return { name, flags }
  })

const capabilitiesOf = (name: string) =>
  Effect.scoped(
    Effect.map(
      Layer.build(
        Layer.provide(
          providers[name]!.layer({
            apiKey: Redacted.make("k"),
            baseUrl: "http://127.0.0.1:1",
            extra: { region: "us-east-1", accessKeyId: "a", secretAccessKey: Redacted.make("b") }
          }),
          HttpTransport.layer
        )
      ),
      (context) => Context.get(context, LlmClient)
    )
  )

describe("docs/providers/README.md capability table", () => {
  it("lists every provider once", () => {
    const names = [...new Set(Object.values(providers).map((entry) => entry.name))].sort()
    assert.deepStrictEqual(rows.map((row) => row.name).sort(), names)
  })

  for (const row of rows) {
    it.effect(`${row.name}: the table says what the provider declares`, () =>
      Effect.gen(function* () {
        const client = yield* capabilitiesOf(row.name)
        const { chat, stream, tools, vision, reasoning, jsonSchema, embed } = client.capabilities
        assert.deepStrictEqual(row.flags, [chat, stream, tools, vision, reasoning, jsonSchema, embed])
        if (!embed) {
          // Port 1 refuses connections: an UnsupportedError proves no request was attempted.
          const error = yield* Effect.flip(client.embed({ model: "any", input: "x" }))
          assert.strictEqual(error._tag, "UnsupportedError")
        }
      })
    )
  }
})
