import fs from "node:fs";
import type { Browser } from "playwright";
import { afterAll, beforeAll } from "vitest";
import { launchChromium } from "./strata-serve.js";

/**
 * The hooks of an e2e file that drives one Chromium for all its tests (and writes screenshots
 * into `screenshots`, made first): returns the way to reach the browser inside a test.
 */
export function useBrowser(screenshots?: string): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    if (screenshots) fs.mkdirSync(screenshots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("Chromium has not started: use the browser inside a test");
    return browser;
  };
}
