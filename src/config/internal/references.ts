import { isPlainObject } from "./interpolate.js"
import type { Path, RawIssue } from "./path.js"
import { didYouMean } from "./suggest.js"

// The mock provider needs no configuration, so `mock/...` always resolves.
const builtInInstances = ["mock"]

const keysOf = (value: unknown): ReadonlyArray<string> => (isPlainObject(value) ? Object.keys(value) : [])

interface Reference {
  readonly path: Path
  readonly target: string
}

/**
 * Checks the names a configuration uses against the names it defines, on the document as written (so these
 * problems are reported together with the type errors, not after them): group targets, fallbacks, aliases and the
 * default model must be a `instance/model` address of a configured instance (or `mock/...`), a group or an alias;
 * rate limits must name a configured instance; names of instances, groups and aliases hold no `/`; a name is a
 * group or an alias, not both; and no alias or group leads back to itself.
 */
export const checkReferences = (input: Record<string, unknown>): ReadonlyArray<RawIssue> => {
  const issues: Array<RawIssue> = []
  const instanceNames = keysOf(input.providers)
  const instances = new Set([...instanceNames, ...builtInInstances])
  const groups = isPlainObject(input.models) ? input.models : {}
  const aliases = isPlainObject(input.aliases) ? input.aliases : {}
  const names = new Set([...Object.keys(groups), ...Object.keys(aliases)])
  const configured = `configured: ${[...instanceNames, ...builtInInstances].join(", ")}`

  const checkName = (path: Path, name: string, what: string) => {
    if (name.includes("/")) {
      issues.push({
        path,
        message: `\`${name}\` cannot name ${what}: names may not contain / (that is how provider/model addresses are written)`
      })
    }
  }
  for (const name of instanceNames) checkName(["providers", name], name, "a provider instance")
  for (const name of Object.keys(groups)) checkName(["models", name], name, "a model group")
  for (const name of Object.keys(aliases)) {
    checkName(["aliases", name], name, "an alias")
    if (Object.hasOwn(groups, name)) {
      issues.push({
        path: ["aliases", name],
        message: `\`${name}\` is also a model group: a name is either a group or an alias`
      })
    }
  }

  // Every reference, and the names each group or alias leads to (for the cycle check).
  const references: Array<Reference> = []
  const edges = new Map<string, Array<string>>()
  const refer = (from: string | undefined, path: Path, target: unknown) => {
    if (typeof target !== "string" || target.trim() === "") return
    references.push({ path, target })
    if (from !== undefined && !target.includes("/")) edges.set(from, [...(edges.get(from) ?? []), target])
  }
  for (const [name, group] of Object.entries(groups)) {
    if (!isPlainObject(group)) continue
    if (Array.isArray(group.targets)) {
      group.targets.forEach((target: unknown, index: number) => {
        if (typeof target === "string") refer(name, ["models", name, "targets", index], target)
        else if (isPlainObject(target)) refer(name, ["models", name, "targets", index, "model"], target.model)
      })
    }
    if (Array.isArray(group.fallbacks)) {
      group.fallbacks.forEach((target: unknown, index: number) => {
        refer(name, ["models", name, "fallbacks", index], target)
      })
    }
  }
  for (const [name, target] of Object.entries(aliases)) refer(name, ["aliases", name], target)
  refer(undefined, ["defaultModel"], input.defaultModel)

  for (const { path, target } of references) {
    const slash = target.indexOf("/")
    if (slash === -1) {
      if (!names.has(target)) {
        issues.push({
          path,
          message: `\`${target}\` is not a model group, an alias or a provider/model address${didYouMean(target, names)}`
        })
      }
      continue
    }
    const instance = target.slice(0, slash)
    if (instance === "" || slash === target.length - 1) {
      issues.push({
        path,
        message: `expected a provider/model address like openai/gpt-4o, got ${JSON.stringify(target)}`
      })
    } else if (!instances.has(instance)) {
      issues.push({
        path,
        message: `\`${instance}\` is not a configured provider instance${didYouMean(instance, instances)}; ${configured}`
      })
    }
  }

  for (const name of keysOf(input.rateLimit)) {
    if (!instances.has(name)) {
      issues.push({
        path: ["rateLimit", name],
        message: `\`${name}\` is not a configured provider instance${didYouMean(name, instances)}; ${configured}`
      })
    }
  }

  issues.push(...findCycles(edges, groups))
  return issues
}

// A group or alias that leads back to itself would send the router round in circles: each cycle is reported once,
// at its first name in the document.
const findCycles = (edges: ReadonlyMap<string, ReadonlyArray<string>>, groups: object): ReadonlyArray<RawIssue> => {
  const issues: Array<RawIssue> = []
  const done = new Set<string>()
  const reported = new Set<string>()
  const visit = (name: string, trail: ReadonlyArray<string>) => {
    const start = trail.indexOf(name)
    if (start !== -1) {
      const cycle = trail.slice(start)
      const key = [...cycle].sort().join("\u0000")
      const first = cycle[0] as string
      if (!reported.has(key)) {
        reported.add(key)
        issues.push({
          path: [Object.hasOwn(groups, first) ? "models" : "aliases", first],
          message: `leads back to itself: ${[...cycle, first].join(" → ")}`
        })
      }
      return
    }
    if (done.has(name)) return
    for (const next of edges.get(name) ?? []) visit(next, [...trail, name])
    done.add(name)
  }
  for (const name of edges.keys()) visit(name, [])
  return issues
}
