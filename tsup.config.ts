import { defineConfig } from "tsup"

// One entry per subpath export; ESM (.js) and CJS (.cjs) with declarations for both.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    codec: "src/codec/index.ts",
    openai: "src/providers/openai/index.ts",
    "openai-compatible": "src/providers/openai-compatible/index.ts",
    mock: "src/providers/mock/index.ts",
    testing: "src/testing/index.ts"
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  target: "node20",
  platform: "node",
  tsconfig: "tsconfig.build.json"
})
