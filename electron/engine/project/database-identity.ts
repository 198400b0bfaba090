import { promises as dns } from "node:dns";
import { realpathSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Knex } from "knex";
import { dialectFor } from "../dialect/index.js";
import type { AddressVariables, DbClient } from "../dialect/index.js";

/** What a database identity is computed from: an environment or profile, `${VAR}` already substituted. */
export interface IdentifiableEnvironment {
  readonly client: DbClient;
  readonly knexConfig: Knex.Config;
  readonly ssh?: { readonly host: string; readonly port: number };
}

/**
 * Which database a route reaches (issue 14): two environments or profiles reach the same one when
 * their identities are {@link sameDatabase}. Hosts are kept as every address they resolve to.
 */
export interface DatabaseIdentity {
  readonly family: string;
  /**
   * Where the database lives: for a server, every address its host resolves to ("local" for this
   * machine, "name:HOST" for a name that does not resolve); for SQLite, the file's real path and
   * its inode. Two routes share the place when these lists meet. Empty: an in-memory database.
   */
  readonly places: readonly string[];
  readonly port: number | null;
  readonly database: string;
  readonly schema: string | null;
  /** For people: "postgres 127.0.0.1:5432/app", "sqlite /srv/app/prod.sqlite3". */
  readonly display: string;
}

/** How identities are worked out; injectable for tests. */
export interface IdentityOptions {
  /** How long one host name may take to resolve before it is compared by its name (default 1000 ms). */
  readonly lookupTimeoutMs?: number;
  /** Resolves a host name to its addresses (default: dns.lookup with all: true, as the drivers connect). */
  readonly lookup?: (host: string) => Promise<readonly string[]>;
  /** PGHOST, PGUSER, USER, ...: what the drivers read from the environment (default process.env). */
  readonly variables?: AddressVariables;
}

/** The place name for this machine: every loopback address, the unspecified one, and its own interfaces' addresses. */
export const LOCAL_PLACE = "local";

const DEFAULT_LOOKUP_TIMEOUT_MS = 1000;

/**
 * How long the system resolver's answer is reused: the app asks on every screen refresh, and a
 * dead resolver must not cost every refresh its timeout. A name that did not resolve is kept longer.
 */
const RESOLVED_CACHE_MS = 10_000;
const UNRESOLVED_CACHE_MS = 60_000;
const resolvedHosts = new Map<string, { readonly until: number; readonly places: Promise<string[]> }>();

