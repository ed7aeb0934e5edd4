// Rows for the gateway store's tests: a stored key and a usage record, with every field a test does not care about
// filled in.
import type { StoredKey, UsageRecord } from "../../src/gateway/store/GatewayStore.js"

/** A key as the store holds it, no limits unless given. */
export const storedKey = (id: string, fields: Partial<Omit<StoredKey, "id">> = {}): StoredKey => ({
  id,
  name: id,
  hash: "h",
  salt: "s",
  display: `sk-…${id}`,
  allowedModels: undefined,
  requestsPerMinute: undefined,
  tokensPerMinute: undefined,
  budgetUsd: undefined,
  spentUsd: 0,
  expiresAt: undefined,
  createdAt: 0,
  revokedAt: undefined,
  ...fields
})

/** A successful request's usage: `inputTokens` in, one token out. */
export const usageRecord = (id: string, keyId: string, costUsd = 0, inputTokens = 1): UsageRecord => ({
  id,
  keyId,
  requestId: `req_${id}`,
  model: "mock/echo",
  provider: "mock",
  inputTokens,
  outputTokens: 1,
  totalTokens: inputTokens + 1,
  costUsd,
  latencyMs: 3,
  status: 200,
  errorType: undefined,
  createdAt: Date.parse("2026-11-23T10:00:00Z")
})
