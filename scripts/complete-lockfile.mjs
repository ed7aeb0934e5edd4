// Adds the lockfile entries of other platforms' optional binaries (esbuild, rollup, biome, ...) that npm leaves out
// when the registry it talks to serves only this platform's packages. Without them `npm ci` refuses the lockfile
// ("Missing: @esbuild/darwin-arm64@ from lock file"); with them it skips those packages by their os/cpu fields.
// Run after any `npm install` that changes package-lock.json: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from "node:fs"

const path = new URL("../package-lock.json", import.meta.url)
const lock = JSON.parse(readFileSync(path, "utf8"))
const packages = lock.packages

const osNames = [
  "aix",
  "android",
  "darwin",
  "freebsd",
  "linux",
  "netbsd",
  "openbsd",
  "openharmony",
  "sunos",
  "win32",
  "wasi"
]
const cpuNames = ["arm64", "arm", "ia32", "x64", "loong64", "mips64el", "ppc64", "riscv64", "s390x", "wasm32"]

// Platform packages name their target: @esbuild/linux-x64, @rollup/rollup-linux-x64-musl, @biomejs/cli-win32-arm64.
const platformOf = (name) => {
  const words = name.split("/").pop().split("-")
  const os = words.find((word) => osNames.includes(word))
  const cpu = words.find((word) => cpuNames.includes(word)) ?? (words.includes("universal") ? undefined : undefined)
  const libc = words.includes("musl") ? "musl" : words.includes("gnu") || words.includes("glibc") ? "glibc" : undefined
  return { os, cpu, libc }
}

let added = 0
for (const [location, entry] of Object.entries(packages)) {
  if (location === "" || entry.optionalDependencies === undefined) continue
  const base = location.slice(0, location.lastIndexOf("node_modules/"))
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    const nested = `${location}/node_modules/${name}`
    const hoisted = `${base}node_modules/${name}`
    if (packages[nested] !== undefined || packages[hoisted] !== undefined) continue
    const { os, cpu, libc } = platformOf(name)
    if (os === undefined && cpu === undefined) continue // not a platform binary: leave it to npm
    const added_entry = { version, optional: true }
    if (entry.dev) added_entry.dev = true
    if (cpu !== undefined) added_entry.cpu = [cpu]
    if (libc !== undefined) added_entry.libc = [libc]
    if (os !== undefined) added_entry.os = [os]
    packages[hoisted] = added_entry
    added++
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)))
)
lock.packages = sorted
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`complete-lockfile: added ${added} platform entries`)
