import { execFile } from "node:child_process";
import path from "node:path";

/** The last commit that touched a file, as git records it. */
export interface GitFileCommit {
  /** Author date, ISO 8601 with the author's offset. */
  readonly date: string;
  readonly author: string;
}

const RECORD = "\x1e";
const FIELD = "\x1f";

/**
 * The last commit of every file git knows under `dir`, by absolute path: one `git log
 * --name-only` for the whole folder (a project of 10,000 revisions must not start 10,000
 * processes). Empty when the folder is not in a git repository, git is not installed or
 * it fails or takes too long: the dates are a help, never a reason to fail a load.
 */
export function readGitFileHistory(dir: string, timeoutMs = 10_000): Promise<ReadonlyMap<string, GitFileCommit>> {
  return new Promise((resolve) => {
    execFile(
      "git",
      // --relative: names relative to dir, whatever the repository's root; quotepath off: names as they are.
      ["-c", "core.quotepath=off", "log", `--format=${RECORD}%aI${FIELD}%an`, "--name-only", "--relative", "--no-renames", "--", "."],
      // No optional locks: reading must not contend with a git command the person is running.
      { cwd: dir, timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" }, windowsHide: true },
      (error, stdout) => resolve(error ? new Map() : parseGitLog(dir, stdout)),
    );
  });
}

/** Reads `git log --name-only` output, newest commit first: the first commit naming a file is its last. */
function parseGitLog(dir: string, out: string): ReadonlyMap<string, GitFileCommit> {
  const files = new Map<string, GitFileCommit>();
  for (const record of out.split(RECORD)) {
    const lines = record.split("\n");
    const [date, author] = (lines[0] ?? "").split(FIELD);
    if (!date || author === undefined) continue;
    const commit: GitFileCommit = { date, author };
    for (let i = 1; i < lines.length; i++) {
      const name = lines[i]!;
      if (name === "") continue;
      const file = path.join(dir, name);
      if (!files.has(file)) files.set(file, commit);
    }
  }
  return files;
}
