/** Issue 14, point 4: what the app says instead of the CLI's advice, in the recovery and result panels. */
import { describe, expect, it } from "vitest";
import { appLine, appWords } from "../../../renderer/components/recovery-words.js";

const ADVICE = "check the database, then run `strata resolve f2f2f2f2f2f2 --applied` if all of it took effect or `strata resolve f2f2f2f2f2f2 --rolled-back` if none of it did (undo any part that did first)";

describe("appWords", () => {
  it("puts the app's recovery panel where the engine advises the CLI", () => {
    const e = { code: "REVISION_FAILED" as const, message: `revision f2f2f2f2f2f2 (x) failed on up: boom; the version table was left at a1; ${ADVICE}`, details: { advice: ADVICE } };
    const said = appWords(e);
    expect(said.message).toBe("revision f2f2f2f2f2f2 (x) failed on up: boom; the version table was left at a1; the recovery panel on the Apply and Environments screens shows which statements ran and what the database holds; say there what you found, or undo what ran");
    expect(said.code).toBe("REVISION_FAILED");
    expect(appLine(`ERROR ${e.message}`, e)).not.toContain("strata resolve");
    expect(appLine("a line of its own", e)).toBe("a line of its own");
  });

  it("a contradicted resolve asks for the tick, not --force", () => {
    const said = appWords({
      code: "RESOLVE_CONTRADICTED",
      message: 'revision f2 was not recorded as rolled-back: the live schema says otherwise (column t.c is there); check the database, and if it did not take effect (rolled back) after all, record it anyway with --force (in the app: "I checked the database: record it anyway"), or undo what ran with --undo (it runs `x`)',
    });
    expect(said.message).toBe("revision f2 was not recorded as rolled-back: the live schema says otherwise (column t.c is there); check the database, then tick “I checked the database: record it anyway” if you are sure");
  });

  it("leaves other errors as they are", () => {
    const e = { code: "LOCK_TIMEOUT" as const, message: "waited 60 s" };
    expect(appWords(e)).toBe(e);
  });
});
