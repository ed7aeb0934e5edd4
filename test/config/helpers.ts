import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Redacted from "effect/Redacted"

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "config")

export const yaml = (...lines: ReadonlyArray<string>) => `${lines.join("\n")}\n`

/** A configuration with every `Redacted` opened as `{ secret: value }`, to compare decoded values exactly. */
export const reveal = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return { secret: Redacted.value(value) }
  if (Array.isArray(value)) return value.map(reveal)
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]))
  }
  return value
}

/** A temporary directory for configuration files, removed by `remove`. */
export const temporaryDirectory = () => {
  const directory = mkdtempSync(join(tmpdir(), "agent-adapter-config-"))
  return {
    directory,
    write: (name: string, text: string) => {
      const path = join(directory, name)
      writeFileSync(path, text)
      return path
    },
    remove: () => rmSync(directory, { recursive: true, force: true })
  }
}
