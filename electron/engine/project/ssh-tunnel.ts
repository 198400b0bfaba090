import { readFileSync } from "node:fs";
import net from "node:net";
import type { Algorithms, Client as SshClient } from "ssh2";
import { StrataError } from "../errors.js";
import { checkHostKey, fingerprintOf, keyTypeOf, knownHostsName, knownKeyTypes } from "./known-hosts.js";
import type { HostKeyVerdict } from "./known-hosts.js";
import type { SshSettings } from "./types.js";

/** A local port whose connections an SSH server forwards to the database. */
export interface SshTunnel {
  /** 127.0.0.1:localPort reaches the database through the SSH server. */
  readonly localPort: number;
  /** The host key the server presented, as OpenSSH prints it. */
  readonly hostKeyFingerprint: string;
  /** The SSH server's last refusal to open a forwarded connection, if any (e.g. "Connection refused"). */
  lastForwardError(): string | null;
  /** Stops listening, ends the forwarded connections and the SSH session. */
  close(): Promise<void>;
}

type Ssh2Module = { Client: new () => SshClient; utils: { parseKey(data: Buffer | string, passphrase?: string): unknown } };
let ssh2: Ssh2Module | null = null;

/** ssh2, loaded on first use: only environments with `ssh` pay for it. */
async function loadSsh2(): Promise<Ssh2Module> {
  if (!ssh2) {
    // module.exports itself: Node's ESM view of this CommonJS module does not see every export (utils).
    // require where there is one (the bundles are CommonJS; bin/strata runs them from V8's code
    // cache, where Node 20 cannot run an import()).
    const mod = (typeof require === "function" ? require("ssh2") : await import("ssh2")) as Ssh2Module & { default?: Ssh2Module };
    ssh2 = mod.default?.utils ? mod.default : mod;
  }
  return ssh2;
}

/** Host key algorithms ssh2 can use; a known_hosts type outside these is left to the defaults. */
const SUPPORTED_HOST_KEYS = new Set(["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-dss"]);

/** ssh2's defaults with the types the host is known by moved first (as OpenSSH orders them), so a known key is the one offered. */
function hostKeyAlgorithms(knownTypes: readonly string[]): Algorithms | undefined {
  const algos = knownTypes.flatMap((t) => (t === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [t])).filter((a) => SUPPORTED_HOST_KEYS.has(a));
  if (algos.length === 0) return undefined;
  // ssh2 applies the keys in order: remove them where they are, then put them in front.
  return { serverHostKey: { remove: algos, prepend: algos } as unknown as Algorithms["serverHostKey"] };
}

function refusalFor(verdict: HostKeyVerdict, where: string, s: SshSettings, key: Buffer): string {
  const fp = fingerprintOf(key);
  const type = keyTypeOf(key);
  const name = knownHostsName(s.host, s.port);
  switch (verdict.kind) {
    case "changed":
      return `the SSH host key of ${where} has CHANGED: it now presents ${type} ${fp}, which differs from ${s.knownHosts}:${verdict.line}; this may be an attack, so Strata refuses: ask the server's administrator for the new key's fingerprint and only then replace that line`;
    case "revoked":
      return `the SSH host key of ${where} (${type} ${fp}) is marked @revoked in ${s.knownHosts}:${verdict.line}; Strata refuses it: ask the server's administrator`;
    case "unknown": {
      const others = verdict.knownTypes.length > 0 ? ` (it knows only its ${verdict.knownTypes.join(", ")} key)` : "";
      return `the SSH host ${where} is not in ${s.knownHosts}${others}; it presents ${type} ${fp}: check that fingerprint with the server's administrator, then add the host (e.g. ssh-keyscan -p ${s.port} ${s.host} >> ${s.knownHosts}; name ${name})`;
    }
    case "match":
      return "";
  }
}

/**
 * Logs in to the SSH server with the private key, checks its host key against known_hosts (a
 * missing or changed key is refused, never learned), and listens on 127.0.0.1:0 forwarding every
 * connection to dest through the server. Fails within timeoutMs with one line.
 */
