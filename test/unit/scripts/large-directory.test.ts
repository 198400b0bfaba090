import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderRevisionSource } from "../../../electron/engine/scripts/revision-writer.js";
import { loadScriptDirectory } from "../../../electron/engine/scripts/script-directory.js";

const COUNT = 10_000;
const root = mkdtempSync(path.join(os.tmpdir(), "strata-10k-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const id = (i: number): string => i.toString(16).padStart(12, "0");

describe("a folder of 10,000 revisions", () => {
  it("loads metadata and checksums through the fast path", async () => {
    for (let i = 0; i < COUNT; i++) {
      writeFileSync(
        path.join(root, `${String(i).padStart(5, "0")}_${id(i)}_step.ts`),
        renderRevisionSource({
          revision: id(i),
          downRevisions: i === 0 ? [] : [id(i - 1)],
          ...(i % 1000 === 0 ? { branchLabels: [`label${i}`] } : {}),
          message: `step ${i}`,
          upBody: `await knex.schema.createTable("t${i}", (t) => {\n  t.increments("id");\n  t.string("name");\n});`,
          downBody: `await knex.schema.dropTable("t${i}");`,
        }),
      );
    }
    const started = performance.now();
    const cpu = process.cpuUsage();
    const sd = await loadScriptDirectory(root);
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    // Wall time on a busy machine says little; the process's CPU time (all threads) is printed too.
    console.log(
      `loadScriptDirectory: ${COUNT} revision files in ${ms.toFixed(0)} ms (cpu: user ${(used.user / 1000).toFixed(0)} ms, system ${(used.system / 1000).toFixed(0)} ms)`,
    );
    expect(sd.mode).toBe("strata");
    expect(sd.scripts).toHaveLength(COUNT);
    expect(sd.scripts[0]).toMatchObject({ revision: id(0), downRevisions: [], branchLabels: ["label0"], message: "step 0" });
    expect(sd.scripts[4321]).toMatchObject({ revision: id(4321), downRevisions: [id(4320)], branchLabels: [], message: "step 4321" });
    expect(sd.scripts[COUNT - 1]).toMatchObject({ revision: id(COUNT - 1), downRevisions: [id(COUNT - 2)] });
    expect(new Set(sd.scripts.map((s) => s.checksum)).size).toBe(COUNT);
  });
});
