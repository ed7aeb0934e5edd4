import { providers } from "../../providers/registry.js"
import { type Environment, isPlainObject } from "./interpolate.js"
import { type Path, pathKey } from "./path.js"

/** What the environment adds to a configuration, and which variable each value came from. */
export interface EnvironmentSettings {
  readonly value: Record<string, unknown>
  readonly variables: ReadonlyMap<string, string>
}

/** The gateway settings read from the environment, by key. */
export const gatewayVariables: ReadonlyArray<readonly [key: string, variable: string]> = [
  ["masterKey", "AGENT_ADAPTER_MASTER_KEY"],
  ["database", "AGENT_ADAPTER_DATABASE_URL"],
  ["redis", "AGENT_ADAPTER_REDIS_URL"],
  ["host", "HOST"],
  ["port", "PORT"]
]

// An empty variable counts as unset: `OPENAI_API_KEY=` is how people switch a key off.
const firstSet = (
  env: Environment,
  names: ReadonlyArray<string> | undefined
): readonly [name: string, value: string] | undefined => {
  for (const name of names ?? []) {
    const value = env[name]
    if (value !== undefined && value !== "") return [name, value]
  }
  return undefined
}

// The registry entries an already configured instance stands for, by its name or its `type`.
const configuredEntries = (documents: ReadonlyArray<unknown>): ReadonlySet<string> => {
  const names = new Set<string>()
  for (const document of documents) {
    if (!isPlainObject(document) || !isPlainObject(document.providers)) continue
    for (const [name, settings] of Object.entries(document.providers)) {
      const byName = providers[name]?.name
      if (byName !== undefined) names.add(byName)
      const type = isPlainObject(settings) && typeof settings.type === "string" ? settings.type : undefined
      const byType = type === undefined ? undefined : providers[type]?.name
      if (byType !== undefined) names.add(byType)
    }
  }
  return names
}

/**
 * The configuration the environment gives: an instance of every registry provider whose key variable is set
 * (`OPENAI_API_KEY`, ...) and that the other sources do not configure (by name or type), with its address and
 * provider-specific settings from their variables; and the gateway's `AGENT_ADAPTER_MASTER_KEY`,
 * `AGENT_ADAPTER_DATABASE_URL`, `AGENT_ADAPTER_REDIS_URL`, `HOST` and `PORT`.
 */
export const environmentSettings = (env: Environment, documents: ReadonlyArray<unknown>): EnvironmentSettings => {
  const variables = new Map<string, string>()
  const from = (path: Path, variable: string) => variables.set(pathKey(path), variable)
  const configured = configuredEntries(documents)
  const instances: Record<string, Record<string, unknown>> = {}
  for (const entry of new Set(Object.values(providers))) {
    if (configured.has(entry.name)) continue
    const key = firstSet(env, entry.apiKeyEnv)
    if (key === undefined) continue
    const instance: Record<string, unknown> = { apiKey: key[1] }
    from(["providers", entry.name], key[0])
    from(["providers", entry.name, "apiKey"], key[0])
    const baseUrl = firstSet(env, entry.baseUrlEnv)
    if (baseUrl !== undefined) {
      instance.baseUrl = baseUrl[1]
      from(["providers", entry.name, "baseUrl"], baseUrl[0])
    }
    for (const [setting, names] of Object.entries(entry.extraEnv ?? {})) {
      const found = firstSet(env, names)
      if (found === undefined) continue
      instance[setting] = found[1]
      from(["providers", entry.name, setting], found[0])
    }
    instances[entry.name] = instance
  }
  const gateway: Record<string, unknown> = {}
  for (const [key, variable] of gatewayVariables) {
    const found = firstSet(env, [variable])
    if (found === undefined) continue
    gateway[key] = found[1]
    from(["gateway", key], variable)
  }
  const value: Record<string, unknown> = {}
  if (Object.keys(instances).length > 0) value.providers = instances
  if (Object.keys(gateway).length > 0) value.gateway = gateway
  return { value, variables }
}