export async function openSshTunnel(s: SshSettings, dest: { host: string; port: number }, opts: { envName: string; timeoutMs: number }): Promise<SshTunnel> {
  const where = `${s.host}:${s.port}`;
  const env = opts.envName;
  const facts = { environment: env, ssh: where };
  const { Client, utils } = await loadSsh2();

  let keyText: Buffer;
  try {
    keyText = readFileSync(s.privateKey);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new StrataError("CONFIG_INVALID", `environment ${env}: the SSH private key ${s.privateKey} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(e)})`}; fix ssh.privateKey`, facts);
  }
  const parsed = utils.parseKey(keyText, s.passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    const hint = encrypted ? (s.passphrase === undefined ? "it is encrypted; give ssh.passphrase" : "ssh.passphrase does not open it") : "it is not a private key ssh2 can read (OpenSSH or PEM format)";
    throw new StrataError("CONFIG_INVALID", `environment ${env}: the SSH private key ${s.privateKey} cannot be used: ${hint}`, facts);
  }
  let knownText: string;
  try {
    knownText = readFileSync(s.knownHosts, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new StrataError("CONFIG_INVALID", `environment ${env}: the known_hosts file ${s.knownHosts} cannot be read (${code ?? String(e)}); fix ssh.knownHosts`, facts);
    knownText = "";
  }

  const client = new Client();
  let refusal: string | null = null;
  let fingerprint = "";
  // Errors after login (the link drops) end the forwarded sockets and the driver reports them; ssh2
  // may also emit a second error while it ends a failed login. Only the first one before "ready" counts.
  let settled = false;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: Error & { level?: string; code?: string }): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(sshError(err, refusal, where, s, opts));
    };
    client.once("ready", () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    client.on("error", fail);
    const algorithms = hostKeyAlgorithms(knownKeyTypes(knownText, s.host, s.port));
    try {
      client.connect({
        host: s.host,
        port: s.port,
        username: s.user,
        privateKey: keyText,
        ...(s.passphrase !== undefined ? { passphrase: s.passphrase } : {}),
        readyTimeout: opts.timeoutMs,
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
        ...(algorithms ? { algorithms } : {}),
        hostVerifier: (key: Buffer): boolean => {
          fingerprint = fingerprintOf(key);
          const verdict = checkHostKey(knownText, s.host, s.port, key);
          if (verdict.kind === "match") return true;
          refusal = refusalFor(verdict, where, s, key);
          return false;
        },
      });
    } catch (e) {
      fail(e as Error);
    }
  });

  const sockets = new Set<net.Socket>();
  let forwardError: string | null = null;
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => undefined);
    client.forwardOut(sock.remoteAddress ?? "127.0.0.1", sock.remotePort ?? 0, dest.host, dest.port, (err, channel) => {
      if (err) {
        forwardError = err.message;
        sock.destroy();
        return;
      }
      channel.on("error", () => sock.destroy());
      sock.pipe(channel).pipe(sock);
      channel.on("close", () => sock.destroy());
    });
  });
  client.on("close", () => {
    for (const sock of sockets) sock.destroy();
    server.close();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
  } catch (e) {
    client.end();
    throw new StrataError("CONNECTION_FAILED", `environment ${env}: cannot listen on 127.0.0.1 for the SSH tunnel: ${(e as Error).message}`, facts);
  }
  const localPort = (server.address() as net.AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    localPort,
    hostKeyFingerprint: fingerprint,
    lastForwardError: () => forwardError,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy();
        server.close();
        const done = setTimeout(resolve, 1000);
        client.once("close", () => {
          clearTimeout(done);
          resolve();
        });
        client.end();
      });
      return closed;
    },
  };
}

function sshError(err: Error & { level?: string; code?: string }, refusal: string | null, where: string, s: SshSettings, opts: { envName: string; timeoutMs: number }): StrataError {
  const env = opts.envName;
  const facts = { environment: env, ssh: where };
  if (refusal) return new StrataError("CONNECTION_FAILED", `environment ${env}: ${refusal}`, { ...facts, hostKey: true });
  const at = `environment ${env}: cannot reach the SSH server ${where}`;
  if (err.code === "ECONNREFUSED") return new StrataError("CONNECTION_FAILED", `${at}: connection refused; check ssh.host and ssh.port and that sshd runs there`, facts);
  if (err.code === "ENOTFOUND" || err.code === "EAI_AGAIN") return new StrataError("CONNECTION_FAILED", `${at}: the host name does not resolve; check ssh.host`, facts);
  if (err.level === "client-timeout" || /timed out/i.test(err.message)) {
    return new StrataError("CONNECTION_FAILED", `${at}: no SSH answer within ${seconds(opts.timeoutMs)}; check ssh.host, ssh.port, firewall or VPN`, facts);
  }
  if (err.level === "client-authentication") {
    return new StrataError("AUTH_FAILED", `environment ${env}: the SSH server ${where} refused user ${s.user} with the key ${s.privateKey}; check ssh.user and that the key's public half is in that user's authorized_keys`, facts);
  }
  return new StrataError("CONNECTION_FAILED", `${at}: ${err.message.split("\n")[0]}`, facts);
}

/** "5 s", "1.5 s": a timeout in the words of the messages. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
