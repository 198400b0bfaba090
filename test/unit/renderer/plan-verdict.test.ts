import { describe, expect, it } from "vitest";
import type { MigrationPlanDto } from "../../../shared/api.js";
import { acknowledgementText, confirmedPlanOf, lossPhrases, samePlan } from "../../../renderer/screens/apply/plan-verdict.js";

const plan = (over: Partial<MigrationPlanDto> = {}): MigrationPlanDto => ({
  environment: "dev",
  command: "downgrade",
  target: "base",
  protected: false,
  headsBefore: ["c3"],
  steps: [
    { revision: "c3", direction: "down", message: "notes", file: "migrations/c3.ts", checksum: "aa" },
    { revision: "b2", direction: "down", message: "invoices", file: "migrations/b2.ts", checksum: "bb" },
  ],
  headsAfter: [],
  sql: "",
  sqlError: null,
  destructive: [],
  checked: true,
  uncheckedReason: null,
  confirmationName: null,
  ...over,
});
const loss = (revision: string, reason: string) => ({ revision, statement: "…", reason });

describe("the tick box a destructive or unchecked plan needs (issue 14)", () => {
  it("names what the lint says is lost, grouped by verb, without the explanations", () => {
    const p = plan({
      destructive: [
        loss("c3", "drops table users and all its rows"),
        loss("c3", "drops column orders.note and its data (SQLite rebuilds the table without it)"),
        loss("b2", "narrows column orders.currency from varchar(3) to varchar(2): values that do not fit are cut or refused"),
        loss("b2", "drops table users and all its rows"),
      ],
    });
    expect(acknowledgementText(p)).toBe("I understand this drops table users, column orders.note, narrows column orders.currency from varchar(3) to varchar(2)");
  });

  it("keeps each finding of a statement that has several, and drops the words that only explain one", () => {
    expect(lossPhrases("drops table a and all its rows; empties a table")).toEqual(["drops table a", "empties a table"]);
    expect(lossPhrases("changes the type of column t.c to int; its current type is not known here, so values may be cut or refused")).toEqual(["changes the type of column t.c to int"]);
    expect(lossPhrases("something new the lint says")).toEqual(["something new the lint says"]);
  });

  it("says so when the plan could not be checked, alone or beside what it loses", () => {
    expect(acknowledgementText(plan({ checked: false, uncheckedReason: "c3 reads rows" }))).toBe("I understand this plan could not be checked: Strata cannot tell what it destroys");
    expect(acknowledgementText(plan({ checked: false, destructive: [loss("c3", "drops table notes and all its rows")] }))).toBe(
      "I understand this drops table notes, and that the rest of the plan could not be checked",
    );
  });

  it("asks nothing of a checked plan that loses nothing, and counts what it does not name", () => {
    expect(acknowledgementText(plan())).toBeNull();
    const many = plan({ destructive: Array.from({ length: 11 }, (_, i) => loss("c3", `drops table t${i} and all its rows`)) });
    expect(acknowledgementText(many)).toBe("I understand this drops table t0, table t1, table t2, table t3, table t4, table t5, table t6, table t7, and 3 more");
  });
});

describe("the plan a run carries", () => {
  it("is the starting heads and each step with its checksum", () => {
    expect(confirmedPlanOf(plan())).toEqual({
      headsBefore: ["c3"],
      steps: [
        { revision: "c3", direction: "down", checksum: "aa" },
        { revision: "b2", direction: "down", checksum: "bb" },
      ],
    });
  });

  it("is another plan when a checksum, a head, a step or the verdict differs", () => {
    const a = plan();
    expect(samePlan(a, plan())).toBe(true);
    expect(samePlan(a, plan({ headsBefore: ["d4"] }))).toBe(false);
    expect(samePlan(a, plan({ steps: [{ ...a.steps[0]!, checksum: "ab" }, a.steps[1]!] }))).toBe(false);
    expect(samePlan(a, plan({ steps: [a.steps[0]!] }))).toBe(false);
    expect(samePlan(a, plan({ checked: false }))).toBe(false);
    expect(samePlan(a, plan({ confirmationName: "prod" }))).toBe(false);
  });
});
