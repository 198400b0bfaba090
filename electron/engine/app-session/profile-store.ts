import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Knex } from "knex";
import * as z from "zod";
import type { ConnectionProfileDto, PasswordStorageDto } from "../../../shared/api.js";
import { clientSchema, profileInputSchema, profileSshSchema, profileTlsSchema } from "../../../shared/api.js";
import { StrataError, assertNever } from "../errors.js";
import { DEFAULT_HISTORY_TABLE, DEFAULT_VERSION_TABLE } from "../project/index.js";
import { resolveSecurity } from "../project/environment.js";
import type { EnvironmentConfig } from "../project/index.js";

/** A profile as the renderer sends it (password write-only). */
export type ProfileInput = z.output<typeof profileInputSchema>;

/**
 * Encrypts passwords at rest. Electron's main process backs it with safeStorage; a host
 * without OS-backed encryption (strata serve) uses {@link NO_PASSWORD_STORAGE}, which refuses.
 */
export interface SecretCodec {
  storage(): PasswordStorageDto;
  /** Returns the stored form (e.g. base64 of safeStorage's bytes). */
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

/** For hosts with no OS keychain: profiles are saved, passwords are not. */
export const NO_PASSWORD_STORAGE: SecretCodec = {
  storage: () => ({
    available: false,
    backend: "none",
    reason: "this host cannot encrypt passwords (no OS keychain); use the desktop app, or put ${VARIABLE} in strata.config.json",
  }),
  encrypt: () => {
    throw refusePassword(NO_PASSWORD_STORAGE.storage());
  },
  decrypt: () => {
    throw refusePassword(NO_PASSWORD_STORAGE.storage());
  },
};

function refusePassword(s: PasswordStorageDto): StrataError {
  return new StrataError("PASSWORD_STORAGE_UNAVAILABLE", `the password was not saved: ${s.reason ?? "no encryption available"}`, { backend: s.backend });
}

const storedProfileSchema = z.object({
  id: z.string(),
  name: z.string(),
  client: clientSchema,
  host: z.string().optional(),
  port: z.number().optional(),
  user: z.string().optional(),
  database: z.string().optional(),
  filename: z.string().optional(),
  protected: z.boolean().optional(),
  color: z.string().optional(),
  /** The codec's stored form; never the plain password. */
  passwordEncrypted: z.string().optional(),
  tls: profileTlsSchema.optional(),
  ssh: profileSshSchema.optional(),
  /** The SSH key's passphrase in the codec's stored form. */
  sshPassphraseEncrypted: z.string().optional(),
  /** The project root it was saved in; absent for profiles saved before profiles belonged to a project (shown everywhere). */
  projectRoot: z.string().optional(),
  /** Listed in every project, not only in projectRoot's. */
  shared: z.boolean().optional(),
});
type StoredProfile = z.infer<typeof storedProfileSchema>;
/** The stored fields that are not secrets and not identity: what pick() copies from an input. */
type ProfileFields = Omit<StoredProfile, "id" | "name" | "client" | "passwordEncrypted" | "sshPassphraseEncrypted" | "projectRoot" | "shared">;
const storedFileSchema = z.object({ version: z.literal(1), profiles: z.array(storedProfileSchema) });

const DEFAULT_PORTS = { pg: 5432, mysql2: 3306 } as const;

/** Saved connection profiles in one JSON file (the app's user data), passwords encrypted by a codec. */
export class ProfileStore {
  constructor(
    private readonly file: string,
    private readonly codec: SecretCodec,
  ) {}

  /** Whether passwords can be saved here. */
  passwordStorage(): PasswordStorageDto {
    return this.codec.storage();
  }

  /** The stored form of every saved secret: what a host whose codec answers over a channel (the desktop's engine process) decrypts ahead of a call. */
  storedSecrets(): string[] {
    return this.read().flatMap((p) => [p.passwordEncrypted, p.sshPassphraseEncrypted].filter((s): s is string => s !== undefined));
  }

  /**
   * The profiles of the project at `projectRoot` and those shared across projects (every profile
   * saved before profiles belonged to a project is shared, so nobody loses one), without passwords.
   * With no project open, the shared ones.
   */
  list(projectRoot: string | null = null): ConnectionProfileDto[] {
    return this.read()
      .filter((p) => isListedIn(p, projectRoot))
      .map(toDto);
  }

