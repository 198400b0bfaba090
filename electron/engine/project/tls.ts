import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSecureContext } from "node:tls";
import { StrataError, assertNever } from "../errors.js";
import { SERVER_DRIVERS } from "./driver-options.js";
import type { ClientName, TlsMode, TlsSettings } from "./types.js";

/** Every spelling of a mode Strata accepts, lower-cased: libpq's sslmode and MySQL's --ssl-mode. */
const MODE_NAMES: Readonly<Record<string, TlsMode>> = {
  disable: "disable",
  disabled: "disable",
  allow: "allow",
  prefer: "prefer",
  preferred: "prefer",
  require: "require",
  required: "require",
  "verify-ca": "verify-ca",
  verify_ca: "verify-ca",
  "verify-full": "verify-full",
  verify_identity: "verify-full",
  "verify-identity": "verify-full",
};

const PG_MODES = "disable, allow, prefer, require, verify-ca or verify-full";
const MYSQL_MODES = "DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY";

/** A TLS mode as written (either family's spelling, any case) made into Strata's; `where` names the setting in the error. */
export function parseTlsMode(written: string, client: Exclude<ClientName, "better-sqlite3">, where: string): TlsMode {
  const mode = MODE_NAMES[written.trim().toLowerCase()];
  if (mode === undefined) {
    throw new StrataError(
      "CONFIG_INVALID",
      `${where}: unknown TLS mode ${JSON.stringify(written)}; use ${client === "pg" ? PG_MODES : MYSQL_MODES}`,
      { mode: written },
    );
  }
  if (mode === "allow" && client === "mysql2") {
    throw new StrataError("CONFIG_INVALID", `${where}: TLS mode "allow" is PostgreSQL's; for MySQL/MariaDB use ${MYSQL_MODES}`, { mode: written });
  }
  return mode;
}

/** The name of a mode in the words of the client's own tools, for messages. */
export function modeName(mode: TlsMode, client: ClientName): string {
  if (client !== "mysql2") return mode;
  return { disable: "DISABLED", allow: "allow", prefer: "PREFERRED", require: "REQUIRED", "verify-ca": "VERIFY_CA", "verify-full": "VERIFY_IDENTITY" }[mode];
}

/** `~/x` is the home folder's x; anything else relative is relative to `base`. */
export function resolveUserPath(p: string, base: string): string {
  if (p === "~" || p.startsWith("~/")) return path.join(os.homedir(), p.slice(1));
  return path.resolve(base, p);
}

/** URL query parameters that carry TLS settings, per client: libpq's for PostgreSQL, MySQL's URI options for MySQL. */
const URL_PARAMS: Readonly<Record<Exclude<ClientName, "better-sqlite3">, Readonly<Record<string, keyof TlsSettings>>>> = {
  pg: { sslmode: "mode", sslrootcert: "ca", sslcert: "cert", sslkey: "key", sslpassword: "passphrase" },
  mysql2: {
    "ssl-mode": "mode",
    sslmode: "mode",
    sslMode: "mode",
    "ssl-ca": "ca",
    sslca: "ca",
    "ssl-cert": "cert",
    sslcert: "cert",
    "ssl-key": "key",
    sslkey: "key",
  },
};

/** Writable form of the TLS keys found in a URL. */
export type TlsFields = { -readonly [K in keyof TlsSettings]?: string };

/**
 * Takes the TLS parameters out of a URL's query (they are Strata's to apply, not the driver's:
 * node-postgres would read them with meanings of its own). Returns what they said; `params` loses them.
 */
export function takeTlsParams(client: Exclude<ClientName, "better-sqlite3">, params: URLSearchParams): TlsFields {
  const found: TlsFields = {};
  for (const [name, field] of Object.entries(URL_PARAMS[client])) {
    const v = params.get(name);
    if (v !== null) {
      found[field] = v;
      params.delete(name);
    }
  }
  if (client === "pg" && Object.keys(found).length > 0) {
    // node-postgres's own spellings: dropped so that they cannot override the settings above.
    params.delete("ssl");
    params.delete("uselibpqcompat");
  }
  return found;
}

/** The PEM material of a TlsSettings, read and checked. */
export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly passphrase?: string;
}

function readPem(file: string, what: string, envName: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "cannot be read (permission denied)" : code === "EISDIR" ? "is a folder" : `cannot be read (${code ?? String(e)})`;
    throw new StrataError("CONFIG_INVALID", `environment ${envName}: the TLS ${what} file ${file} ${why}; fix the path`, { environment: envName, file });
  }
}

