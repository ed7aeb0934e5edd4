import * as Redacted from "effect/Redacted"

const longest = 60

/**
 * How a value reads after "got" in a message: strings quoted (cut when long), numbers and booleans as written,
 * collections by their kind. Callers never pass a secret's value here.
 */
export const describeValue = (value: unknown): string => {
  if (typeof value === "string") {
    const quoted = JSON.stringify(value)
    return quoted.length > longest ? `${quoted.slice(0, longest - 4)}..."` : quoted
  }
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value)
  return describeKind(value)
}

/** What kind of value this is, without its content: safe for secrets and structure errors. */
export const describeKind = (value: unknown): string => {
  if (value === null || value === undefined) return "nothing"
  if (Redacted.isRedacted(value)) return "a secret"
  if (Array.isArray(value)) return "a list"
  if (typeof value === "string") return "a string"
  if (typeof value === "number") return "a number"
  if (typeof value === "boolean") return "a boolean"
  if (typeof value === "object") return "a mapping"
  return `a ${typeof value}`
}
