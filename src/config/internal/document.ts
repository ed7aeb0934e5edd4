import * as Yaml from "yaml"
import { type Path, pathKey } from "./path.js"

/** The text formats a configuration may be written in. */
export type Format = "yaml" | "json"

/** A line and column, both from 1. */
export interface Position {
  readonly line: number
  readonly column: number
}

/** A syntax problem of the text. */
export interface SyntaxIssue {
  readonly message: string
  readonly line?: number | undefined
  readonly column?: number | undefined
}

/** Parsed text: the value, and where each key (or list item) starts. */
export type ParsedDocument =
  | { readonly _tag: "Parsed"; readonly value: unknown; readonly positions: ReadonlyMap<string, Position> }
  | { readonly _tag: "Invalid"; readonly issues: ReadonlyArray<SyntaxIssue> }

// yaml ends its messages with the place and a code frame; the place is kept apart, the frame dropped.
const messageOf = (error: Yaml.YAMLError, format: Format): string => {
  if (format === "json" && error.code === "TAG_RESOLVE_FAILED") {
    // yaml quotes the offending scalar here, which may be a secret: say what is wrong without it.
    return "not valid JSON: strings and keys must be in double quotes"
  }
  const first = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, "")
  return first.charAt(0).toLowerCase() + first.slice(1)
}

const collectPositions = (document: Yaml.Document, lines: Yaml.LineCounter): ReadonlyMap<string, Position> => {
  const positions = new Map<string, Position>()
  const at = (offset: number): Position => {
    const { line, col } = lines.linePos(offset)
    return { line, column: col }
  }
  const seen = new Set<unknown>()
  // Keys brought in by a merge (`<<: *defaults`) are placed where the anchor wrote them, unless written here too.
  const record = (path: Path, range: Yaml.Range | null | undefined, merged: boolean) => {
    if (range === undefined || range === null) return
    const key = pathKey(path)
    if (!merged || !positions.has(key)) positions.set(key, at(range[0]))
  }
  const visit = (node: unknown, path: Path, merged: boolean): void => {
    const resolved = Yaml.isAlias(node) ? node.resolve(document) : node
    // An alias may point at a node being visited: its positions are those of the anchor, already recorded.
    if (resolved === undefined || seen.has(resolved)) return
    if (Yaml.isMap(resolved)) {
      seen.add(resolved)
      for (const pair of resolved.items) {
        // With merge keys on (YAML only), yaml reads the key `<<` as a symbol.
        const isMerge = Yaml.isScalar(pair.key) && typeof pair.key.value === "symbol"
        const key = Yaml.isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        if (isMerge) {
          // `<<: *a` or `<<: [*a, *b]`: the keys of each land in this mapping.
          const value = Yaml.isAlias(pair.value) ? pair.value.resolve(document) : pair.value
          for (const source of Yaml.isSeq(value) ? value.items : [pair.value]) visit(source, path, true)
          continue
        }
        const keyPath = [...path, key]
        record(keyPath, Yaml.isNode(pair.key) ? pair.key.range : undefined, merged)
        visit(pair.value, keyPath, merged)
      }
      seen.delete(resolved)
    } else if (Yaml.isSeq(resolved)) {
      seen.add(resolved)
      resolved.items.forEach((item, index) => {
        const itemPath = [...path, index]
        record(itemPath, Yaml.isNode(item) ? item.range : undefined, merged)
        visit(item, itemPath, merged)
      })
      seen.delete(resolved)
    }
  }
  visit(document.contents, [], false)
  return positions
}

/**
 * Parses YAML or JSON text (JSON through the same parser with its JSON schema, so both carry positions). An empty
 * document is an empty configuration.
 */
export const parseDocument = (text: string, format: Format): ParsedDocument => {
  const lines = new Yaml.LineCounter()
  const document = Yaml.parseDocument(text, {
    lineCounter: lines,
    prettyErrors: true,
    // `<<: *defaults` merges a mapping written elsewhere, as in most YAML configuration files.
    merge: format === "yaml",
    ...(format === "json" ? { schema: "json" as const } : {})
  })
  if (document.errors.length > 0) {
    return {
      _tag: "Invalid",
      issues: document.errors.map((error) => {
        const place = error.linePos?.[0]
        return { message: messageOf(error, format), line: place?.line, column: place?.col }
      })
    }
  }
  let value: unknown
  try {
    value = document.toJS()
  } catch (error) {
    // yaml refuses documents whose aliases expand without bound (a resource exhaustion attack).
    return {
      _tag: "Invalid",
      issues: [{ message: error instanceof Error ? messageOf(error as Yaml.YAMLError, format) : String(error) }]
    }
  }
  return { _tag: "Parsed", value: value ?? {}, positions: collectPositions(document, lines) }
}
