import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
/** The launcher users run; tests go through it so they exercise the built bundle. */
export const STRATA_BIN = path.join(ROOT, "bin", "strata");

/** What a run of `strata` printed and returned. */
export interface StrataRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON, when it is JSON. */
  readonly json: any;
  /** The line of stderr that says why a command was refused (the one starting "strata: "). */
  readonly reason: string;
}

/** Runs `strata ARGS` in a child process, the way a user or a CI job would. */
export function strata(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<StrataRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [STRATA_BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      let json: unknown = null;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = null;
      }
      const reason = stderr.split("\n").find((l) => l.startsWith("strata: ")) ?? "";
      resolve({ code, stdout, stderr, json, reason });
    });
  });
}

/** One revision file to write into a test project. */
export interface RevisionSpec {
  readonly revision: string;
  readonly downRevision: string | readonly string[] | null;
  readonly branchLabels?: readonly string[];
  readonly dependsOn?: readonly string[];
  readonly message?: string;
  readonly transaction?: boolean;
  /** Body of `up(knex)`. */
  readonly up?: string;
  /** Body of `down(knex)`. */
  readonly down?: string;
  readonly extension?: string;
}

/** The source of a revision file in DESIGN.md's format. */
export function revisionSource(r: RevisionSpec): string {
  const lines = [
    `import type { Knex } from "knex";`,
    ``,
    `export const revision = ${JSON.stringify(r.revision)};`,
    `export const downRevision: string | string[] | null = ${JSON.stringify(r.downRevision)};`,
    ...(r.branchLabels?.length ? [`export const branchLabels = ${JSON.stringify(r.branchLabels)};`] : []),
    ...(r.dependsOn?.length ? [`export const dependsOn = ${JSON.stringify(r.dependsOn)};`] : []),
    `export const message = ${JSON.stringify(r.message ?? `rev ${r.revision}`)};`,
    ...(r.transaction === false ? [`export const transaction = false;`] : []),
    ``,
    `export async function up(knex: Knex): Promise<void> {`,
    `  ${r.up ?? ""}`,
    `}`,
    ``,
    `export async function down(knex: Knex): Promise<void> {`,
    `  ${r.down ?? ""}`,
    `}`,
    ``,
  ];
  return lines.join("\n");
}

/** Writes a project folder (config + revision files) in a fresh temp folder and returns its path. */
export function writeProject(spec: { environments: Record<string, unknown>; revisions?: readonly RevisionSpec[]; config?: Record<string, unknown> }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-cli-"));
  fs.mkdirSync(path.join(dir, "migrations"));
  fs.writeFileSync(
    path.join(dir, "strata.config.json"),
    JSON.stringify({ migrations: "migrations", environments: spec.environments, ...spec.config }, null, 2),
  );
  for (const r of spec.revisions ?? []) writeRevision(dir, r);
  return dir;
}

/** Adds (or overwrites) one revision file in a project. */
export function writeRevision(dir: string, r: RevisionSpec): string {
  const file = path.join(dir, "migrations", `${r.revision}_${(r.message ?? "rev").replace(/\W+/g, "_")}.${r.extension ?? "ts"}`);
  fs.writeFileSync(file, revisionSource(r));
  return file;
}
