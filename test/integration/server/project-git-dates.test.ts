import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createAppService } from "../../../electron/engine/app-session/app-service.js";
import { NO_PASSWORD_STORAGE, ProfileStore } from "../../../electron/engine/app-session/profile-store.js";
import { readGitFileHistory } from "../../../electron/engine/project/index.js";
import { writeProject } from "../../helpers/strata-cli.js";

// Issue 19: each graph row shows its file's last commit, read with one `git log` per project load.
const cleanup: string[] = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const git = (cwd: string, args: string[], author: string, date: string): void => {
  execFileSync("git", args, {
    cwd,
    stdio: "pipe",
    env: { ...process.env, GIT_AUTHOR_NAME: author, GIT_AUTHOR_EMAIL: "a@example.com", GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: author, GIT_COMMITTER_EMAIL: "a@example.com", GIT_COMMITTER_DATE: date },
  });
};

/** A project inside a git repository whose root is one folder up, as a monorepo keeps it: a, b committed (b edited later by someone else), c not committed. */
function projectInRepo(): { repo: string; root: string } {
  const root = writeProject({
    environments: {},
    revisions: [
      { revision: "aaaaaaaaaaaa", downRevision: null, message: "create users" },
      { revision: "bbbbbbbbbbbb", downRevision: "aaaaaaaaaaaa", message: "add email" },
    ],
  });
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "strata-git-repo-"));
  const project = path.join(repo, "services", "app db");
  fs.mkdirSync(path.dirname(project), { recursive: true });
  fs.cpSync(root, project, { recursive: true });
  cleanup.push(root, repo);
  execFileSync("git", ["init", "-q"], { cwd: repo });
  git(repo, ["add", "-A"], "Ann Author", "2026-10-01T09:30:00+02:00");
  git(repo, ["commit", "-qm", "first revisions"], "Ann Author", "2026-10-01T09:30:00+02:00");
  const b = path.join(project, "migrations", "bbbbbbbbbbbb_add_email.ts");
  fs.appendFileSync(b, "// reviewed\n");
  git(repo, ["commit", "-qam", "review"], "Bo Ström", "2026-11-15T16:05:00+00:00");
  fs.writeFileSync(
    path.join(project, "migrations", "cccccccccccc_not_committed.ts"),
    'export const revision = "cccccccccccc";\nexport const downRevision = "bbbbbbbbbbbb";\nexport const message = "not committed";\nexport async function up() {}\nexport async function down() {}\n',
  );
  return { repo, root: project };
}

describe("git dates and authors of revision files (issue 19)", () => {
  it("the summary carries each committed file's last commit, and nothing for a file git does not know", async () => {
    const { root } = projectInRepo();
    const data = fs.mkdtempSync(path.join(os.tmpdir(), "strata-git-data-"));
    cleanup.push(data);
    const service = createAppService({ host: "browser", projectRoot: root, profiles: new ProfileStore(path.join(data, "profiles.json"), NO_PASSWORD_STORAGE), recentFile: null });
    const s = await service.handlers.projectSummary({}, undefined);
    const at = (id: string) => s.revisions.find((r) => r.id === id)!;
    // What git itself says, in the repository's own words.
    const logged = execFileSync("git", ["log", "-1", "--format=%aI|%an", "--", "migrations/bbbbbbbbbbbb_add_email.ts"], { cwd: root, encoding: "utf8" }).trim();
    expect(logged).toBe("2026-11-15T16:05:00+00:00|Bo Ström");
    expect([at("bbbbbbbbbbbb").gitDate, at("bbbbbbbbbbbb").gitAuthor].join("|")).toBe(logged);
    expect(at("aaaaaaaaaaaa")).toMatchObject({ gitDate: "2026-10-01T09:30:00+02:00", gitAuthor: "Ann Author" });
    expect(at("cccccccccccc").gitDate).toBeUndefined();
    expect(at("cccccccccccc").gitAuthor).toBeUndefined();
  });

  it("reads nothing outside a git repository or without git, and fails no load", async () => {
    const root = writeProject({ environments: {}, revisions: [{ revision: "aaaaaaaaaaaa", downRevision: null, message: "create users" }] });
    cleanup.push(root);
    expect((await readGitFileHistory(path.join(root, "migrations"))).size).toBe(0);
    const { root: inRepo } = projectInRepo();
    const migrations = path.join(inRepo, "migrations");
    expect((await readGitFileHistory(migrations)).size).toBe(2);
    const savedPath = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), "strata-no-git-"));
    try {
      expect((await readGitFileHistory(migrations)).size).toBe(0);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it("starts one git process for the whole folder, not one per file", async () => {
    const { root } = projectInRepo();
    // A git on PATH that counts its runs and hands over to the real one.
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "strata-git-count-"));
    cleanup.push(bin);
    const realGit = execFileSync("which", ["git"], { encoding: "utf8" }).trim();
    fs.writeFileSync(path.join(bin, "git"), `#!/bin/sh\necho run >> "${bin}/runs"\nexec "${realGit}" "$@"\n`, { mode: 0o755 });
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    try {
      const files = await readGitFileHistory(path.join(root, "migrations"));
      expect(files.size).toBe(2);
    } finally {
      process.env.PATH = savedPath;
    }
    expect(fs.readFileSync(path.join(bin, "runs"), "utf8").trim().split("\n")).toHaveLength(1);
  });
});
