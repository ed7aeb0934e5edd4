import { defineConfig } from "vitest/config"

// Suites that need PostgreSQL or Redis on 127.0.0.1. `npm test` never runs them; `.ci/run` runs them afterwards.
export default defineConfig({
  test: { include: ["test/services/**/*.test.ts"], testTimeout: 30_000, hookTimeout: 30_000, passWithNoTests: true }
})