  /**
   * Adds or edits a profile; a password is encrypted or refused, never written plain. A new one
   * belongs to `projectRoot` unless `shared`; `markProtected` saves it protected (it reaches a protected database).
   */
  save(input: ProfileInput, projectRoot: string | null = null, markProtected = false): ConnectionProfileDto {
    const profiles = this.read();
    const existing = input.id === undefined ? undefined : profiles.find((p) => p.id === input.id);
    if (input.id !== undefined && !existing) throw new StrataError("NOT_FOUND", `no saved profile ${input.id}; it may have been removed`, { id: input.id });
    const shared = input.shared ?? (existing ? isShared(existing) : false);
    // A profile saved before profiles belonged to a project is kept by the first project it is edited in.
    const owner = existing?.projectRoot ?? (projectRoot === null ? undefined : canonicalRoot(projectRoot));
    // Names are unique where the profile is listed: a shared one everywhere, another in its project.
    const clash = profiles.find((p) => p.name === input.name && p.id !== input.id && (shared || isShared(p) || p.projectRoot === owner));
    if (clash) throw new StrataError("USAGE", `a profile named "${input.name}" exists already; choose another name`, { name: input.name });
    checkComplete(input);
    let passwordEncrypted = existing?.passwordEncrypted;
    if (input.clearPassword) passwordEncrypted = undefined;
    if (input.password !== undefined && input.password !== "") {
      const storage = this.codec.storage();
      if (!storage.available) throw refusePassword(storage);
      passwordEncrypted = this.codec.encrypt(input.password);
    }
    // The SSH key's passphrase is a secret like the password: encrypted or refused, and gone with the tunnel.
    let sshPassphraseEncrypted = input.ssh ? existing?.sshPassphraseEncrypted : undefined;
    if (input.clearSshPassphrase) sshPassphraseEncrypted = undefined;
    if (input.ssh && input.sshPassphrase !== undefined && input.sshPassphrase !== "") {
      const storage = this.codec.storage();
      if (!storage.available) throw refusePassword(storage);
      sshPassphraseEncrypted = this.codec.encrypt(input.sshPassphrase);
    }
    const next: StoredProfile = {
      id: existing?.id ?? randomUUID(),
      name: input.name,
      client: input.client,
      ...pick(input),
      ...(markProtected ? { protected: true } : {}),
      ...(passwordEncrypted !== undefined ? { passwordEncrypted } : {}),
      ...(sshPassphraseEncrypted !== undefined ? { sshPassphraseEncrypted } : {}),
      ...(owner !== undefined ? { projectRoot: owner } : {}),
      ...(shared ? { shared: true } : {}),
    };
    this.write(existing ? profiles.map((p) => (p.id === next.id ? next : p)) : [...profiles, next]);
    return toDto(next);
  }

  /** Forgets a profile; false when there was none. */
  remove(id: string): boolean {
    const profiles = this.read();
    const kept = profiles.filter((p) => p.id !== id);
    if (kept.length === profiles.length) return false;
    this.write(kept);
    return true;
  }

  /** The profile's environment, ready to connect (password decrypted in memory only), with the open project's table names. */
  environment(id: string, projectRoot: string | null, tables?: BookkeepingTables): EnvironmentConfig {
    const p = this.read().find((x) => x.id === id);
    if (!p) throw new StrataError("NOT_FOUND", `no saved profile ${id}; it may have been removed`, { id });
    const passphrase = p.sshPassphraseEncrypted === undefined ? undefined : this.codec.decrypt(p.sshPassphraseEncrypted);
    return buildEnvironment(p, p.passwordEncrypted === undefined ? undefined : this.codec.decrypt(p.passwordEncrypted), projectRoot, tables, passphrase);
  }

  /** The environment of an unsaved profile (for "test" before "save"); an omitted password is taken from the saved one. */
  draftEnvironment(input: ProfileInput, projectRoot: string | null): EnvironmentConfig {
    checkComplete(input);
    const saved = input.id === undefined ? undefined : this.read().find((p) => p.id === input.id);
    const password = input.password !== undefined && input.password !== "" ? input.password : input.clearPassword || !saved?.passwordEncrypted ? undefined : this.codec.decrypt(saved.passwordEncrypted);
    const passphrase =
      input.sshPassphrase !== undefined && input.sshPassphrase !== ""
        ? input.sshPassphrase
        : input.clearSshPassphrase || !saved?.sshPassphraseEncrypted
          ? undefined
          : this.codec.decrypt(saved.sshPassphraseEncrypted);
    return buildEnvironment({ id: input.id ?? "draft", name: input.name, client: input.client, ...pick(input) }, password, projectRoot, undefined, passphrase);
  }

  private read(): StoredProfile[] {
    if (!existsSync(this.file)) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, "utf8"));
    } catch {
      throw new StrataError("CONFIG_INVALID", `${this.file} is not valid JSON; fix or delete it to start with no saved profiles`, { file: this.file });
    }
    const result = storedFileSchema.safeParse(parsed);
    if (!result.success) throw new StrataError("CONFIG_INVALID", `${this.file} is not a profiles file Strata wrote; fix or delete it`, { file: this.file });
    return result.data.profiles;
  }

  private write(profiles: readonly StoredProfile[]): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    // Written whole and renamed, so a crash never leaves half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, profiles }, null, 2) + "\n", { encoding: "utf8", mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function pick(input: ProfileInput): ProfileFields {
  const out: Record<string, unknown> = {};
  for (const k of ["host", "port", "user", "database", "filename", "protected", "color", "tls", "ssh"] as const) {
    const v = input[k];
    if (v !== undefined && v !== "") out[k] = v;
  }
  return out as ProfileFields;
}

