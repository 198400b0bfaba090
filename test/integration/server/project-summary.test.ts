import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAppService } from "../../../electron/engine/app-session/app-service.js";
import type { AppService } from "../../../electron/engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../../electron/engine/app-session/profile-store.js";
import { writeProject, writeRevision } from "../../helpers/strata-cli.js";

const cleanup: string[] = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** a - b - m, with side s from a merged at m; s carries a label and depends on b. */
function project(): { root: string; service: AppService } {
  const root = writeProject({
    environments: { dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } } },
    revisions: [
      { revision: "aaaaaaaaaaaa", downRevision: null, message: "create users" },
      { revision: "bbbbbbbbbbbb", downRevision: "aaaaaaaaaaaa", message: "add email" },
      { revision: "cccccccccccc", downRevision: "aaaaaaaaaaaa", message: "audit table", branchLabels: ["audit"], dependsOn: ["bbbbbbbbbbbb"] },
      { revision: "dddddddddddd", downRevision: ["bbbbbbbbbbbb", "cccccccccccc"], message: "join" },
    ],
  });
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "strata-summary-data-"));
  cleanup.push(root, data);
  const service = createAppService({ host: "browser", projectRoot: root, profiles: new ProfileStore(path.join(data, "profiles.json"), NO_PASSWORD_STORAGE), recentFile: null });
  return { root, service };
}

const summaryOf = (s: AppService) => s.handlers.projectSummary({}, undefined);

describe("projectSummary sends the graph compactly", () => {
  it("lists revisions newest first with parents as indexes and only the fields that are set", async () => {
    const { service } = project();
    const s = await summaryOf(service);
    const ids = s.revisions.map((r) => r.id);
    expect(ids[0]).toBe("dddddddddddd");
    expect(ids.at(-1)).toBe("aaaaaaaaaaaa");
    const at = (id: string) => s.revisions[ids.indexOf(id)]!;
    expect(at("dddddddddddd").parents.map((i) => ids[i])).toEqual(["bbbbbbbbbbbb", "cccccccccccc"]);
    // Every parent is further down the list than its child.
    s.revisions.forEach((r, i) => expect(r.parents.every((p) => p > i)).toBe(true));
    expect(at("cccccccccccc")).toEqual({ id: "cccccccccccc", message: "audit table", parents: [ids.indexOf("aaaaaaaaaaaa")], branchLabels: ["audit"], dependsOn: ["bbbbbbbbbbbb"], dependencies: [ids.indexOf("bbbbbbbbbbbb")], file: "cccccccccccc_audit_table.ts" });
    expect(at("aaaaaaaaaaaa")).toEqual({ id: "aaaaaaaaaaaa", message: "create users", parents: [], file: "aaaaaaaaaaaa_create_users.ts" });
    expect(s).toMatchObject({ migrations: "migrations", heads: ["dddddddddddd"], bases: ["aaaaaaaaaaaa"], mergePoints: ["dddddddddddd"], branchPoints: ["aaaaaaaaaaaa"] });
  });
});

describe("the open project is kept between calls and reread when its files change", () => {
  it("answers again from the loaded project while nothing changed", async () => {
    const { service } = project();
    const first = await summaryOf(service);
    const again = await summaryOf(service);
    expect(again.revisions).toBe(first.revisions);
  });

  it("shows a revision file added to the folder on the next call", async () => {
    const { root, service } = project();
    await summaryOf(service);
    writeRevision(root, { revision: "eeeeeeeeeeee", downRevision: "dddddddddddd", message: "add phone" });
    const s = await summaryOf(service);
    expect(s.revisions[0]).toMatchObject({ id: "eeeeeeeeeeee", message: "add phone" });
    expect(s.heads).toEqual(["eeeeeeeeeeee"]);
  });

  it("shows a revision file removed from the folder on the next call", async () => {
    const { root, service } = project();
    await summaryOf(service);
    fs.rmSync(path.join(root, "migrations", "dddddddddddd_join.ts"));
    const s = await summaryOf(service);
    expect(s.revisions.map((r) => r.id)).not.toContain("dddddddddddd");
    expect([...s.heads].sort()).toEqual(["bbbbbbbbbbbb", "cccccccccccc"]);
  });

  it("sees a file written in place (same name, folder untouched) at once where checksums matter, and in the graph soon after", async () => {
    const { root, service } = project();
    await summaryOf(service);
    const before = await service.projects.project("watched");
    const original = path.join(root, "migrations", "bbbbbbbbbbbb_add_email.ts");
    const source = fs.readFileSync(original, "utf8").replace('"add email"', '"add email, edited"');
    fs.writeFileSync(original, source);
    const now = await service.projects.project("watched");
    expect(now).not.toBe(before);
    expect(now.map.get("bbbbbbbbbbbb")?.message).toBe("add email, edited");
    expect(now.scripts.get("bbbbbbbbbbbb")?.checksum).not.toBe(before.scripts.get("bbbbbbbbbbbb")?.checksum);
    fs.writeFileSync(original, source.replace("add email, edited", "add email, edited twice"));
    await expect.poll(async () => (await summaryOf(service)).revisions.find((r) => r.id === "bbbbbbbbbbbb")?.message, { timeout: 5000 }).toBe("add email, edited twice");
    // Before a run, every file is checked whatever the watcher says.
    fs.writeFileSync(original, source.replace("add email, edited", "add email, third"));
    expect((await service.projects.project("stat-all")).map.get("bbbbbbbbbbbb")?.message).toBe("add email, third");
  });
});
