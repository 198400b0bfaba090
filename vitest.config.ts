import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/reliability/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites share three database servers; files run one at a time, tests inside in order.
    fileParallelism: false,
    reporters: ["default"],
  },
});
