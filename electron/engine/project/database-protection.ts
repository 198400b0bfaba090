import { StrataError, isStrataError } from "../errors.js";
import { databaseIdentity, sameDatabase } from "./database-identity.js";
import type { IdentifiableEnvironment, IdentityOptions } from "./database-identity.js";
import { resolveEnvironment } from "./environment.js";
import type { EnvironmentConfig, ProjectConfig, ProtectedReach } from "./types.js";

/** A protected environment or profile, as another route is compared with it. */
export interface ProtectedRoute {
  readonly kind: ProtectedReach["kind"];
  readonly name: string;
  readonly env: IdentifiableEnvironment;
}

/**
 * The config's protected environments, ready to compare, in config order. One that cannot be
 * resolved (a `${VAR}` not set here) is left out: nothing here can tell where it points.
 */
export function protectedRoutesOf(config: ProjectConfig | null, variables?: Readonly<Record<string, string | undefined>>): ProtectedRoute[] {
  if (config === null) return [];
  const out: ProtectedRoute[] = [];
  for (const [name, entry] of Object.entries(config.environments)) {
    if (entry.protected !== true) continue;
    try {
      out.push({ kind: "environment", name, env: resolveEnvironment(config, name, undefined, variables ? { env: variables } : {}) });
    } catch (e) {
      if (!isStrataError(e)) throw e;
    }
  }
  return out;
}

/** The first of `routes` whose database `env` reaches, or null; every identity is worked out at once. */
export async function findProtectedReach(env: IdentifiableEnvironment, routes: readonly ProtectedRoute[], options: IdentityOptions = {}): Promise<ProtectedReach | null> {
  if (routes.length === 0) return null;
  const [mine, ...theirs] = await Promise.all([databaseIdentity(env, options), ...routes.map((r) => databaseIdentity(r.env, options))]);
  const i = theirs.findIndex((t) => sameDatabase(mine!, t));
  if (i < 0) return null;
  const route = routes[i]!;
  return { kind: route.kind, name: route.name, database: theirs[i]!.display };
}

/** How {@link protectEnvironment} weighs the environment's own flag. */
export interface ProtectOptions extends IdentityOptions {
  /**
   * true for a config environment: when it is protected itself, its own name is the one to type.
   * false for a profile: a protected environment of the project it reaches comes first.
   */
  readonly ownNameFirst?: boolean;
}

/**
 * The environment as protection follows the database (issue 14): protected, with the name to
 * confirm with, when it reaches the database of one of `routes`; unchanged otherwise.
 */
export async function protectEnvironment(env: EnvironmentConfig, routes: readonly ProtectedRoute[], options: ProtectOptions = {}): Promise<EnvironmentConfig> {
  if (env.protected && (options.ownNameFirst ?? true)) return env;
  const reach = await findProtectedReach(env, routes, options);
  return reach ? { ...env, protected: true, reachesProtected: reach } : env;
}

/** The name a person must type before the environment's database changes; null when it is not protected. */
export function confirmationNameOf(env: Pick<EnvironmentConfig, "name" | "protected" | "reachesProtected">): string | null {
  return env.reachesProtected?.name ?? (env.protected ? env.name : null);
}

/** "environment staging reaches the same database as protected environment prod (postgres 127.0.0.1:5432/app)". */
export function describeReach(subject: string, reach: ProtectedReach): string {
  return `${subject} reaches the same database as protected ${reach.kind} ${reach.name} (${reach.database})`;
}

/** What a refused change was and what was left alone, for the one line. */
export interface ChangeAsked {
  /** e.g. "the upgrade (3 revisions)", "the stamp", "the resolve". */
  readonly what: string;
  /** e.g. "nothing was run", "nothing was changed". */
  readonly outcome: string;
  /** Who reads the line: the CLI (default; it names `--confirm NAME` and the app) or the app (it says what to type). */
  readonly reader?: "cli" | "app";
}

/**
 * Refuses to change a protected database unless its confirmation name was given (CLI `--confirm
 * NAME`, or typed in the app): the environment's own name, or the protected environment's whose
 * database it reaches. The one place these words are made, for every command and call.
 */
export function refuseUnconfirmedChange(env: Pick<EnvironmentConfig, "name" | "protected" | "reachesProtected">, confirmName: string | undefined, asked: ChangeAsked): void {
  const expected = confirmationNameOf(env);
  if (expected === null || confirmName === expected) return;
  const given = confirmName !== undefined && confirmName !== "";
  const reach = env.reachesProtected;
  const subject = reach ? describeReach(`environment ${env.name}`, reach) : `environment ${env.name} is protected`;
  const wrong = !given ? "" : reach ? `, and "${confirmName}" is not "${expected}"` : ` and "${confirmName}" is not its name`;
  let message: string;
  if (asked.reader === "app") message = `${subject}${wrong}; type ${reach || given ? "" : "its name "}"${expected}" to confirm ${asked.what}; ${asked.outcome}`;
  else if (given) message = `${subject}${wrong}; confirm with \`--confirm ${expected}\`; ${asked.outcome}`;
  else if (reach) message = `${subject}; confirm ${asked.what} with \`--confirm ${expected}\` (or type "${expected}" in the app); ${asked.outcome}`;
  else message = `${subject}: confirm ${asked.what} with its name (\`--confirm ${expected}\`, or type it in the app); ${asked.outcome}`;
  throw new StrataError("CONFIRMATION_REQUIRED", message, {
    environment: env.name,
    confirmationName: expected,
    ...(reach ? { reaches: reach.name, database: reach.database } : {}),
  });
}