const systemLookup = async (host: string): Promise<readonly string[]> => (await dns.lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** The identity of the database an environment reaches; never throws, never waits longer than the lookup timeout per host. */
export async function databaseIdentity(env: IdentifiableEnvironment, options: IdentityOptions = {}): Promise<DatabaseIdentity> {
  const address = dialectFor(env.client).databaseAddress(env.knexConfig, options.variables ?? process.env);
  if (address.kind === "file") {
    if (address.file === null) return { family: address.family, places: [], port: null, database: "", schema: null, display: `${address.family} :memory:` };
    const file = filePlaces(address.file);
    return { family: address.family, places: file.places, port: null, database: "", schema: null, display: `${address.family} ${file.real}` };
  }
  const resolve = (host: string): Promise<string[]> => hostPlaces(host, options);
  let places: readonly string[];
  let via = "";
  const server = env.ssh ? await resolve(env.ssh.host) : null;
  if (env.ssh && server && !server.includes(LOCAL_PLACE)) {
    // Through a tunnel the database host is a name as the SSH server sees it, so it is not resolved here:
    // "localhost" is the SSH server's own machine, any other host is known by the server and that name.
    const seen = seenFromElsewhere(address.host);
    places = seen === LOCAL_PLACE ? server : server.map((p) => `${p}>${seen}`);
    via = ` via ssh ${env.ssh.host}:${env.ssh.port}`;
  } else {
    // Directly, or through an SSH server on this machine, which sees what this machine sees.
    places = await resolve(address.host);
    // PostgreSQL's socket for port P is the local server that listens on P over TCP too.
    if (address.socketOnPort) places = [...places, LOCAL_PLACE];
  }
  const hostShown = address.host.includes(":") && !address.host.startsWith("/") ? `[${address.host}]` : address.host;
  const schema = address.schema !== null && address.schema !== "public" ? ` (schema ${address.schema})` : "";
  return {
    family: address.family,
    places,
    port: address.port,
    database: address.database,
    schema: address.schema,
    display: `${address.family} ${hostShown}:${address.port}/${address.database}${schema}${via}`,
  };
}

/** Whether two routes reach the same database: same kind, port, database and schema, and a place in common. */
export function sameDatabase(a: DatabaseIdentity, b: DatabaseIdentity): boolean {
  if (a.family !== b.family || a.port !== b.port || a.database !== b.database || a.schema !== b.schema) return false;
  return a.places.some((p) => b.places.includes(p));
}

/** A SQLite file's places: its real path (the folder's for a file not made yet) and, when it exists, its inode (a hard link). */
function filePlaces(file: string): { places: string[]; real: string } {
  const absolute = path.resolve(file);
  let real: string;
  try {
    real = realpathSync.native(absolute);
  } catch {
    // Not there yet: the first run creates it in the real folder.
    let folder = path.dirname(absolute);
    try {
      folder = realpathSync.native(folder);
    } catch {
      // Neither is the folder: compared as written.
    }
    real = path.join(folder, path.basename(absolute));
  }
  const places = [`file:${real}`];
  try {
    const stat = statSync(real, { throwIfNoEntry: false });
    if (stat) places.push(`inode:${stat.dev}:${stat.ino}`);
  } catch {
    // Unreadable (or a name no file can have): known by its path alone; opening it will say what is wrong.
  }
  return { places, real };
}

/** A host as its addresses: loopback and this machine's own addresses are LOCAL_PLACE; a socket path is its real path. */
async function hostPlaces(written: string, options: IdentityOptions): Promise<string[]> {
  if (written.startsWith("/")) return [`socket:${filePlaces(written).real}`];
  const seen = seenFromElsewhere(written);
  if (seen === LOCAL_PLACE || net.isIP(seen) !== 0) return [seen];
  const timeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  if (options.lookup) return resolveName(seen, options.lookup, timeoutMs);
  const now = Date.now();
  const hit = resolvedHosts.get(seen);
  if (hit && now < hit.until) return hit.places;
  const places = resolveName(seen, systemLookup, timeoutMs);
  resolvedHosts.set(seen, { until: now + RESOLVED_CACHE_MS, places });
  void places.then((p) => {
    if (p[0]?.startsWith("name:")) resolvedHosts.set(seen, { until: Date.now() + UNRESOLVED_CACHE_MS, places });
  });
  return places;
}

/** A name's addresses as places, or the name itself when it does not resolve within the timeout; never rejects. */
async function resolveName(name: string, lookup: (host: string) => Promise<readonly string[]>, timeoutMs: number): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    // A lookup cannot be cancelled; a slow or dead resolver is simply not waited for.
    const addresses = await Promise.race([
      lookup(name),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("lookup timed out")), timeoutMs);
        timer.unref?.();
      }),
    ]);
    const places = [...new Set(addresses.map((a) => normaliseAddress(a)))];
    return places.length > 0 ? places : [`name:${name}`];
  } catch {
    return [`name:${name}`];
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** A host name or address without resolving it: lowercased, brackets and a trailing dot gone, loopback as LOCAL_PLACE. */
function seenFromElsewhere(written: string): string {
  const name = written.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  if (name === "" || name === "localhost" || name.endsWith(".localhost")) return LOCAL_PLACE;
  return net.isIP(name) !== 0 ? normaliseAddress(name) : name;
}

/** An IP address in one spelling; loopback, unspecified (0.0.0.0, ::) and this machine's interfaces as LOCAL_PLACE. */
function normaliseAddress(address: string): string {
  let a = address.toLowerCase().replace(/%.*$/, "");
  if (net.isIPv6(a)) {
    // The URL parser writes an IPv6 address in its canonical compressed form.
    a = new URL(`http://[${a}]`).hostname.replace(/^\[(.*)\]$/, "$1");
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
    if (mapped && mapped.length === 2) a = mapped[1]!;
    else if (mapped) {
      const hi = parseInt(mapped[1]!, 16);
      const lo = parseInt(mapped[2]!, 16);
      a = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
  }
  if (a === "::1" || a === "::" || a === "0.0.0.0" || /^127\./.test(a)) return LOCAL_PLACE;
  return localAddresses().has(a) ? LOCAL_PLACE : a;
}

let ownAddresses: Set<string> | null = null;

/** This machine's interface addresses (a server on 0.0.0.0 answers on each of them as on 127.0.0.1). */
function localAddresses(): Set<string> {
  if (ownAddresses === null) {
    ownAddresses = new Set();
    for (const list of Object.values(os.networkInterfaces())) {
      for (const i of list ?? []) ownAddresses.add(i.address.toLowerCase().replace(/%.*$/, ""));
    }
  }
  return ownAddresses;
}
