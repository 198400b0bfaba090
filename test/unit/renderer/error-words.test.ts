import { describe, expect, it } from "vitest";
import { ERROR_CODES, type ErrorCode } from "../../../shared/errors.js";
import { errorWords, withoutCliWords } from "../../../renderer/components/error-words.js";
import { StrataError } from "../../../electron/engine/errors.js";
import { RevisionMap } from "../../../electron/engine/revisions/index.js";

/** Everything a screen prints of an error. */
const onScreen = (code: ErrorCode, message: string): string => {
  const w = errorWords({ code, message });
  return `${w.title}\n${w.detail}\n${w.action}`;
};

// What the engine writes for the CLI, appended to every code's message below.
const CLI_ADVICE = "; run 'strata history' to list revisions; or run again with --allow-edited if intended";

describe("errorWords: every error code in the screens' words", () => {
  it.each(ERROR_CODES.map((c) => [c]))("%s: says what happened and what to do, with no code, flag or command", (code) => {
    const text = onScreen(code, `revision abc123 could not be used${CLI_ADVICE}`);
    const w = errorWords({ code, message: "x" });
    expect(w.title.length).toBeGreaterThan(10);
    expect(w.action.length).toBeGreaterThan(10);
    expect(text).not.toContain(code);
    expect(text).not.toMatch(/--[a-z]/);
    expect(text).not.toMatch(/\bstrata [a-z]/);
    // The facts of the engine's line stay.
    expect(text).toContain("revision abc123 could not be used");
  });

  it("offers to try again only where waiting can help: a connection or a lock", () => {
    const retried = ERROR_CODES.filter((c) => errorWords({ code: c, message: "" }).retry);
    expect(retried.sort()).toEqual(["CONNECTION_FAILED", "CONNECTION_LOST", "LOCK_TIMEOUT"]);
  });

  it("turns the engine's own TARGET_UNKNOWN into words about the graph", () => {
    const map = RevisionMap.build([{ revision: "aaaaaaaaaaaa", downRevisions: [], branchLabels: [], dependsOn: [], message: "a" }]);
    let caught: unknown;
    try {
      map.planUpgrade([], "zzzzzz");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StrataError);
    const w = errorWords((caught as StrataError).toShape());
    expect(w.detail).toContain("zzzzzz");
    expect(`${w.detail} ${w.action}`).not.toMatch(/strata history|TARGET_UNKNOWN/);
    expect(w.action).toMatch(/graph/);
  });

  it("keeps an edited file's facts and drops --allow-edited and --confirm", () => {
    expect(withoutCliWords("environment dev: revision a1 (m/a1.ts) was edited after it was applied; restore the file, or run again with --allow-edited if the change is intended")).toBe(
      "environment dev: revision a1 (m/a1.ts) was edited after it was applied",
    );
    expect(withoutCliWords("environment prod is protected: confirm the upgrade with its name (`--confirm prod`, or type it in the app); nothing was changed")).toBe(
      "environment prod is protected: confirm the upgrade with its name; nothing was changed",
    );
    expect(withoutCliWords("waited 10 s for the migration lock on db, held by bob@host; let that run finish, or run `strata unlock` if it died")).toBe(
      "waited 10 s for the migration lock on db, held by bob@host",
    );
  });
});
