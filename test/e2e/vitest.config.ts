import { defineConfig } from "vitest/config";

/** The e2e suite: Chromium (Debian's /usr/bin/chromium) driven by Playwright against `strata serve`. */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each test starts its own server and browser context; files run one at a time to keep CPU for the frame timings.
    fileParallelism: false,
    reporters: ["default"],
  },
});
