/**
 * The engine's folders import only downwards (issue 17): each folder's opening comment names what
 * it may import, and this test reads every import in electron/engine to hold them to it.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ENGINE = path.resolve(__dirname, "../../electron/engine");

/** Per folder, the other engine folders it may import (the engine's loose files, errors.ts and the like, are open to all). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  revisions: [],
  introspect: [],
  scripts: ["revisions"],
  dialect: ["introspect"],
  diff: ["introspect", "dialect"],
  project: ["dialect", "scripts"],
  lint: ["introspect", "project"],
  runner: ["revisions", "scripts", "dialect"],
  "use-cases": ["revisions", "scripts", "introspect", "dialect", "diff", "project", "lint", "runner"],
  "app-session": ["revisions", "scripts", "introspect", "dialect", "diff", "project", "lint", "runner", "use-cases"],
  demo: ["revisions", "scripts", "introspect", "dialect", "diff", "project", "lint", "runner", "use-cases"],
};

/** The engine folders a file's imports reach, other than its own. */
function foldersImported(folder: string, file: string): string[] {
  const text = readFileSync(path.join(ENGINE, folder, file), "utf8");
  const reached = new Set<string>();
  for (const m of text.matchAll(/(?:from|import|require)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
    const target = path.relative(ENGINE, path.resolve(ENGINE, folder, m[1]!));
    const top = target.split(path.sep)[0]!;
    if (target.includes(path.sep) && top !== folder && !top.startsWith("..")) reached.add(top);
  }
  return [...reached];
}

describe("the engine's layers", () => {
  const folders = readdirSync(ENGINE, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it("knows every engine folder", () => {
    expect(folders.sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it.each(Object.keys(MAY_IMPORT))("%s imports only the folders below it", (folder) => {
    const wrong = readdirSync(path.join(ENGINE, folder))
      .filter((f) => f.endsWith(".ts"))
      .flatMap((f) => foldersImported(folder, f).filter((t) => !MAY_IMPORT[folder]!.includes(t)).map((t) => `${folder}/${f} imports ${t}/`));
    expect(wrong).toEqual([]);
  });
});
