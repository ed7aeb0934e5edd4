// JSON Schemas as vendors accept them at the root of tool parameters and structured answers.
import type { JsonSchema } from "../../core/Tool.js"

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const DEFINITION_REF = /^#\/\$defs\/(.+)$/

/**
 * A schema whose root is a reference (what `JSONSchema.make` gives for a `Schema.Class` or any schema with an
 * identifier) with the referenced definition put in its place: OpenAI wants `type: "object"` at the root of tool
 * parameters and response formats, and Gemini's tool parameters take no `$ref` there. The definitions stay, since
 * nested references (recursion) may still point at them.
 */
export const inlineRootReference = (schema: JsonSchema): JsonSchema => {
  const ref = schema.$ref
  const definitions = schema.$defs
  if (typeof ref !== "string" || !isObject(definitions)) return schema
  const name = DEFINITION_REF.exec(ref)?.[1]
  const target = name === undefined ? undefined : definitions[name]
  if (!isObject(target)) return schema
  const { $ref: _ref, $defs: _defs, ...rest } = schema
  // The definition goes once nothing else points at it (a recursive schema still does).
  const stillReferenced = JSON.stringify(definitions).includes(`"${ref}"`)
  const remaining = Object.fromEntries(Object.entries(definitions).filter(([key]) => key !== name || stillReferenced))
  const inlined: Record<string, unknown> = { ...rest, ...target }
  if (Object.keys(remaining).length > 0) inlined.$defs = remaining
  return inlined
}

// `Schema.Struct({})` means "any value but null and undefined", which JSON Schema spells as object-or-array.
const isEmptyStruct = (schema: JsonSchema): boolean =>
  schema.$id === "/schemas/%7B%7D" &&
  Array.isArray(schema.anyOf) &&
  schema.anyOf.length === 2 &&
  schema.anyOf.some((member) => isObject(member) && member.type === "object")

/**
 * The schema of tool parameters: the root reference inlined, and `Schema.Struct({})` (a tool without parameters)
 * as the empty object schema every provider takes.
 */
export const parametersSchema = (schema: JsonSchema): JsonSchema => {
  const inlined = inlineRootReference(schema)
  if (!isEmptyStruct(inlined)) return inlined
  const { $id: _id, anyOf: _anyOf, ...rest } = inlined
  return { ...rest, type: "object", properties: {} }
}

/** Whether the root of the schema describes a JSON object. */
export const isObjectSchema = (schema: JsonSchema): boolean => schema.type === "object"
