import { describe, expect, it } from "vitest";
import { lineKey, markChangedWords, pairDefinitionLines } from "../../../renderer/screens/diff/definition-lines.js";

const pg = ['create table "customers" (', '  "id" serial primary key,', '  "name" varchar(255),', '  "active" boolean not null default true', ")"].join("\n");

describe("the side-by-side definition lines", () => {
  it("pairs a changed line with the one that replaced it and keeps the shared lines side by side", () => {
    const prod = pg.replace('"name" varchar(255)', '"name" varchar(200) not null');
    expect(pairDefinitionLines(pg, prod).map((r) => r.change)).toEqual(["same", "same", "changed", "same", "same"]);
    expect(pairDefinitionLines(pg, prod)[2]).toEqual({ left: '  "name" varchar(255),', right: '  "name" varchar(200) not null,', change: "changed" });
  });

  it("lines up two dialects' spellings of one column, each side keeping its own, and a line that only gained a comma", () => {
    const maria = ["create table `customers` (", "  `id` int unsigned not null auto_increment primary key,", "  `name` varchar(255),", "  `active` boolean not null default true,", "  `notes` text", ")"].join("\n");
    const rows = pairDefinitionLines(pg, maria);
    expect(rows.map((r) => r.change)).toEqual(["same", "changed", "same", "same", "added", "same"]);
    expect(rows[0]).toEqual({ left: 'create table "customers" (', right: "create table `customers` (", change: "same" });
    expect(rows[4]).toEqual({ left: null, right: "  `notes` text", change: "added" });
    expect(lineKey('  "active" boolean,')).toBe(lineKey("  `active` BOOLEAN"));
  });

  it("puts every line of an object on one side only against gaps", () => {
    expect(pairDefinitionLines("", "create view v as select 1").map((r) => [r.left, r.right, r.change])).toEqual([[null, "create view v as select 1", "added"]]);
    expect(pairDefinitionLines("drop me", "")).toEqual([{ left: "drop me", right: null, change: "removed" }]);
  });

  it("marks only the words that differ, not another dialect's quotes", () => {
    const m = markChangedWords('  "id" bigserial primary key,', "  `id` bigint unsigned not null auto_increment primary key,");
    expect(m.left.filter((p) => p.changed).map((p) => p.text)).toEqual(["bigserial"]);
    expect(m.right.filter((p) => p.changed).map((p) => p.text)).toEqual(["bigint", "unsigned", "not", "null", "auto_increment"]);
    expect(m.left.map((p) => p.text).join("")).toBe('  "id" bigserial primary key,');
    expect(m.right.map((p) => p.text).join("")).toBe("  `id` bigint unsigned not null auto_increment primary key,");
  });
});
