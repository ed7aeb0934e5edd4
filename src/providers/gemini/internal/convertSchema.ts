// JSON Schema → the OpenAPI 3.0 subset Gemini takes for function parameters (`Schema` in the API reference).
// The rules are listed in docs/providers/gemini.md; each one is a 400 the API would otherwise answer.

type Json = Record<string, unknown>

/**
 * A schema Gemini cannot take and the SDK cannot rewrite (a recursive `$ref`, a reference outside the schema).
 *
 * @internal
 */
export class SchemaConversionError extends Error {}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value)

// Copied as they are when they have the right type.
const numericKeys = [
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "minimum",
  "maximum"
] as const
const stringKeys = ["title", "description", "pattern"] as const

// Gemini refuses any other `format` (e.g. "uri", "email") with a 400.
const allowedFormats: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(["enum", "date-time"]),
  integer: new Set(["int32", "int64"]),
  number: new Set(["float", "double"])
}

interface Context {
  readonly root: Json
  /** `$ref`s being expanded, innermost last: a repeat is a cycle. */
  readonly expanding: ReadonlyArray<string>
}

const resolvePointer = (root: Json, ref: string): unknown => {
  if (ref === "#") return root
  if (!ref.startsWith("#/")) return undefined
  let node: unknown = root
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~")
    if (!isObject(node)) return undefined
    node = node[key]
  }
  return node
}

const isNullSchema = (value: unknown): boolean => isObject(value) && value.type === "null"

// Merges the schemas of an `allOf` (or a `$ref` with siblings): properties and `required` are joined, the first
// value of any other key wins.
const mergeInto = (target: Json, source: Json): void => {
  for (const [key, value] of Object.entries(source)) {
    if (key === "properties" && isObject(target.properties) && isObject(value)) {
      target.properties = { ...target.properties, ...value }
    } else if (key === "required" && Array.isArray(target.required) && Array.isArray(value)) {
      target.required = [...new Set([...(target.required as Array<unknown>), ...value])]
    } else if (!(key in target)) {
      target[key] = value
    }
  }
}

const convertNode = (node: unknown, context: Context, path: string): Json => {
  if (node === true || node === undefined) return {}
  if (node === false)
    throw new SchemaConversionError(`${path}: the schema \`false\` (nothing is valid) has no Gemini form`)
  if (!isObject(node)) throw new SchemaConversionError(`${path}: a schema must be an object`)

  if (typeof node.$ref === "string") {
    const ref = node.$ref
    if (context.expanding.includes(ref)) {
      throw new SchemaConversionError(
        `${path}: "${ref}" refers to itself; Gemini function parameters cannot be recursive`
      )
    }
    const target = resolvePointer(context.root, ref)
    if (target === undefined) {
      throw new SchemaConversionError(`${path}: "${ref}" does not point inside the schema, so it cannot be inlined`)
    }
    const inlined = convertNode(target, { ...context, expanding: [...context.expanding, ref] }, path)
    const { $ref: _ref, ...siblings } = node
    // Siblings of a $ref (usually a description) win over what the reference says.
    const result =
      Object.keys(siblings).length === 0 ? inlined : { ...inlined, ...convertNode(siblings, context, path) }
    return result
  }

  if (Array.isArray(node.allOf) && node.allOf.length > 0) {
    const { allOf, ...rest } = node
    const merged = convertNode(rest, context, path)
    ;(allOf as Array<unknown>).forEach((sub, i) => {
      mergeInto(merged, convertNode(sub, context, `${path}.allOf[${i}]`))
    })
    return merged
  }

  const out: Json = {}
  let nullable = false

  // type: ["string", "null"] → type "string" + nullable; several non-null types → anyOf.
  let type: string | undefined
  if (typeof node.type === "string") {
    type = node.type
  } else if (Array.isArray(node.type)) {
    const types = node.type.filter((t): t is string => typeof t === "string")
    const nonNull = types.filter((t) => t !== "null")
    nullable = nonNull.length < types.length
    if (nonNull.length === 1) type = nonNull[0]
    else if (nonNull.length === 0) type = "null"
    else out.anyOf = nonNull.map((t) => ({ type: t }))
  }
  if (type !== undefined) out.type = type

  for (const key of stringKeys) if (typeof node[key] === "string") out[key] = node[key]
  for (const key of numericKeys) if (typeof node[key] === "number") out[key] = node[key]

  if (typeof node.format === "string" && type !== undefined && allowedFormats[type]?.has(node.format)) {
    out.format = node.format
  }

  // Gemini's enum holds strings only: const becomes a one-value enum; non-string values are dropped.
  const values = node.const !== undefined ? [node.const] : Array.isArray(node.enum) ? node.enum : undefined
  if (values !== undefined) {
    const strings = values.filter((value): value is string => typeof value === "string")
    if (values.includes(null)) nullable = true
    if (strings.length > 0 && strings.length === values.filter((value) => value !== null).length) {
      out.enum = strings
      if (out.type === undefined) out.type = "string"
    }
  }

  if (isObject(node.properties)) {
    const properties: Json = {}
    for (const [name, value] of Object.entries(node.properties)) {
      properties[name] = convertNode(value, context, `${path}.properties.${name}`)
    }
    out.properties = properties
  }
  if (Array.isArray(node.required)) out.required = node.required.filter((name) => typeof name === "string")
  if (Array.isArray(node.propertyOrdering)) out.propertyOrdering = node.propertyOrdering

  if (Array.isArray(node.items)) {
    // A tuple: Gemini has no prefixItems, so the items may be any of the tuple's schemas.
    const items = node.items.map((item, i) => convertNode(item, context, `${path}.items[${i}]`))
    out.items = items.length === 1 ? items[0] : { anyOf: items }
  } else if (node.items !== undefined) {
    out.items = convertNode(node.items, context, `${path}.items`)
  } else if (Array.isArray(node.prefixItems)) {
    const items = node.prefixItems.map((item, i) => convertNode(item, context, `${path}.prefixItems[${i}]`))
    out.items = items.length === 1 ? items[0] : { anyOf: items }
  }

  const alternatives = Array.isArray(node.anyOf) ? node.anyOf : Array.isArray(node.oneOf) ? node.oneOf : undefined
  if (alternatives !== undefined) {
    const key = Array.isArray(node.anyOf) ? "anyOf" : "oneOf"
    if (alternatives.some(isNullSchema)) nullable = true
    const converted = alternatives
      .map((sub, i) => [sub, i] as const)
      .filter(([sub]) => !isNullSchema(sub))
      .map(([sub, i]) => convertNode(sub, context, `${path}.${key}[${i}]`))
    if (converted.length === 1) mergeInto(out, converted[0]!)
    else if (converted.length > 1) out.anyOf = converted
  }

  if (nullable) out.nullable = true
  return out
}

/**
 * Converts a JSON Schema to Gemini's `Schema`. `where` names the schema in error messages.
 *
 * @internal
 */
export const convertSchema = (schema: Record<string, unknown>, where: string): Json =>
  convertNode(schema, { root: schema, expanding: [] }, where)

/**
 * The `parameters` of a function declaration, or undefined when the tool takes no arguments (Gemini refuses an
 * object schema without properties).
 *
 * @internal
 */
export const convertParameters = (schema: Record<string, unknown> | undefined, where: string): Json | undefined => {
  if (schema === undefined) return undefined
  const converted = convertSchema(schema, where)
  const properties = converted.properties
  if (
    (converted.type === undefined || converted.type === "object") &&
    converted.anyOf === undefined &&
    (!isObject(properties) || Object.keys(properties).length === 0)
  ) {
    return undefined
  }
  return converted
}
