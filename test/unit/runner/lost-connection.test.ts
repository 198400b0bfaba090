/**
 * Issue 14, point 7: which driver errors are a lost connection, and the one line said for each
 * thing the database may have kept. The errors are shaped as pg and mysql2 throw them (through
 * knex, which puts the statement before the driver's message), as recorded from real servers in
 * test/reliability/lost-connection.test.ts.
 */
import { describe, expect, it } from "vitest";
import { lostConnectionCause } from "../../../electron/engine/dialect/connection-error-text.js";
import { StrataError } from "../../../electron/engine/errors.js";
import { connectionLostElsewhere, connectionLostError, connectionLostOutsideRevision, lostCause } from "../../../electron/engine/runner/lost-connection.js";

function driverError(message: string, props: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), props);
}

describe("lostConnectionCause", () => {
  it.each([
    ["pg, network cut", driverError("select pg_sleep(5) - read ECONNRESET", { code: "ECONNRESET", errno: -104 }), "the network connection was reset (ECONNRESET)"],
    ["pg, pg_terminate_backend or a fast shutdown", driverError("select pg_sleep(5) - terminating connection due to administrator command", { code: "57P01" }), "the server ended the session (terminated by an administrator, or the server shut down)"],
    ["pg, knex's ROLLBACK after the cut", driverError("ROLLBACK - Client has encountered a connection error and is not queryable"), "the connection broke"],
    ["pg, knex's ROLLBACK after a kill", driverError("ROLLBACK - Connection terminated unexpectedly"), "the connection closed unexpectedly"],
    ["mysql2, network cut", driverError("select sleep(5) - read ECONNRESET", { code: "ECONNRESET", fatal: true }), "the network connection was reset (ECONNRESET)"],
    ["mysql2, KILL CONNECTION", driverError("select sleep(5) - Connection lost: The server closed the connection.", { code: "PROTOCOL_CONNECTION_LOST", fatal: true }), "the server closed the connection"],
    ["mysql2, knex's ROLLBACK on the closed connection", driverError("ROLLBACK - Can't add new command when connection is in closed state", { fatal: true }), "the connection closed"],
    ["MariaDB, KILL of a running query's session", driverError("Connection was killed", { code: "ER_CONNECTION_KILLED", errno: 1927 }), "the server ended the session (KILL)"],
  ])("%s", (_case, error, cause) => {
    expect(lostConnectionCause(error)).toBe(cause);
  });

  it.each([
    ["a statement the database refused", driverError(`insert into no_such_table (id) values (1) - relation "no_such_table" does not exist`, { code: "42P01" })],
    ["PostgreSQL's statement timeout", driverError("select pg_sleep(5) - canceling statement due to statement timeout", { code: "57014" })],
    ["MariaDB's statement timeout", driverError("Query execution was interrupted (max_statement_time exceeded)", { code: "ER_STATEMENT_TIMEOUT", errno: 1969 })],
    ["a duplicate column", driverError("Duplicate column name 'n'", { code: "ER_DUP_FIELDNAME", errno: 1060 })],
    ["not an error", "ECONNRESET"],
    ["nothing", null],
  ])("%s is not a lost connection", (_case, error) => {
    expect(lostConnectionCause(error)).toBeNull();
  });

  it("takes the statement's own cause over the ROLLBACK that replaced it, and never a StrataError's", () => {
    const rollback = driverError("ROLLBACK - Connection terminated unexpectedly");
    const statement = driverError("select pg_sleep(5) - terminating connection due to administrator command", { code: "57P01" });
    expect(lostCause(rollback, statement)).toMatch(/^the server ended the session/);
    expect(lostCause(rollback, null)).toBe("the connection closed unexpectedly");
    expect(lostCause(new StrataError("REVISION_FAILED", "read ECONNRESET", {}), statement)).toBeNull();
  });
});

