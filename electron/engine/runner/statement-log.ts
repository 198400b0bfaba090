import type { Knex } from "knex";

interface QueryEvent {
  readonly sql: string;
  readonly bindings?: readonly unknown[];
  readonly __knexQueryUid?: string;
}

/**
 * Records the statements a revision runs through the knex it was given, from knex's own
 * query events: which ones the database answered and which one it refused, so a failure on a
 * dialect without transactional DDL can say how far the revision got.
 */
export class StatementLog {
  readonly succeeded: string[] = [];
  failed: string | null = null;
  /**
   * The driver's error for the refused statement. knex's transaction rejects with the error of its
   * ROLLBACK instead when that fails too (a dead connection), so this is where the cause survives.
   */
  failedError: unknown = null;
  private detachFn: (() => void) | null = null;

  /** Starts listening on a knex instance or transaction. */
  attach(db: Knex): void {
    const escape = (db.client as unknown as { _escapeBinding(v: unknown, ctx: object): string })._escapeBinding.bind(db.client);
    const onResponse = (_response: unknown, obj: QueryEvent) => {
      this.succeeded.push(readable(obj, escape));
    };
    const onError = (err: unknown, obj: QueryEvent) => {
      this.failed = readable(obj, escape);
      this.failedError = err;
    };
    db.on("query-response", onResponse);
    db.on("query-error", onError);
    this.detachFn = () => {
      db.off("query-response", onResponse);
      db.off("query-error", onError);
    };
  }

  /** Stops listening. */
  detach(): void {
    this.detachFn?.();
    this.detachFn = null;
  }
}

/** The statement with its values in place (as knex's own error messages show it), on one line. */
function readable(obj: QueryEvent, escape: (v: unknown, ctx: object) => string): string {
  const bindings = obj.bindings ?? [];
  let sql = obj.sql;
  if (bindings.length > 0) {
    // By the time knex reports a query, PostgreSQL's "?" have become "$1", "$2", ...
    if (/\$\d+/.test(sql)) {
      sql = sql.replace(/\$(\d+)/g, (m, n: string) => (Number(n) <= bindings.length ? safeEscape(escape, bindings[Number(n) - 1]) : m));
    } else {
      let i = 0;
      sql = sql.replace(/\\?\?/g, (m) => (m === "\\?" ? "?" : i < bindings.length ? safeEscape(escape, bindings[i++]) : m));
    }
  }
  return sql.replace(/\s+/g, " ").trim();
}

function safeEscape(escape: (v: unknown, ctx: object) => string, v: unknown): string {
  try {
    return escape(v, {});
  } catch {
    return "?";
  }
}
