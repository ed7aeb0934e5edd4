// Every vendor dialect of the fake provider, in the order they are asked whether a request is theirs. OpenAI comes
// last: it answers whatever no other vendor claims.
import type { DialectOptions } from "./dialectOptions.js"
import { makeAnthropicDialect } from "./fakeAnthropic.js"
import { makeAzureDialect } from "./fakeAzure.js"
import { makeBedrockDialect } from "./fakeBedrock.js"
import { makeGeminiDialect } from "./fakeGemini.js"
import { makeOllamaDialect } from "./fakeOllama.js"
import { makeOpenAiDialect } from "./fakeOpenAi.js"
import { makeZhipuDialect } from "./fakeZhipu.js"
import type { FakeDialect } from "./server.js"

export const makeDialects = (options: DialectOptions): ReadonlyArray<FakeDialect> => [
  makeAnthropicDialect(options),
  makeGeminiDialect(options),
  makeOllamaDialect(options),
  makeAzureDialect(options),
  makeZhipuDialect(options),
  makeBedrockDialect(options),
  makeOpenAiDialect(options)
]
