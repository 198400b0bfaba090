/**
 * Issue 14: which name protects a route, and the one line a refusal gives (CLI and app words),
 * for an environment that is protected itself and for one that reaches a protected database.
 */
import { describe, expect, it } from "vitest";
import { StrataError } from "../../../electron/engine/errors.js";
import { parseConfig, resolveEnvironment } from "../../../electron/engine/project/index.js";
import { confirmationNameOf, protectEnvironment, protectedRoutesOf, refuseUnconfirmedChange } from "../../../electron/engine/project/database-protection.js";

const config = parseConfig(
  JSON.stringify({
    migrations: "migrations",
    environments: {
      prod: { client: "pg", connection: "postgres://app@127.0.0.1/app", protected: true },
      replica: { client: "pg", connection: { host: "localhost", database: "app" }, protected: true },
      staging: { client: "pg", connection: "postgres://other@localhost:5432/app" },
      secret: { client: "pg", connection: "${PROD_URL}", protected: true },
      dev: { client: "better-sqlite3", connection: { filename: "dev.sqlite3" } },
    },
  }),
  "/srv/app",
);
const env = (name: string) => resolveEnvironment(config, name, undefined, { env: {} });

function refusal(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StrataError);
    expect((e as StrataError).code).toBe("CONFIRMATION_REQUIRED");
    return (e as StrataError).message;
  }
  throw new Error("not refused");
}

describe("protection", () => {
  it("routes: the config's protected environments in order, one whose ${VAR} is not set left out", () => {
    expect(protectedRoutesOf(config, {}).map((r) => r.name)).toEqual(["prod", "replica"]);
    expect(protectedRoutesOf(config, { PROD_URL: "postgres://x@db/app" }).map((r) => r.name)).toEqual(["prod", "replica", "secret"]);
    expect(protectedRoutesOf(null)).toEqual([]);
  });

  it("an alias takes the first protected environment's name; a protected one keeps its own; others are left as they are", async () => {
    const routes = protectedRoutesOf(config, {});
    const staging = await protectEnvironment(env("staging"), routes);
    expect(staging).toMatchObject({ protected: true, reachesProtected: { kind: "environment", name: "prod", database: "postgres 127.0.0.1:5432/app" } });
    expect(confirmationNameOf(staging)).toBe("prod");
    const replica = await protectEnvironment(env("replica"), routes);
    expect(confirmationNameOf(replica)).toBe("replica");
    // A profile (ownNameFirst false) protected by hand still asks for the protected environment it reaches.
    const profile = await protectEnvironment({ ...env("replica"), name: "my-replica" }, routes, { ownNameFirst: false });
    expect(confirmationNameOf(profile)).toBe("prod");
    const dev = await protectEnvironment(env("dev"), routes);
    expect(dev.protected).toBe(false);
    expect(confirmationNameOf(dev)).toBeNull();
  });

  it("the one line, for the CLI and for the app", async () => {
    const staging = await protectEnvironment(env("staging"), protectedRoutesOf(config, {}));
    const asked = { what: "the upgrade (2 revisions)", outcome: "nothing was run" };
    expect(refusal(() => refuseUnconfirmedChange(staging, undefined, asked))).toBe(
      "environment staging reaches the same database as protected environment prod (postgres 127.0.0.1:5432/app); confirm the upgrade (2 revisions) with `--confirm prod` (or type \"prod\" in the app); nothing was run",
    );
    expect(refusal(() => refuseUnconfirmedChange(staging, "staging", asked))).toBe(
      "environment staging reaches the same database as protected environment prod (postgres 127.0.0.1:5432/app), and \"staging\" is not \"prod\"; confirm with `--confirm prod`; nothing was run",
    );
    expect(refusal(() => refuseUnconfirmedChange(staging, "", { ...asked, reader: "app" }))).toBe(
      "environment staging reaches the same database as protected environment prod (postgres 127.0.0.1:5432/app); type \"prod\" to confirm the upgrade (2 revisions); nothing was run",
    );
    const prod = env("prod");
    expect(refusal(() => refuseUnconfirmedChange(prod, undefined, asked))).toBe(
      "environment prod is protected: confirm the upgrade (2 revisions) with its name (`--confirm prod`, or type it in the app); nothing was run",
    );
    expect(refusal(() => refuseUnconfirmedChange(prod, "PROD", { ...asked, reader: "app" }))).toBe(
      "environment prod is protected and \"PROD\" is not its name; type \"prod\" to confirm the upgrade (2 revisions); nothing was run",
    );
    expect(() => refuseUnconfirmedChange(staging, "prod", asked)).not.toThrow();
    expect(() => refuseUnconfirmedChange(env("dev"), undefined, asked)).not.toThrow();
  });
});
