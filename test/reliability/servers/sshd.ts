import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { run, startDaemon, stopDaemon, waitForPort } from "./process-util.js";

/** A throwaway OpenSSH server on 127.0.0.1 that lets one generated key in and forwards TCP. */
export interface TestSshd {
  readonly port: number;
  readonly dir: string;
  /** The client's private key (ed25519, no passphrase). */
  readonly clientKey: string;
  /** The server's public host key line ("ssh-ed25519 AAAA..."). */
  readonly hostKeyLine: string;
  /** Makes another client key (encrypted with `passphrase`), lets it in, and returns its path. */
  addClientKey(name: string, passphrase: string): string;
  /** Writes a known_hosts file holding `lines` and returns its path. */
  knownHosts(name: string, lines: readonly string[]): string;
  /** How many per-connection sshd processes run now (each open SSH session has one). */
  sessions(): number;
  stop(): Promise<void>;
}

/** Another ed25519 public key ("ssh-ed25519 AAAA..."), for a known_hosts line that must not match. */
export function otherHostKey(dir: string, name: string): string {
  const file = path.join(dir, name);
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file]);
  return fs.readFileSync(`${file}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
}

/** Starts `sshd -D -e -f CONFIG -p PORT` with a host key and an authorized client key made here. */
export async function startSshd(port: number): Promise<TestSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "strata-sshd-"));
  // sshd checks the privilege-separation folder exists before it starts.
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, "host_ed25519");
  const clientKey = path.join(dir, "client_ed25519");
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
  run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKey]);
  fs.copyFileSync(`${clientKey}.pub`, path.join(dir, "authorized_keys"));
  const config = path.join(dir, "sshd_config");
  fs.writeFileSync(
    config,
    [
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "AllowTcpForwarding yes",
      "UsePAM no",
      "StrictModes no",
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "",
    ].join("\n"),
  );
  const daemon = startDaemon("/usr/sbin/sshd", ["-D", "-e", "-f", config, "-p", String(port)]);
  try {
    await waitForPort(port, 10_000, daemon.alive);
  } catch (e) {
    await stopDaemon(daemon.child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}: ${daemon.output()}`);
  }
  const hostKeyLine = fs.readFileSync(`${hostKey}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  return {
    port,
    dir,
    clientKey,
    hostKeyLine,
    addClientKey(name, passphrase) {
      const file = path.join(dir, name);
      run("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-f", file]);
      // sshd reads authorized_keys at each login, so the new key is let in at once.
      fs.appendFileSync(path.join(dir, "authorized_keys"), fs.readFileSync(`${file}.pub`, "utf8"));
      return file;
    },
    knownHosts(name, lines) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, lines.join("\n") + "\n");
      return file;
    },
    sessions() {
      const pid = daemon.child.pid;
      if (pid === undefined) return 0;
      try {
        return run("pgrep", ["-P", String(pid)]).trim().split("\n").filter(Boolean).length;
      } catch {
        return 0; // pgrep exits 1 when there are none
      }
    },
    async stop() {
      try {
        await stopDaemon(daemon.child);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
