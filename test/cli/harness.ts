// Runs the built `agent-adapter` binary as a subprocess. The CLI is bundled once per source state with tsup into
// node_modules/.cache (so its dependencies resolve from the project), shared by every test file and run.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "../..")
const cacheRoot = join(root, "node_modules", ".cache", "agent-adapter-cli")

const sourceHash = (): string => {
  const hash = createHash("sha256")
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith(".ts") || entry.name.endsWith(".json")) {
        hash.update(path)
        hash.update(readFileSync(path))
      }
    }
  }
  walk(join(root, "src"))
  return hash.digest("hex").slice(0, 16)
}

let built: string | undefined

/** The path of the built CLI (`main.js`), building it when the sources changed since the last build. */
export const builtCli = (): string => {
  if (built !== undefined) return built
  const target = join(cacheRoot, sourceHash())
  const entry = join(target, "main.js")
  if (!existsSync(entry)) {
    mkdirSync(cacheRoot, { recursive: true })
    const staging = mkdtempSync(join(cacheRoot, "staging-"))
    const result = spawnSync(
      join(root, "node_modules", ".bin", "tsup"),
      [
        "src/cli/main.ts",
        "--no-config",
        "--format",
        "esm",
        "--platform",
        "node",
        "--target",
        "node20",
        "--out-dir",
        staging,
        "--silent"
      ],
      { cwd: root, encoding: "utf8" }
    )
    if (result.status !== 0) throw new Error(`building the CLI failed:\n${result.stdout}\n${result.stderr}`)
    // Builds of older sources are of no more use.
    for (const old of readdirSync(cacheRoot)) {
      if (!old.startsWith("staging-")) rmSync(join(cacheRoot, old), { recursive: true, force: true })
    }
    try {
      renameSync(staging, target)
    } catch {
      // Another test file built the same sources first.
      rmSync(staging, { recursive: true, force: true })
    }
  }
  built = entry
  return entry
}

/** An environment without the host's provider keys: only what the test gives. */
export const cleanEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? "",
  HOME: tmpdir(),
  NO_COLOR: "1",
  ...extra
})

/** A temporary directory with `files` written in it. */
export const tempDir = (files: Record<string, string> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "agent-adapter-cli-"))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

/** A configuration with one OpenAI instance at the fake server. */
export const openAiConfig = (url: string, more = ""): string =>
  [
    "providers:",
    "  openai:",
    "    apiKey: sk-test-secret-value",
    `    baseUrl: ${url}/v1`,
    "    models: [gpt-4o-mini]",
    "retry:",
    "  maxRetries: 0",
    more
  ].join("\n")

export interface CliResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env?: Record<string, string>
  readonly cwd?: string
  /** Written to stdin, which is then closed. Default: stdin closed at once. */
  readonly input?: string
}

/** A running CLI process. */
export interface LiveCli {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves once stdout (from its start) satisfies `test`. */
  readonly waitForStdout: (test: (text: string) => boolean) => Promise<string>
  readonly write: (text: string) => void
  readonly exited: Promise<CliResult>
}

/** Starts the CLI with `args`; stdin stays open for `write`. */
export const startCli = (args: ReadonlyArray<string>, options: RunOptions = {}): LiveCli => {
  const child = spawn(process.execPath, [builtCli(), ...args], {
    cwd: options.cwd ?? tempDir(),
    env: options.env ?? cleanEnv(),
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  const waiters: Array<{ readonly test: (text: string) => boolean; readonly resolve: (text: string) => void }> = []
  const check = () => {
    for (const waiter of [...waiters]) {
      if (waiter.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(stdout)
      }
    }
  }
  child.stdout.setEncoding("utf8").on("data", (data: string) => {
    stdout += data
    check()
  })
  child.stderr.setEncoding("utf8").on("data", (data: string) => {
    stderr += data
  })
  const exited = new Promise<CliResult>((resolveExit) =>
    child.on("close", (code, signal) => resolveExit({ code, signal, stdout, stderr }))
  )
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStdout: (test) =>
      new Promise<string>((resolveWait, reject) => {
        if (test(stdout)) return resolveWait(stdout)
        waiters.push({ test, resolve: resolveWait })
        void exited.then((result) =>
          reject(
            new Error(`the CLI exited (${result.code}) first; stdout:\n${result.stdout}\nstderr:\n${result.stderr}`)
          )
        )
      }),
    write: (text) => {
      child.stdin.write(text)
    },
    exited
  }
}

/** Runs the CLI to its end. */
export const runCli = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<CliResult> => {
  const live = startCli(args, options)
  live.child.stdin?.end(options.input ?? "")
  return live.exited
}

/** How many times `needle` occurs in `text`. */
export const count = (text: string, needle: string): number => text.split(needle).length - 1
