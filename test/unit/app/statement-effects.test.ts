/**
 * Issue 14, point 4: how the recovery check reads a revision's statements, as knex writes them for
 * each dialect, to know what the live schema should show of each.
 */
import { describe, expect, it } from "vitest";
import { overlaps, readStatement } from "../../../electron/engine/use-cases/statement-effects.js";

describe("readStatement", () => {
  it("reads what a statement makes or removes, whatever the quoting", () => {
    expect(readStatement("create table `half_t` (`id` int)").effects).toEqual([{ object: { kind: "table", table: "half_t" }, leaves: "present" }]);
    expect(readStatement('alter table "public"."T" add column "Note" varchar(20)').effects).toEqual([{ object: { kind: "column", table: "t", column: "note" }, leaves: "present" }]);
    expect(readStatement("alter table `t` add `a` int, add `b` varchar(255) default 'x, y'").effects.map((e) => e.object)).toEqual([
      { kind: "column", table: "t", column: "a" },
      { kind: "column", table: "t", column: "b" },
    ]);
    expect(readStatement("alter table `t` add index `t_a_index`(`a`)").effects).toEqual([{ object: { kind: "index", table: "t", index: "t_a_index" }, leaves: "present" }]);
    expect(readStatement("alter table `t` add unique `t_a_unique`(`a`)").effects).toEqual([{ object: { kind: "index", table: "t", index: "t_a_unique" }, leaves: "present" }]);
    expect(readStatement('create unique index "t_a_unique" on "t" ("a")').effects).toEqual([{ object: { kind: "index", table: "t", index: "t_a_unique" }, leaves: "present" }]);
    expect(readStatement("alter table `t` drop `a`").effects).toEqual([{ object: { kind: "column", table: "t", column: "a" }, leaves: "absent" }]);
    expect(readStatement("alter table `t` drop index `t_a_index`").effects).toEqual([{ object: { kind: "index", table: "t", index: "t_a_index" }, leaves: "absent" }]);
    expect(readStatement("drop table `a`, `b`").effects.map((e) => e.object)).toEqual([{ kind: "table", table: "a" }, { kind: "table", table: "b" }]);
    expect(readStatement("rename table `a` to `b`").effects).toEqual([
      { object: { kind: "table", table: "a" }, leaves: "absent" },
      { object: { kind: "table", table: "b" }, leaves: "present" },
    ]);
    expect(readStatement('alter table "t" rename "a" to "b"').effects.map((e) => `${e.leaves} ${JSON.stringify(e.object)}`)).toEqual([
      'absent {"kind":"column","table":"t","column":"a"}',
      'present {"kind":"column","table":"t","column":"b"}',
    ]);
    expect(readStatement("alter table `t` change `a` `b` varchar(255) NULL").effects).toHaveLength(2);
    expect(readStatement("alter table `t` add constraint `t_fk` foreign key (`a`) references `u` (`id`)").effects).toEqual([]);
  });

  it("tells reads, row changes and idempotent statements apart", () => {
    expect(readStatement("select * from information_schema.columns").inert).toBe(true);
    expect(readStatement("pragma table_info(`t`)").inert).toBe(true);
    expect(readStatement("pragma foreign_keys = off").inert).toBe(false);
    expect(readStatement("insert into `half_t` (`id`) values (7)").writesRowsOf).toBe("half_t");
    expect(readStatement("create table if not exists `t` (`id` int)").idempotent).toBe(true);
    expect(readStatement("alter table `t` modify `a` bigint").effects).toEqual([]);
  });

  it("a later change of a table decides everything in it; a column only itself", () => {
    expect(overlaps({ kind: "column", table: "t", column: "a" }, { kind: "table", table: "t" })).toBe(true);
    expect(overlaps({ kind: "table", table: "t" }, { kind: "column", table: "t", column: "a" })).toBe(false);
    expect(overlaps({ kind: "column", table: "t", column: "a" }, { kind: "column", table: "t", column: "b" })).toBe(false);
  });
});
