import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Machines the tests start register in a directory of each test file's, never in /run/savevm.
    setupFiles: ["src/test-support/isolated-runtime-dir.ts"],
  },
});