describe("connectionLostError", () => {
  const base = {
    environment: "prod",
    label: "MySQL/MariaDB",
    cause: "the server closed the connection",
    revision: "l2l2l2l2l2l2",
    message: "add column",
    direction: "up" as const,
    statements: [] as string[],
    version: ["a1a1a1a1a1a1"],
    historyRecorded: true,
    runningRowLeft: false,
  };

  it("rolled back: says nothing was kept and to run again", () => {
    const e = connectionLostError({ ...base, kept: "rolled-back" });
    expect(e.code).toBe("CONNECTION_LOST");
    expect(e.message).toBe(
      "environment prod: the connection to MySQL/MariaDB was lost while revision l2l2l2l2l2l2 (add column) ran up: the server closed the connection; rolled back: nothing of l2l2l2l2l2l2 was kept, the version table is still at a1a1a1a1a1a1; run the command again once the database can be reached",
    );
    expect(e.details).toMatchObject({ environment: "prod", revision: "l2l2l2l2l2l2", direction: "up", kept: "rolled-back", statements: [] });
  });

  it("rolled back, with its running row left: says which resolve comes first", () => {
    const e = connectionLostError({ ...base, kept: "rolled-back", historyRecorded: false, runningRowLeft: true });
    expect(e.message).toContain("the history could not be told (the database is unreachable), so check, then run `strata resolve l2l2l2l2l2l2 --rolled-back` before running again");
  });

  it("partial: the runner's half-applied clause, with the statements that committed in the details", () => {
    const e = connectionLostError({ ...base, kept: "partial", statements: ["alter table `t` add `n` int"], halfApplied: "MySQL/MariaDB commits DDL as it runs, so the revision may be half applied: 1 statement had run (last: alter table `t` add `n` int); the version table was left at a1a1a1a1a1a1; check ..." });
    expect(e.message).toMatch(/ran up: the server closed the connection; MySQL\/MariaDB commits DDL as it runs, so the revision may be half applied: 1 statement had run/);
    expect(e.details).toMatchObject({ kept: "partial", statements: ["alter table `t` add `n` int"] });
  });

  it("unknown: lost while committing, all or nothing, and where to look", () => {
    const e = connectionLostError({ ...base, label: "PostgreSQL", kept: "unknown", historyRecorded: false });
    expect(e.message).toBe(
      "environment prod: the connection to PostgreSQL was lost while revision l2l2l2l2l2l2 (add column) ran up: the server closed the connection, while committing it: the database kept all of it or none of it, and its version table says which (`strata current`); run the command again once the database can be reached",
    );
  });

  it("outside any revision: before the first, nothing changed; after some, they stay applied; other errors pass", () => {
    const reset = driverError("select 1 - read ECONNRESET", { code: "ECONNRESET" });
    expect(connectionLostOutsideRevision(reset, { environment: "prod", label: "PostgreSQL", applied: [] })?.message).toBe(
      "environment prod: the connection to PostgreSQL was lost before any revision ran, so nothing was changed: the network connection was reset (ECONNRESET); run the command again once the database can be reached",
    );
    expect(connectionLostOutsideRevision(reset, { environment: "prod", label: "PostgreSQL", applied: ["a1", "b2"] })?.message).toContain("was lost after 2 revisions (a1, b2) were applied (they stay applied)");
    expect(connectionLostOutsideRevision(driverError("syntax error"), { environment: "prod", label: "PostgreSQL", applied: [] })).toBeNull();
  });

  it("elsewhere (a read, a stamp): plain, with no claim about what was kept", () => {
    const killed = driverError("select * from strata_version - terminating connection due to administrator command", { code: "57P01" });
    const e = connectionLostElsewhere(killed, { environment: "staging", label: "PostgreSQL" });
    expect(e?.message).toBe("environment staging: the connection to PostgreSQL was lost: the server ended the session (terminated by an administrator, or the server shut down); run the command again once the database can be reached");
    expect(e?.details).toMatchObject({ environment: "staging", revision: null, kept: "unknown" });
    expect(connectionLostElsewhere(new StrataError("CONNECTION_LOST", "already said"), { environment: "staging", label: "PostgreSQL" })).toBeNull();
  });
});
