// The CommonJS view of the same declarations (dist/*.d.cts).
import sdk = require("@agent-adapter/sdk")
import testing = require("@agent-adapter/sdk/testing")

export const client: sdk.Client = new sdk.Client({ layer: testing.MockLlm.layer([testing.MockReply.text("hi")]) })
export const isQuota = (error: unknown): boolean => error instanceof sdk.QuotaExceededError
