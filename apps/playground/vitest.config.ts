import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One Chromium at a time: the machine has two cores shared with everything else.
    fileParallelism: false,
  },
});
