/**
 * Issue 14, point 6: the host watches the migrations folder. A revision file deleted or edited
 * on disk is reloaded and reported as a `project-changed` event ("files-changed") within a
 * bound, and the environments matrix the chips draw from then shows the missing or edited file
 * as the environment's state; a run is followed by an event too. The watcher stops with the host.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ProjectChangedEventDto, StrataEvent } from "../../../shared/api.js";
import type { DbClient } from "../../../electron/engine/dialect/index.js";
import type { AppService } from "../../../electron/engine/app-session/app-service.js";
import { TEST_CLIENTS } from "../../helpers/databases.js";
import { useProjectService } from "../../helpers/project-database.js";
import { strata, writeRevision } from "../../helpers/strata-cli.js";
import type { RevisionSpec } from "../../helpers/strata-cli.js";

const A1 = "a1a1a1a1a1a1";
const B2 = "b2b2b2b2b2b2";
const C3 = "c3c3c3c3c3c3";
const REVISIONS: readonly RevisionSpec[] = [
  { revision: A1, downRevision: null, message: "create accounts", up: `await knex.schema.createTable("accounts", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("accounts");` },
  { revision: B2, downRevision: A1, message: "create invoices", up: `await knex.schema.createTable("invoices", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("invoices");` },
  { revision: C3, downRevision: B2, message: "create notes", up: `await knex.schema.createTable("notes", (t) => { t.increments("id"); });`, down: `await knex.schema.dropTable("notes");` },
];

/** The bound a person would notice: the debounce plus a reload of a small project, with room for a busy machine. */
const WITHIN_MS = 3000;

/** Resolves with the next project-changed event of this reason, or rejects after WITHIN_MS; gives how long it took. */
function nextChange(service: AppService, reason: ProjectChangedEventDto["reason"]): Promise<{ event: ProjectChangedEventDto; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no project-changed (${reason}) within ${WITHIN_MS} ms`));
    }, WITHIN_MS);
    const off = service.events.subscribe((e: StrataEvent) => {
      if (e.type === "project-changed" && e.reason === reason) {
        clearTimeout(timer);
        off();
        resolve({ event: e, ms: Date.now() - started });
      }
    });
  });
}

describe.each(TEST_CLIENTS)("the migrations folder watcher on %s", (client: DbClient) => {
  const app = useProjectService(client, REVISIONS);

  it("a file deleted or edited on disk is reported as files-changed and shows in the matrix; a run is reported too", async () => {
    expect((await strata(["--project", app.dir, "upgrade", "heads"])).code).toBe(0);
    const first = await app.service.handlers.environmentStatus({}, undefined);
    expect(first.environments[0]!.state).toEqual({ kind: "up-to-date", count: 0, revision: null, label: "up to date" });

    // The applied head's file deleted in a terminal while the app is open: no call from the page, the host notices.
    const c3File = fs.readdirSync(path.join(app.dir, "migrations")).find((f) => f.startsWith(C3))!;
    const deleted = nextChange(app.service, "files-changed");
    fs.rmSync(path.join(app.dir, "migrations", c3File));
    const { event, ms } = await deleted;
    expect(event.root).toBe(app.dir);
    expect(ms).toBeLessThan(WITHIN_MS);
    const gone = (await app.service.handlers.environmentStatus({}, undefined)).environments[0]!;
    expect(gone.problems).toEqual([{ revision: C3, kind: "missing", file: null }]);
    expect(gone.state).toMatchObject({ kind: "missing", label: "1 missing" });
    // The graph the page reloads on the event no longer has it.
    expect((await app.service.handlers.projectSummary({}, undefined)).revisions.map((r) => r.id)).not.toContain(C3);

    // Put back, then an applied file edited in place: reported again, and the state says edited.
    const restored = nextChange(app.service, "files-changed");
    writeRevision(app.dir, REVISIONS[2]!);
    await restored;
    expect((await app.service.handlers.environmentStatus({}, undefined)).environments[0]!.state?.kind).toBe("up-to-date");
    const edited = nextChange(app.service, "files-changed");
    writeRevision(app.dir, { ...REVISIONS[1]!, up: `${REVISIONS[1]!.up}\n  // edited` });
    await edited;
    expect((await app.service.handlers.environmentStatus({}, undefined)).environments[0]!.state).toMatchObject({ kind: "edited", label: "1 edited" });

    // Accepting the edit (the revision page's action) is followed by an event, and the state moves on.
    const afterRepair = nextChange(app.service, "environment-changed");
    await app.service.handlers.repairRevision({ environment: "dev", revision: B2 }, undefined);
    await afterRepair;
    expect((await app.service.handlers.environmentStatus({}, undefined)).environments[0]!.state?.label).toBe("up to date");

    // Every run ends with an event, so every screen reloads.
    const afterRun = nextChange(app.service, "environment-changed");
    await app.service.handlers.runMigration({ environment: "dev", command: "downgrade", target: A1, acknowledgedLoss: true }, undefined);
    await afterRun;
    expect((await app.service.handlers.environmentStatus({}, undefined)).environments[0]!.state?.label).toBe("2 pending");
  });

  it("keeps watching through a broken file: its fix is reported too", async () => {
    await app.service.handlers.environmentStatus({}, undefined);
    const broken = path.join(app.dir, "migrations", "zz_broken.ts");
    const seen = nextChange(app.service, "files-changed");
    fs.writeFileSync(broken, "export const revision = ;\n");
    await seen;
    await expect(app.service.handlers.environmentStatus({}, undefined)).rejects.toMatchObject({ code: "REVISION_FILE_INVALID" });
    const fixed = nextChange(app.service, "files-changed");
    fs.rmSync(broken);
    await fixed;
    expect((await app.service.handlers.environmentStatus({}, undefined)).environments[0]!.state?.label).toBe("3 pending");
  });

  it("a project opened with a broken file is watched too: its fix is reported", async () => {
    app.service.close();
    const broken = path.join(app.dir, "migrations", "zz_broken.ts");
    fs.writeFileSync(broken, "export const revision = ;\n");
    app.reopen();
    await expect(app.service.handlers.environmentStatus({}, undefined)).rejects.toMatchObject({ code: "REVISION_FILE_INVALID" });
    const fixed = nextChange(app.service, "files-changed");
    fs.rmSync(broken);
    await fixed;
    expect((await app.service.handlers.environmentStatus({}, undefined)).environments[0]!.state?.label).toBe("3 pending");
  });

  it("stops reporting once the host stops", async () => {
    await app.service.handlers.environmentStatus({}, undefined);
    app.service.close();
    let reported = 0;
    app.service.events.subscribe((e) => {
      if (e.type === "project-changed") reported++;
    });
    fs.rmSync(path.join(app.dir, "migrations", fs.readdirSync(path.join(app.dir, "migrations")).find((f) => f.startsWith(C3))!));
    await new Promise((r) => setTimeout(r, 600));
    expect(reported).toBe(0);
  });
});
