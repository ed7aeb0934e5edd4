import { defineConfig } from "vitest/config"

const baseTestConfig = {
  include: ["test/**/*.test.ts"],
  exclude: ["test/services/**"],
  testTimeout: 20_000,
  hookTimeout: 20_000
}

export default defineConfig({ test: baseTestConfig })