/** Reads the CA, certificate and key files and checks that Node can use them together; CONFIG_INVALID with one line otherwise. */
export function readTlsMaterial(settings: TlsSettings, envName: string): TlsMaterial {
  if ((settings.cert === undefined) !== (settings.key === undefined)) {
    throw new StrataError(
      "CONFIG_INVALID",
      `environment ${envName}: a TLS client certificate needs both tls.cert and tls.key (only ${settings.cert !== undefined ? "cert" : "key"} is given)`,
      { environment: envName },
    );
  }
  const material: TlsMaterial = {
    ...(settings.ca !== undefined ? { ca: readPem(settings.ca, "CA", envName) } : {}),
    ...(settings.cert !== undefined ? { cert: readPem(settings.cert, "client certificate", envName) } : {}),
    ...(settings.key !== undefined ? { key: readPem(settings.key, "client key", envName) } : {}),
    ...(settings.passphrase !== undefined ? { passphrase: settings.passphrase } : {}),
  };
  const check = (what: string, file: string | undefined, options: Parameters<typeof createSecureContext>[0]): void => {
    try {
      createSecureContext(options);
    } catch (e) {
      const reason = (e as Error).message;
      let hint = "it must be PEM";
      if (/bad decrypt|passphrase/i.test(reason)) hint = settings.passphrase === undefined ? "the key is encrypted; give tls.passphrase" : "tls.passphrase does not open the key";
      else if (/key values mismatch/i.test(reason)) hint = "the key does not belong to the certificate";
      throw new StrataError("CONFIG_INVALID", `environment ${envName}: the TLS ${what} ${file ?? ""} cannot be used: ${hint} (${reason.split("\n")[0]})`, {
        environment: envName,
        file,
      });
    }
  };
  if (material.ca) {
    check("CA file", settings.ca, { ca: material.ca });
    if (!/-----BEGIN CERTIFICATE-----/.test(material.ca.toString("latin1"))) {
      throw new StrataError("CONFIG_INVALID", `environment ${envName}: the TLS CA file ${settings.ca} holds no PEM certificate; give the CA's certificate in PEM form`, {
        environment: envName,
        file: settings.ca,
      });
    }
  }
  if (material.cert && material.key) {
    check("client certificate and key", `${settings.cert} / ${settings.key}`, { cert: material.cert, key: material.key, ...(material.passphrase !== undefined ? { passphrase: material.passphrase } : {}) });
  }
  return material;
}

/** One way of connecting to try; a mode with a fallback (prefer, allow) has two. */
export interface TlsAttempt {
  /** The driver's `ssl` option: false for plain text. */
  readonly ssl: false | Record<string, unknown>;
  /** When this attempt fails with an error this accepts, the next attempt is tried. */
  readonly fallBackWhen?: (err: unknown) => boolean;
}

/** The server said it has no TLS (the SSLRequest answered "N", or no SSL capability in the MySQL handshake). */
export function serverHasNoTls(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e.code === "HANDSHAKE_NO_SSL_SUPPORT" || (typeof e.message === "string" && /server does not support SSL connections/i.test(e.message));
}

/** PostgreSQL refused a connection without encryption (pg_hba.conf has only hostssl lines for it). */
export function serverWantsTls(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.message !== "string") return false;
  return (e.code === "28000" && /no encryption/i.test(e.message)) || /insecure transport are prohibited|secure_transport/i.test(e.message);
}

/**
 * The connections to try for a mode, in order, with the driver's `ssl` option for each. `host` is
 * the name the certificate must carry (the database host, also when an SSH tunnel carries the bytes).
 *
 * PostgreSQL as libpq: require encrypts without checking the certificate unless a CA is given
 * (then it checks the chain, as verify-ca); verify-ca checks the chain, not the name; verify-full
 * checks both; prefer tries TLS and falls back to plain text when the server has none; allow
 * tries plain text first and TLS when the server refuses it. MySQL as its --ssl-mode: REQUIRED
 * never checks the certificate; VERIFY_CA the chain; VERIFY_IDENTITY the chain and the name.
 */
export function tlsAttempts(client: Exclude<ClientName, "better-sqlite3">, settings: TlsSettings, material: TlsMaterial, host: string): TlsAttempt[] {
  const files = {
    ...(material.ca ? { ca: material.ca } : {}),
    ...(material.cert ? { cert: material.cert } : {}),
    ...(material.key ? { key: material.key } : {}),
    ...(material.passphrase !== undefined ? { passphrase: material.passphrase } : {}),
  };
  let verifyChain: boolean;
  let verifyName: boolean;
  switch (settings.mode) {
    case "disable":
      return [{ ssl: false }];
    case "allow":
    case "prefer":
    case "require":
      // libpq checks the chain whenever it has a root certificate; MySQL's REQUIRED never does.
      verifyChain = client === "pg" && material.ca !== undefined;
      verifyName = false;
      break;
    case "verify-ca":
      verifyChain = true;
      verifyName = false;
      break;
    case "verify-full":
      verifyChain = true;
      verifyName = true;
      break;
    default:
      return assertNever(settings.mode);
  }
  const ssl = SERVER_DRIVERS[client].sslOption(files, verifyChain, verifyName, host);
  if (settings.mode === "prefer") return [{ ssl, fallBackWhen: serverHasNoTls }, { ssl: false }];
  if (settings.mode === "allow") return [{ ssl: false, fallBackWhen: serverWantsTls }, { ssl }];
  return [{ ssl }];
}
