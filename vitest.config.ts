import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CI has 2 cores: keep worker count small so tfjs-wasm tests do not starve each other.
    maxWorkers: 2,
  },
});
