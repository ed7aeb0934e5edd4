// Loads OpenAI's BPE encodings on first use. Each is megabytes of rank data that takes about 200 ms to parse, so
// nothing loads until a count needs it, and applications that never count tokens never pay for it. Every caller of
// an encoding shares one load.
import * as Effect from "effect/Effect"

/** @internal */
export type EncodingName = "o200k_base" | "cl100k_base"

/** @internal */
export interface LoadedEncoding {
  readonly count: (text: string) => number
}

// Text that spells a special token (`<|endoftext|>`) is counted as the plain text it is: user content never
// carries control tokens to the model.
const asPlainText = { disallowedSpecial: new Set<string>() }

const importers: Record<EncodingName, () => Promise<{ countTokens: (text: string, options?: object) => number }>> = {
  o200k_base: () => import("gpt-tokenizer/encoding/o200k_base"),
  cl100k_base: () => import("gpt-tokenizer/encoding/cl100k_base")
}

const loading = new Map<EncodingName, Promise<LoadedEncoding | undefined>>()
const loaded = new Map<EncodingName, LoadedEncoding>()

const start = (name: EncodingName): Promise<LoadedEncoding | undefined> => {
  let promise = loading.get(name)
  if (promise === undefined) {
    promise = importers[name]().then(
      (module): LoadedEncoding => {
        const encoding: LoadedEncoding = { count: (text) => module.countTokens(text, asPlainText) }
        loaded.set(name, encoding)
        return encoding
      },
      // A missing or broken tokenizer install degrades counting to the estimate rather than failing calls.
      () => undefined
    )
    loading.set(name, promise)
  }
  return promise
}

/**
 * The encoding, loading it on first use; `undefined` when it cannot be loaded.
 *
 * @internal
 */
export const loadEncoding = (name: EncodingName): Effect.Effect<LoadedEncoding | undefined> =>
  Effect.suspend(() => {
    const ready = loaded.get(name)
    return ready !== undefined ? Effect.succeed(ready) : Effect.promise(() => start(name))
  })
