import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** What a known_hosts file says about the key a server presented. */
export type HostKeyVerdict =
  | { readonly kind: "match"; readonly line: number }
  /** No line names this host (or only other key types: see knownTypes). */
  | { readonly kind: "unknown"; readonly knownTypes: readonly string[] }
  /** A line names this host with the same key type but another key: possibly an attack. */
  | { readonly kind: "changed"; readonly line: number }
  /** The key is marked @revoked. */
  | { readonly kind: "revoked"; readonly line: number };

interface KnownHostLine {
  readonly line: number;
  readonly marker: "" | "@revoked" | "@cert-authority";
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH public key blob (its first string), e.g. "ssh-ed25519". */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "";
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString("latin1");
}

/** OpenSSH's fingerprint of a key blob: "SHA256:" and unpadded base64. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function parseLines(text: string): KnownHostLine[] {
  const out: KnownHostLine[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "" || raw.startsWith("#")) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostLine["marker"] = "";
    if (fields[0] === "@revoked" || fields[0] === "@cert-authority") marker = fields.shift() as KnownHostLine["marker"];
    const [hosts, keyType, key64] = fields;
    if (!hosts || !keyType || !key64) continue;
    const key = Buffer.from(key64, "base64");
    if (key.length === 0) continue;
    out.push({ line: i + 1, marker, hosts, keyType, key });
  }
  return out;
}

/** OpenSSH's wildcard patterns: `*` any run, `?` one character; case-insensitive like host names. */
function wildcardMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(name);
}

/** A hashed entry `|1|salt|hash`: HMAC-SHA1 of the looked-up name keyed by the salt. */
function hashedMatch(entry: string, name: string): boolean {
  const parts = entry.split("|");
  if (parts.length !== 4 || parts[1] !== "1") return false;
  const salt = Buffer.from(parts[2]!, "base64");
  const want = Buffer.from(parts[3]!, "base64");
  const got = createHmac("sha1", salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Whether a line's host field names `name`: any positive pattern matches and no negated one does. */
function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith("|")) return hashedMatch(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(",")) {
    if (pattern.startsWith("!")) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The key types known_hosts holds for a host, so the tunnel can ask the server for one of them first. */
export function knownKeyTypes(text: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = new Set<string>();
  for (const l of parseLines(text)) if (l.marker === "" && hostsMatch(l.hosts, name)) types.add(l.keyType);
  return [...types];
}

/** Checks a presented host key against the text of a known_hosts file, as OpenSSH's StrictHostKeyChecking=yes does. */
export function checkHostKey(text: string, host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const type = keyTypeOf(key);
  const lines = parseLines(text).filter((l) => hostsMatch(l.hosts, name) || (l.marker === "@revoked" && l.hosts === "*"));
  const revoked = lines.find((l) => l.marker === "@revoked" && l.key.equals(key));
  if (revoked) return { kind: "revoked", line: revoked.line };
  const plain = lines.filter((l) => l.marker === "");
  const same = plain.find((l) => l.key.equals(key));
  if (same) return { kind: "match", line: same.line };
  const sameType = plain.find((l) => l.keyType === type);
  if (sameType) return { kind: "changed", line: sameType.line };
  return { kind: "unknown", knownTypes: [...new Set(plain.map((l) => l.keyType))] };
}
