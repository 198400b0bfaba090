import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { EngineToMain, MainToEngine } from "../../electron/engine-host/protocol.js";
import type { EngineChild } from "../../electron/main/engine-process.js";

const ROOT = path.resolve(__dirname, "..", "..");
/** The engine host as it ships (build/build-app.mjs); Electron's utilityProcess.fork starts the same file. */
export const ENGINE_HOST_BUNDLE = path.join(ROOT, "dist", "electron", "engine-host.cjs");

/** A forked engine host, with its process for the tests that kill it. */
export interface ForkedEngine extends EngineChild {
  readonly process: ChildProcess;
  /** What it wrote on stderr so far. */
  stderr(): string;
}

/**
 * Forks the built engine host under plain Node: child_process.fork's IPC channel (with the
 * structured-clone serialization utilityProcess uses) stands in for Electron's parentPort.
 */
export function forkEngineHost(env: NodeJS.ProcessEnv = process.env): ForkedEngine {
  if (!existsSync(ENGINE_HOST_BUNDLE)) throw new Error(`${ENGINE_HOST_BUNDLE} is missing: run npm run build first`);
  const { STRATA_DATA_DIR: _ignored, ...rest } = env;
  void _ignored;
  const child = fork(ENGINE_HOST_BUNDLE, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced", env: rest });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return {
    process: child,
    stderr: () => err,
    // A message to a process that just died is lost; its exit answers what was pending.
    post: (m: MainToEngine) => void (child.connected ? child.send(m, () => undefined) : undefined),
    onMessage: (l) => child.on("message", (m) => l(m as EngineToMain)),
    onExit: (l) => child.once("exit", (code) => l(code)),
    kill: () => void child.kill(),
  };
}