function checkComplete(input: ProfileInput): void {
  if (input.client === "better-sqlite3" && !input.filename) {
    throw new StrataError("USAGE", `profile "${input.name}": a SQLite profile needs the database file's path`, { name: input.name });
  }
  if (input.client !== "better-sqlite3" && !input.host) {
    throw new StrataError("USAGE", `profile "${input.name}": give the server's host (e.g. 127.0.0.1)`, { name: input.name });
  }
  if (input.client === "better-sqlite3" && (input.tls || input.ssh)) {
    throw new StrataError("USAGE", `profile "${input.name}": TLS and SSH apply to PostgreSQL and MySQL/MariaDB servers, not to a SQLite file`, { name: input.name });
  }
  if (input.client === "mysql2" && input.tls?.mode === "allow") {
    throw new StrataError("USAGE", `profile "${input.name}": TLS mode "allow" is PostgreSQL's; for MySQL/MariaDB choose DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY`, { name: input.name });
  }
}

function displayTarget(p: Omit<StoredProfile, "passwordEncrypted" | "sshPassphraseEncrypted">): string {
  switch (p.client) {
    case "better-sqlite3":
      return p.filename ?? "";
    case "pg":
    case "mysql2":
      return `${p.user ? `${p.user}@` : ""}${p.host ?? "localhost"}:${p.port ?? DEFAULT_PORTS[p.client]}${p.database ? `/${p.database}` : ""}`;
    default:
      return assertNever(p.client);
  }
}

/** Shared across projects: marked so, or saved before profiles belonged to a project. */
function isShared(p: StoredProfile): boolean {
  return p.shared === true || p.projectRoot === undefined;
}

/** Whether the profile is listed while the project at `projectRoot` is open. */
function isListedIn(p: StoredProfile, projectRoot: string | null): boolean {
  return isShared(p) || (projectRoot !== null && p.projectRoot === canonicalRoot(projectRoot));
}

/** A project folder by its real path, so a symlinked route to the same project finds its profiles. */
function canonicalRoot(root: string): string {
  try {
    return realpathSync.native(path.resolve(root));
  } catch {
    return path.resolve(root);
  }
}

function toDto(p: StoredProfile): ConnectionProfileDto {
  return {
    id: p.id,
    name: p.name,
    client: p.client,
    host: p.host ?? null,
    port: p.port ?? null,
    user: p.user ?? null,
    database: p.database ?? null,
    filename: p.filename ?? null,
    hasPassword: p.passwordEncrypted !== undefined,
    protected: p.protected ?? false,
    color: p.color ?? null,
    displayTarget: displayTarget(p),
    tls: p.tls ? { mode: p.tls.mode, ca: p.tls.ca ?? null, cert: p.tls.cert ?? null, key: p.tls.key ?? null } : null,
    ssh: p.ssh
      ? {
          host: p.ssh.host,
          port: p.ssh.port ?? 22,
          user: p.ssh.user,
          privateKey: p.ssh.privateKey,
          knownHosts: p.ssh.knownHosts ?? null,
          hasPassphrase: p.sshPassphraseEncrypted !== undefined,
        }
      : null,
    shared: isShared(p),
    projectRoot: p.projectRoot ?? null,
  };
}

/** The version and history tables a profile's database uses: the open project's. */
export interface BookkeepingTables {
  readonly versionTable: string;
  readonly historyTable: string;
}

function buildEnvironment(
  p: Omit<StoredProfile, "passwordEncrypted" | "sshPassphraseEncrypted">,
  password: string | undefined,
  projectRoot: string | null,
  tables?: BookkeepingTables,
  sshPassphrase?: string,
): EnvironmentConfig {
  let knexConfig: Knex.Config;
  switch (p.client) {
    case "better-sqlite3": {
      const filename = path.resolve(projectRoot ?? process.cwd(), p.filename ?? "");
      knexConfig = { client: p.client, connection: { filename }, useNullAsDefault: true };
      break;
    }
    case "pg":
    case "mysql2":
      knexConfig = {
        client: p.client,
        connection: {
          host: p.host ?? "localhost",
          port: p.port ?? DEFAULT_PORTS[p.client],
          ...(p.user !== undefined ? { user: p.user } : {}),
          ...(password !== undefined ? { password } : {}),
          ...(p.database !== undefined ? { database: p.database } : {}),
        },
      };
      break;
    default:
      return assertNever(p.client);
  }
  // Relative certificate and key paths are relative to the open project, like a SQLite file's.
  const security = resolveSecurity(
    p.client,
    { ...(p.tls ? { tls: p.tls } : {}), ...(p.ssh ? { ssh: { ...p.ssh, ...(sshPassphrase !== undefined ? { passphrase: sshPassphrase } : {}) } } : {}) },
    undefined,
    projectRoot ?? process.cwd(),
    `profile "${p.name}"`,
  );
  return {
    ...security,
    name: p.name,
    client: p.client,
    knexConfig,
    protected: p.protected ?? false,
    ...(p.color !== undefined ? { color: p.color } : {}),
    versionTable: tables?.versionTable ?? DEFAULT_VERSION_TABLE,
    historyTable: tables?.historyTable ?? DEFAULT_HISTORY_TABLE,
    displayTarget: displayTarget(p),
  };
}
