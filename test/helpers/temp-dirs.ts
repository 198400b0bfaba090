import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

/**
 * Fresh folders under the OS temp dir, all removed after each test. Call at the top of a test
 * file (it registers an afterEach there); the returned function makes one folder, named from
 * `prefix` unless the call names its own.
 */
export function useTempDirs(prefix: string): (ownPrefix?: string) => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (ownPrefix = prefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), ownPrefix));
    made.push(dir);
    return dir;
  };
}
