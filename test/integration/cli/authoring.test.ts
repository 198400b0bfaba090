import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { strata, writeProject, writeRevision } from "../../helpers/strata-cli.js";

const sqliteEnv = { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } };

describe("strata init, revision, merge and the graph commands", () => {
  it("init makes a project that can create and apply a revision in one go", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-init-"));
    const init = await strata(["init", dir]);
    expect(init.code).toBe(0);
    expect(fs.existsSync(path.join(dir, "strata.config.json"))).toBe(true);
    expect(fs.statSync(path.join(dir, "migrations")).isDirectory()).toBe(true);

    const rev = await strata(["revision", "-m", "create users", "--json"], { cwd: dir });
    expect(rev.code).toBe(0);
    expect(rev.json.revision).toMatch(/^[0-9a-f]{12}$/);
    expect(rev.json.downRevisions).toEqual([]);
    const file = path.join(dir, rev.json.file);
    // The user fills in the generated file; the template must compile as written.
    const src = fs.readFileSync(file, "utf8");
    expect(src).toContain(`export const revision = "${rev.json.revision}"`);

    const up = await strata(["upgrade", "heads", "--json"], { cwd: dir });
    expect(up.code).toBe(0);
    expect(up.json.steps.map((s: { revision: string }) => s.revision)).toEqual([rev.json.revision]);
    const cur = await strata(["current", "--json"], { cwd: dir });
    expect(cur.json).toEqual({ environment: "dev", heads: [rev.json.revision] });

    const again = await strata(["init", dir]);
    expect(again.code).toBe(2);
    expect(again.reason).toMatch(/strata\.config\.json/);
  });

  it("revision goes on the head, --head/--splice start a branch, merge heads joins them", async () => {
    const dir = writeProject({ environments: sqliteEnv });
    const a = await strata(["revision", "-m", "a", "--rev-id", "aaaaaaaaaaaa", "--json"], { cwd: dir });
    expect(a.code).toBe(0);
    const b = await strata(["revision", "-m", "b", "--rev-id", "bbbbbbbbbbbb", "--json"], { cwd: dir });
    expect(b.json.downRevisions).toEqual(["aaaaaaaaaaaa"]);

    const refused = await strata(["revision", "-m", "c", "--head", "aaaa"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.reason).toMatch(/not a head.*--splice/);

    const c = await strata(["revision", "-m", "c", "--head", "aaaa", "--splice", "--branch-label", "side", "--rev-id", "cccccccccccc", "--json"], { cwd: dir });
    expect(c.code).toBe(0);
    expect(c.json.downRevisions).toEqual(["aaaaaaaaaaaa"]);

    const heads = await strata(["heads", "--json"], { cwd: dir });
    expect(heads.json.heads.map((h: { revision: string }) => h.revision).sort()).toEqual(["bbbbbbbbbbbb", "cccccccccccc"]);
    expect(heads.json.heads.find((h: { revision: string }) => h.revision === "cccccccccccc").branchLabels).toEqual(["side"]);

    const onHead = await strata(["revision", "-m", "d"], { cwd: dir });
    expect(onHead.code).toBe(2);
    expect(onHead.reason).toMatch(/bbbbbbbbbbbb/);
    expect(onHead.reason).toMatch(/cccccccccccc/);

    const branches = await strata(["branches", "--json"], { cwd: dir });
    expect(branches.json.branches).toEqual([
      { revision: "aaaaaaaaaaaa", message: "a", branchLabels: [], children: expect.arrayContaining(["bbbbbbbbbbbb", "cccccccccccc"]) },
    ]);

    const m = await strata(["merge", "-m", "join", "heads", "--rev-id", "dddddddddddd", "--json"], { cwd: dir });
    expect(m.code).toBe(0);
    expect([...m.json.downRevisions].sort()).toEqual(["bbbbbbbbbbbb", "cccccccccccc"]);

    const history = await strata(["history", "--json"], { cwd: dir });
    expect(history.json.revisions[0].revision).toBe("dddddddddddd");
    expect(history.json.revisions.at(-1).revision).toBe("aaaaaaaaaaaa");
    expect(history.json.revisions[0]).toMatchObject({ downRevisions: expect.arrayContaining(["bbbbbbbbbbbb", "cccccccccccc"]), branchLabels: [], dependsOn: [], message: "join" });
    expect(history.json.revisions[0].file).toMatch(/^migrations\//);

    const text = await strata(["history"], { cwd: dir });
    // The merge inherits cccc's label, as in Alembic (`(side) (head) (mergepoint)`).
    expect(text.stdout).toMatch(/-> dddddddddddd \(side\) \(head\) \(mergepoint\), join/);
    expect(text.stdout).toMatch(/<base> -> aaaaaaaaaaaa \(branchpoint\), a/);

    const show = await strata(["show", "cccc", "--json"], { cwd: dir });
    expect(show.json.revisions[0]).toMatchObject({ revision: "cccccccccccc", children: ["dddddddddddd"], branchLabels: ["side"] });

    const up = await strata(["upgrade", "heads", "--json"], { cwd: dir });
    expect(up.code).toBe(0);
    expect(up.json.heads).toEqual(["dddddddddddd"]);
  });

  it("refuses broken projects with one line naming what is wrong", async () => {
    const dir = writeProject({
      environments: sqliteEnv,
      revisions: [
        { revision: "aaaaaaaaaaaa", downRevision: null },
        { revision: "bbbbbbbbbbbb", downRevision: "aaaaaaaaaaaa" },
      ],
    });
    // A second file claiming an existing id.
    writeRevision(dir, { revision: "bbbbbbbbbbbb", downRevision: "aaaaaaaaaaaa", message: "copy" });
    const dup = await strata(["heads"], { cwd: dir });
    expect(dup.code).toBe(2);
    expect(dup.reason).toMatch(/bbbbbbbbbbbb/);
    expect(dup.reason.toLowerCase()).toMatch(/duplicate|twice|more than one|both/);

    const dir2 = writeProject({ environments: sqliteEnv, revisions: [{ revision: "aaaaaaaaaaaa", downRevision: "ffffffffffff" }] });
    const missing = await strata(["heads"], { cwd: dir2 });
    expect(missing.code).toBe(2);
    expect(missing.reason).toMatch(/ffffffffffff/);

    const dir3 = writeProject({
      environments: sqliteEnv,
      revisions: [
        { revision: "aaaaaaaaaaaa", downRevision: "bbbbbbbbbbbb" },
        { revision: "bbbbbbbbbbbb", downRevision: "aaaaaaaaaaaa" },
      ],
    });
    const cycle = await strata(["heads"], { cwd: dir3 });
    expect(cycle.code).toBe(2);
    expect(cycle.reason).toMatch(/cycle/i);
    expect(cycle.reason).toMatch(/aaaaaaaaaaaa/);

    const dir4 = writeProject({ environments: sqliteEnv, revisions: [{ revision: "aaaaaaaaaaaa", downRevision: null }] });
    const broken = path.join(dir4, "migrations", "broken.ts");
    fs.writeFileSync(broken, `export const revision = "cccccccccccc";\nexport const downRevision = "aaaaaaaaaaaa";\nexport async function up(knex) {\n  await knex.schema.createTable("x", (t) => { t.increments( });\n}\nexport async function down() {}\n`);
    const syntax = await strata(["upgrade", "heads"], { cwd: dir4 });
    expect(syntax.code).toBe(2);
    expect(syntax.reason).toMatch(/broken\.ts:4/);
    expect(syntax.stderr.split("\n").filter(Boolean).length).toBeLessThan(12);
    // The broken file stops the run before anything ran: the first revision is not applied either.
    expect((await strata(["current", "--json"], { cwd: dir4 })).json.heads).toEqual([]);

    fs.writeFileSync(path.join(dir4, "strata.config.json"), `{ "migrations": "migrations", "environments": { "dev": { "client": "better-sqlite3", } }`);
    const badJson = await strata(["heads"], { cwd: dir4 });
    expect(badJson.code).toBe(2);
    expect(badJson.reason).toMatch(/strata\.config\.json:\d+:\d+/);
  });

  it("answers --help, and refuses an unknown command or target with exit code 2", async () => {
    const help = await strata(["--help"]);
    expect(help.code).toBe(0);
    for (const c of ["init", "revision", "merge", "upgrade", "downgrade", "stamp", "current", "heads", "branches", "history", "show", "status", "check", "adopt", "unlock"]) {
      expect(help.stdout).toContain(c);
    }
    const unknown = await strata(["frobnicate"]);
    expect(unknown.code).toBe(2);
    const dir = writeProject({ environments: sqliteEnv, revisions: [{ revision: "aaaaaaaaaaaa", downRevision: null }, { revision: "aaaabbbbbbbb", downRevision: "aaaaaaaaaaaa" }] });
    const ambiguous = await strata(["upgrade", "aaaa"], { cwd: dir });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.reason).toMatch(/aaaaaaaaaaaa.*aaaabbbbbbbb|aaaabbbbbbbb.*aaaaaaaaaaaa/);
    const nothing = await strata(["upgrade", "zzzz"], { cwd: dir });
    expect(nothing.code).toBe(2);
    expect(nothing.reason).toMatch(/zzzz/);
    expect(fs.existsSync(path.join(dir, "dev.sqlite3"))).toBe(false);
    const tooFar = await strata(["upgrade", "+5"], { cwd: dir });
    expect(tooFar.code).toBe(2);
    const neg = await strata(["downgrade", "-1"], { cwd: dir });
    expect(neg.code).toBe(2);
    expect(neg.reason).not.toMatch(/unknown option/);
  });
});
