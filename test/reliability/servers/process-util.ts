import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import net from "node:net";

/** Runs a command to completion within timeoutMs; throws with its stderr when it fails. */
export function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string; cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: opts.timeoutMs ?? 30_000, input: opts.input, cwd: opts.cwd });
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}`);
  return r.stdout;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs: number, alive?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (alive && !alive()) throw new Error(`the server meant for port ${port} exited before it listened`);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a long-running server process, keeping its output for error messages. */
export function startDaemon(cmd: string, args: readonly string[]): { child: ChildProcess; output: () => string; alive: () => boolean } {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d) => (out = (out + d).slice(-4000)));
  child.stderr?.on("data", (d) => (out = (out + d).slice(-4000)));
  let exited = false;
  child.on("exit", () => (exited = true));
  return { child, output: () => out, alive: () => !exited };
}

/** Stops a process we started: SIGTERM, then SIGKILL after graceMs. */
export async function stopDaemon(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
