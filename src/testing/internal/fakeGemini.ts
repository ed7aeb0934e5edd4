// The Gemini dialect of the fake provider: default routes answering in Gemini's wire format.
// (Being written: until then it claims no route, and requests fall through to the OpenAI dialect.)
import type { DialectOptions } from "./dialectOptions.js"
import type { FakeDialect } from "./server.js"

export const makeGeminiDialect = (_options: DialectOptions): FakeDialect => ({
  handles: () => false,
  responseHeaders: () => ({}),
  route: () => {
    throw new Error("the gemini dialect has no routes yet")
  }
})
