import type { Position } from "./document.js"
import { isPlainObject } from "./interpolate.js"
import { type Path, pathKey } from "./path.js"

/** Where a value came from, as much as is known: a line and column in a file, or an environment variable. */
export interface Location {
  readonly line?: number | undefined
  readonly column?: number | undefined
  readonly variable?: string | undefined
}

/** One source of configuration: a file, the environment, or explicit options. */
export interface Source {
  readonly label: string
  readonly value: Record<string, unknown>
  /** Exact paths with a known location (keys of `pathKey`). */
  readonly locations: ReadonlyMap<string, Position | string>
}

/** The merged document, and for each path the source it came from. */
export interface Merged {
  readonly value: Record<string, unknown>
  readonly sourceOf: (path: Path) => Source | undefined
  readonly locate: (path: Path, source: Source) => Location
}

/**
 * Deep-merges sources, later ones winning: mappings merge key by key, anything else (lists included) replaces.
 * `undefined` means "not given" and never replaces a value.
 */
export const mergeSources = (sources: ReadonlyArray<Source>): Merged => {
  const origins = new Map<string, Source>()
  const merge = (base: unknown, next: unknown, path: Path, source: Source): unknown => {
    if (next === undefined) return base
    origins.set(pathKey(path), source)
    if (isPlainObject(next)) {
      const output: Record<string, unknown> = isPlainObject(base) ? { ...base } : {}
      if (!isPlainObject(base)) forgetBelow(path)
      for (const [key, value] of Object.entries(next)) output[key] = merge(output[key], value, [...path, key], source)
      return output
    }
    forgetBelow(path)
    origins.set(pathKey(path), source)
    return next
  }
  // A replaced value takes its children's origins with it.
  const forgetBelow = (path: Path) => {
    const prefix = `${pathKey(path).slice(0, -1)},`
    for (const key of [...origins.keys()]) if (key.startsWith(prefix)) origins.delete(key)
  }
  let value: Record<string, unknown> = {}
  for (const source of sources) value = merge(value, source.value, [], source) as Record<string, unknown>
  const longestPrefix = <A>(path: Path, lookup: (key: string) => A | undefined): A | undefined => {
    for (let length = path.length; length >= 0; length--) {
      const found = lookup(pathKey(path.slice(0, length)))
      if (found !== undefined) return found
    }
    return undefined
  }
  return {
    value,
    sourceOf: (path) => longestPrefix(path, (key) => origins.get(key)),
    locate: (path, source) => {
      const found = longestPrefix(path, (key) => source.locations.get(key))
      if (found === undefined) return {}
      return typeof found === "string" ? { variable: found } : { line: found.line, column: found.column }
    }
  }
}
