/**
 * `npx tsx bench/tokens.ts`: what token counting costs. Importing the tokens module loads no encoding; the first
 * exact count loads `o200k_base` (megabytes of ranks) once; then counting, estimating, and fitting a long
 * conversation into a window, per call.
 */
import { performance } from "node:perf_hooks"
import * as Effect from "effect/Effect"

const time = async <A>(run: () => Promise<A>): Promise<{ readonly ms: number; readonly value: A }> => {
  const start = performance.now()
  const value = await run()
  return { ms: performance.now() - start, value }
}

const perCall = (iterations: number, run: () => void): number => {
  const start = performance.now()
  for (let i = 0; i < iterations; i++) run()
  return ((performance.now() - start) * 1000) / iterations
}

// What the tokens module stands on (Effect, the core, the catalog) is loaded first, so the next line times the
// tokens module itself (under tsx, transpiling included).
const base = await time(() => Promise.all([import("effect/Stream"), import("../src/catalog/Catalog.js")]))
console.log(`import effect, core and catalog: ${base.ms.toFixed(1)} ms`)
const imported = await time(() => import("../src/tokens/index.js"))
const { ContextWindow, Tokens } = imported.value
console.log(`import src/tokens on top: ${imported.ms.toFixed(1)} ms (no encoding loaded)`)

const first = await time(() => Effect.runPromise(Tokens.count("gpt-4o", "hello world")))
console.log(`first exact count (loads o200k_base): ${first.ms.toFixed(1)} ms`)
const second = await time(() => Effect.runPromise(Tokens.count("gpt-4o", "hello world")))
console.log(`second exact count: ${second.ms.toFixed(2)} ms`)

const prose =
  "Effect's Stream is fast when it moves chunks, slow when every element crosses stages one by one. ".repeat(40)
const counter = await Effect.runPromise(Tokens.counterFor("gpt-4o"))
const exactUs = perCall(2_000, () => counter.count(prose))
const estimateUs = perCall(2_000, () => Tokens.estimate(prose))
console.log(
  `${prose.length} characters: exact ${exactUs.toFixed(1)} µs, estimate ${estimateUs.toFixed(1)} µs per count`
)

const messages = Array.from({ length: 200 }, (_, i) => ({
  role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
  content: `${i}: ${prose.slice(0, 800)}`
}))
const request = { model: "gpt-4o", messages }
const total = await Effect.runPromise(Tokens.countRequest(request))
const fitted = await time(() =>
  Effect.runPromise(ContextWindow.fit(request, { contextWindow: Math.floor(total.total / 2), provider: "openai" }))
)
console.log(
  `200-message conversation (${total.total} tokens) fitted into half: ${fitted.ms.toFixed(1)} ms, ${fitted.value.messages.length} messages kept`
)
