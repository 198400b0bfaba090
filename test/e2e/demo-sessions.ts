import type { Browser } from "playwright";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { launchChromium, openDemo, type DemoSession } from "./strata-serve.js";

type DemoOptions = NonNullable<Parameters<typeof openDemo>[1]>;

/**
 * The hooks of an e2e file that opens a demo per test: one Chromium for the whole file, and
 * after each test the session it opened is closed, the test failing if its page threw.
 */
export function useDemoSessions(): { readonly open: (opts?: DemoOptions) => Promise<DemoSession> } {
  let browser: Browser | undefined;
  let current: DemoSession | null = null;
  const closeCurrent = async (): Promise<void> => {
    const s = current;
    current = null;
    if (!s) return;
    const errors = s.pageErrors;
    await s.close();
    expect(errors, "errors thrown in the page").toEqual([]);
  };
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(closeCurrent);
  return {
    async open(opts = {}) {
      if (!browser) throw new Error("Chromium has not started: open a demo inside a test");
      // A test that opens a second demo closes its first, with the same check.
      await closeCurrent();
      current = await openDemo(browser, opts);
      return current;
    },
  };
}
