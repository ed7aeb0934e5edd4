// The part of autocannon's API the gateway bench uses (the package ships no types).
declare module "autocannon" {
  import type { EventEmitter } from "node:events"

  interface Options {
    readonly url: string
    readonly method?: string
    readonly headers?: Record<string, string>
    readonly body?: string
    readonly connections?: number
    readonly duration?: number
    readonly timeout?: number
    readonly verifyBody?: (body: string) => boolean
  }

  interface Result {
    readonly errors: number
    readonly timeouts: number
    readonly non2xx: number
    readonly mismatches: number
  }

  function autocannon(options: Options, done: (error: Error | null | undefined, result: Result) => void): EventEmitter

  // A CommonJS module whose export is the function itself.
  export = autocannon
}
