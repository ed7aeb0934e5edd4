import type { Path, RawIssue } from "./path.js"

/** The environment interpolation reads. */
export type Environment = Readonly<Record<string, string | undefined>>

const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/

type Expansion =
  | { readonly _tag: "Done"; readonly text: string; readonly missing: ReadonlyArray<string> }
  | { readonly _tag: "Invalid"; readonly message: string }

// Finds the `}` closing the reference opened just before `start`, skipping references nested in a default.
const closingBrace = (text: string, start: number): number => {
  let depth = 1
  for (let index = start; index < text.length; index++) {
    if (text.startsWith("$${", index)) {
      index += 2
    } else if (text.startsWith("${", index)) {
      depth++
      index++
    } else if (text[index] === "}") {
      depth--
      if (depth === 0) return index
    }
  }
  return -1
}

const expand = (text: string, env: Environment): Expansion => {
  let output = ""
  const missing: Array<string> = []
  let index = 0
  while (index < text.length) {
    if (text.startsWith("$${", index)) {
      output += "${"
      index += 3
      continue
    }
    if (!text.startsWith("${", index)) {
      output += text[index]
      index++
      continue
    }
    const end = closingBrace(text, index + 2)
    if (end === -1) {
      return { _tag: "Invalid", message: `unterminated \${ (close it with } or write $\${ for a literal \${)` }
    }
    const inner = text.slice(index + 2, end)
    const separator = inner.indexOf(":-")
    const name = separator === -1 ? inner : inner.slice(0, separator)
    if (!variableName.test(name)) {
      return {
        _tag: "Invalid",
        message: `\${${name}} is not a variable reference: names are letters, digits and _ (write $\${ for a literal \${)`
      }
    }
    const value = env[name]
    if (separator !== -1 && (value === undefined || value === "")) {
      const fallback = expand(inner.slice(separator + 2), env)
      if (fallback._tag === "Invalid") return fallback
      output += fallback.text
      missing.push(...fallback.missing)
    } else if (value === undefined) {
      missing.push(name)
    } else {
      output += value
    }
    index = end + 1
  }
  return { _tag: "Done", text: output, missing }
}

const missingMessage = (names: ReadonlyArray<string>): string => {
  const unique = [...new Set(names)]
  return unique.length === 1
    ? `environment variable ${unique[0]} is not set`
    : `environment variables ${unique.join(", ")} are not set`
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` (default when unset or empty, itself interpolated) in one string;
 * `$${` is a literal `${`. The left side is the problem, naming the variables that are not set.
 */
export const interpolateString = (text: string, env: Environment): { text: string } | { problem: string } => {
  const expansion = expand(text, env)
  if (expansion._tag === "Invalid") return { problem: expansion.message }
  if (expansion.missing.length > 0) return { problem: missingMessage(expansion.missing) }
  return { text: expansion.text }
}

/**
 * Interpolates every string of a parsed document (values, not keys). A string that cannot be interpolated is left
 * as written and reported at its path.
 */
export const interpolateTree = (
  value: unknown,
  env: Environment,
  path: Path = []
): { readonly value: unknown; readonly issues: ReadonlyArray<RawIssue> } => {
  const issues: Array<RawIssue> = []
  const visit = (node: unknown, at: Path): unknown => {
    if (typeof node === "string") {
      if (!node.includes("${")) return node
      const result = interpolateString(node, env)
      if ("problem" in result) {
        issues.push({ path: at, message: result.problem })
        return node
      }
      return result.text
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...at, index]))
    if (isPlainObject(node)) {
      const output: Record<string, unknown> = {}
      for (const [key, item] of Object.entries(node)) output[key] = visit(item, [...at, key])
      return output
    }
    return node
  }
  const result = visit(value, path)
  return { value: result, issues }
}

/** An object literal (or a parsed mapping), as opposed to arrays, class instances and `Redacted` values. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}
