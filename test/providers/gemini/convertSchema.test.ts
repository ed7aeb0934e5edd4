import { assert, describe, it } from "@effect/vitest"
import {
  convertParameters,
  convertSchema,
  SchemaConversionError
} from "../../../src/providers/gemini/internal/convertSchema.js"

const convert = (schema: Record<string, unknown>) => convertSchema(schema, "parameters")

describe("Gemini schema conversion (JSON Schema → Gemini Schema)", () => {
  it("drops what Gemini has no field for: $schema, additionalProperties, default, examples, $defs", () => {
    assert.deepStrictEqual(
      convert({
        $schema: "http://json-schema.org/draft-07/schema#",
        $id: "x",
        type: "object",
        properties: { a: { type: "string", default: "z", examples: ["q"], minLength: 1, maxLength: 9, pattern: "^a" } },
        additionalProperties: false,
        patternProperties: { "^x": { type: "number" } },
        $defs: {}
      }),
      { type: "object", properties: { a: { type: "string", minLength: 1, maxLength: 9, pattern: "^a" } } }
    )
  })

  it("turns a type list with null into nullable, and several types into anyOf", () => {
    assert.deepStrictEqual(convert({ type: ["integer", "null"], minimum: 0 }), {
      type: "integer",
      minimum: 0,
      nullable: true
    })
    assert.deepStrictEqual(convert({ type: ["string", "number"] }), {
      anyOf: [{ type: "string" }, { type: "number" }]
    })
    assert.deepStrictEqual(convert({ type: ["string", "number", "null"] }), {
      anyOf: [{ type: "string" }, { type: "number" }],
      nullable: true
    })
  })

  it("turns const into a one-value enum, keeps string enums, drops enums Gemini cannot hold", () => {
    assert.deepStrictEqual(convert({ const: "fixed" }), { type: "string", enum: ["fixed"] })
    assert.deepStrictEqual(convert({ type: "string", enum: ["a", "b", null] }), {
      type: "string",
      enum: ["a", "b"],
      nullable: true
    })
    assert.deepStrictEqual(convert({ type: "integer", enum: [1, 2, 3] }), { type: "integer" })
    assert.deepStrictEqual(convert({ type: "boolean", const: true }), { type: "boolean" })
  })

  it("keeps only the formats Gemini takes", () => {
    assert.deepStrictEqual(
      convert({
        type: "object",
        properties: {
          at: { type: "string", format: "date-time" },
          mail: { type: "string", format: "email" },
          n: { type: "integer", format: "int64" },
          x: { type: "number", format: "double" },
          y: { type: "number", format: "int32" }
        }
      }).properties,
      {
        at: { type: "string", format: "date-time" },
        mail: { type: "string" },
        n: { type: "integer", format: "int64" },
        x: { type: "number", format: "double" },
        y: { type: "number" }
      }
    )
  })

  it("folds anyOf/oneOf with null into nullable, and keeps real alternatives as anyOf", () => {
    assert.deepStrictEqual(convert({ description: "maybe", anyOf: [{ type: "string" }, { type: "null" }] }), {
      description: "maybe",
      type: "string",
      nullable: true
    })
    assert.deepStrictEqual(convert({ oneOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] }), {
      anyOf: [{ type: "string" }, { type: "integer" }],
      nullable: true
    })
  })

  it("merges allOf into one schema", () => {
    assert.deepStrictEqual(
      convert({
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
          { properties: { b: { type: "number" } }, required: ["b"], additionalProperties: false }
        ]
      }),
      { type: "object", properties: { a: { type: "string" }, b: { type: "number" } }, required: ["a", "b"] }
    )
  })

  it("inlines $ref to $defs and definitions, siblings of the $ref winning", () => {
    assert.deepStrictEqual(
      convert({
        type: "object",
        properties: {
          home: { $ref: "#/$defs/Place", description: "where you live" },
          work: { $ref: "#/definitions/Place" }
        },
        $defs: { Place: { type: "object", description: "a place", properties: { name: { type: "string" } } } },
        definitions: { Place: { type: "string" } }
      }).properties,
      {
        home: { type: "object", description: "where you live", properties: { name: { type: "string" } } },
        work: { type: "string" }
      }
    )
  })

  it("refuses recursive and outside references with a message naming the place", () => {
    const recursive = () =>
      convert({
        type: "object",
        properties: { node: { $ref: "#/$defs/Node" } },
        $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } }
      })
    const outside = () => convert({ type: "object", properties: { a: { $ref: "https://example.com/a.json" } } })

    assert.throws(
      recursive,
      SchemaConversionError,
      /parameters\.properties\.node\.properties\.next: "#\/\$defs\/Node" refers to itself/
    )
    assert.throws(outside, SchemaConversionError, /does not point inside the schema/)
  })

  it("turns tuple items into items that may be any of them", () => {
    assert.deepStrictEqual(convert({ type: "array", items: [{ type: "string" }, { type: "number" }], minItems: 2 }), {
      type: "array",
      minItems: 2,
      items: { anyOf: [{ type: "string" }, { type: "number" }] }
    })
  })

  it("declares no parameters for an object without properties", () => {
    assert.isUndefined(convertParameters({ type: "object", properties: {}, additionalProperties: false }, "p"))
    assert.isUndefined(convertParameters({ type: "object" }, "p"))
    assert.isUndefined(convertParameters(undefined, "p"))
    assert.deepStrictEqual(convertParameters({ type: "object", properties: { a: { type: "string" } } }, "p"), {
      type: "object",
      properties: { a: { type: "string" } }
    })
  })
})
