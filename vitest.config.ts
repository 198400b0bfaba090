import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/reliability/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites share three database servers; files run one at a time, tests inside in order.
    fileParallelism: false,
    reporters: ["default"],
    // The strata processes the tests start keep their compile cache here, not in the user's ~/.cache.
    env: { STRATA_CACHE_DIR: path.join(os.tmpdir(), `strata-test-cache-${process.pid}`) },
  },
});
