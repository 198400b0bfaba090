import { spawn, type ChildProcess } from "node:child_process";
import { STRATA_BIN } from "./strata-cli.js";

/** A `strata serve` child process that has printed its URL. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** The URL it printed, token included. */
  readonly url: URL;
  readonly token: string;
  /** Its stdout and stderr so far. */
  output(): string;
  /** SIGTERM (SIGKILL 5 s later if it lingers); resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Resolves with the http://127.0.0.1:PORT/?token=... URL once `output()` (what a process printed
 * so far, read every 50 ms) holds it; rejects after `timeoutMs` with "WHO printed no URL" and the output.
 */
export function waitForServeUrl(output: () => string, timeoutMs: number, who: string): Promise<URL> {
  return new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new Error(`${who} printed no URL:\n${output()}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output());
      if (m) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(new URL(m[0]));
      }
    }, 50);
  });
}

/**
 * Starts `bin/strata --project ROOT serve --port 0` and waits up to 20 s for the
 * http://127.0.0.1:PORT/?token=... line; when none comes the process is stopped and the
 * error carries what it printed. `env` is laid over the test's own environment; `bin` is another
 * checkout's bin/strata.
 */
export async function startServeProcess(root: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv; bin?: string } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [opts.bin ?? STRATA_BIN, "--project", root, "serve", "--port", "0"], {
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  try {
    const url = await waitForServeUrl(() => out, 20_000, "strata serve");
    return { child, url, token: url.searchParams.get("token")!, output: () => out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
