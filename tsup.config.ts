import { defineConfig } from "tsup"

// One entry per subpath export; ESM (.js) and CJS (.cjs) with declarations for both.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    codec: "src/codec/index.ts",
    openai: "src/providers/openai/index.ts",
    "openai-compatible": "src/providers/openai-compatible/index.ts",
    mock: "src/providers/mock/index.ts",
    anthropic: "src/providers/anthropic/index.ts",
    gemini: "src/providers/gemini/index.ts",
    zhipu: "src/providers/zhipu/index.ts",
    ollama: "src/providers/ollama/index.ts",
    azure: "src/providers/azure/index.ts",
    bedrock: "src/providers/bedrock/index.ts",
    reliability: "src/reliability/index.ts",
    redis: "src/redis/index.ts",
    gateway: "src/gateway/index.ts",
    observability: "src/observability/index.ts",
    testing: "src/testing/index.ts",
    cli: "src/cli/main.ts"
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  // CJS chunks are then split by rollup; without it tsup lowers `??` with sucrase, which breaks `yield*` inside it.
  treeshake: true,
  target: "node20",
  platform: "node",
  tsconfig: "tsconfig.build.json"
})
