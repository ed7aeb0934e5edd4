/**
 * The configuration every gateway measurement uses (`gatewayChild.ts`, `opCount.ts`): one OpenAI provider instance
 * in front of the fake upstream at `upstreamUrl`, keys and usage in SQLite at `database` (a file, or `:memory:`).
 */
import * as Redacted from "effect/Redacted"
import { emptyConfig } from "../../src/config/types.js"

export const benchGatewayConfig = (upstreamUrl: string, database: string) => ({
  ...emptyConfig,
  providers: {
    openai: {
      type: "openai",
      apiKey: Redacted.make("sk-bench"),
      baseUrl: `${upstreamUrl}/v1`,
      extra: {},
      models: ["gpt-4o-mini"]
    }
  },
  gateway: { database: Redacted.make(`sqlite:${database}`) }
})
