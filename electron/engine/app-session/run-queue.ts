import { randomUUID } from "node:crypto";
import type { MigrateCommandDto, RunDto, RunEventDto, RunLogLineDto, RunTicketDto } from "../../../shared/api.js";
import type { MigrationResultDto } from "../../../shared/dto.js";
import type { ErrorShape } from "../../../shared/errors.js";
import { assertNever, defaultErrorShape } from "../errors.js";
import type { RunEvent } from "../runner/types.js";

/** What a queued run does once its turn comes; it reports progress through onEvent. */
export type RunWork = (onEvent: (e: RunEvent) => void) => Promise<MigrationResultDto>;

/** What a run was asked to do. */
export interface RunSpec {
  readonly environment: string;
  readonly command: MigrateCommandDto;
  readonly target: string;
}

interface RunRecord {
  readonly runId: string;
  readonly spec: RunSpec;
  state: RunDto["state"];
  readonly queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  readonly log: RunLogLineDto[];
  result: MigrationResultDto | null;
  error: ErrorShape | null;
  done: Promise<void>;
}

/** How many ended runs are kept for getRun / listRuns. */
const KEPT_RUNS = 100;

/**
 * Runs migrations one at a time per environment (the database lock would make a second one wait
 * anyway; queueing here keeps the order the person asked for) and turns their progress into events.
 */
export class RunQueue {
  private readonly runs = new Map<string, RunRecord>();
  private readonly tails = new Map<string, Promise<void>>();

  constructor(
    private readonly emit: (e: RunEventDto) => void,
    private readonly describeError: (e: unknown) => ErrorShape = defaultErrorShape,
  ) {}

  /** Queues a run behind the environment's others and returns at once. */
  enqueue(spec: RunSpec, work: RunWork): RunTicketDto {
    const runId = randomUUID();
    const record: RunRecord = {
      runId,
      spec,
      state: "queued",
      queuedAt: now(),
      startedAt: null,
      finishedAt: null,
      log: [],
      result: null,
      error: null,
      done: Promise.resolve(),
    };
    const queuedBehind = [...this.runs.values()].filter((r) => r.spec.environment === spec.environment && (r.state === "queued" || r.state === "running")).length;
    this.runs.set(runId, record);
    this.prune();
    this.event(record, { type: "run-queued", command: spec.command, target: spec.target });
    if (queuedBehind > 0) this.log(record, "info", `waiting for ${queuedBehind} earlier run${queuedBehind === 1 ? "" : "s"} on ${spec.environment}`);
    const previous = this.tails.get(spec.environment) ?? Promise.resolve();
    record.done = previous.then(() => this.execute(record, work));
    this.tails.set(spec.environment, record.done);
    return { runId, environment: spec.environment, queuedBehind };
  }

  /** A run of this session. */
  get(runId: string): RunDto | undefined {
    const r = this.runs.get(runId);
    return r ? snapshot(r) : undefined;
  }

  /** Runs of this session, newest first. */
  list(environment?: string): RunDto[] {
    return [...this.runs.values()]
      .filter((r) => environment === undefined || r.spec.environment === environment)
      .reverse()
      .map(snapshot);
  }

  /** Resolves when the run has ended (for tests and for shutting down). */
  async settled(runId: string): Promise<void> {
    await this.runs.get(runId)?.done;
  }

  /** Resolves when every queued run has ended. */
  async idle(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }

  private async execute(record: RunRecord, work: RunWork): Promise<void> {
    record.state = "running";
    record.startedAt = now();
    const { command, target, environment } = record.spec;
    this.event(record, { type: "run-started", command, target });
    this.log(record, "info", `${command} ${environment} to ${target}`);
    try {
      const result = await work((e) => this.progress(record, e));
      record.result = result;
      record.state = "succeeded";
      record.finishedAt = now();
      this.log(record, "info", `${environment}: ${result.steps.length === 0 ? "nothing to do" : `ran ${result.steps.length} step${result.steps.length === 1 ? "" : "s"}`}; heads: ${result.heads.length ? result.heads.join(", ") : "(base)"}`);
      this.event(record, { type: "run-finished", result });
    } catch (e) {
      const error = this.describeError(e);
      record.error = error;
      record.state = "failed";
      record.finishedAt = now();
      this.log(record, "error", error.message);
      this.event(record, { type: "run-failed", error });
    }
  }

  private progress(record: RunRecord, e: RunEvent): void {
    switch (e.kind) {
      case "lock-wait":
        this.event(record, { type: "lock-wait", holder: e.holder });
        this.log(record, "warn", `waiting for the migration lock${e.holder ? ` held by ${e.holder}` : ""}`);
        return;
      case "plan":
        this.event(record, { type: "plan", total: e.total });
        this.log(record, "info", `${e.total} step${e.total === 1 ? "" : "s"} to run`);
        return;
      case "step-start":
        this.event(record, { type: "step-started", index: e.index, total: e.total, revision: e.revision, direction: e.direction, message: e.message });
        this.log(record, "info", `[${e.index + 1}/${e.total}] ${e.direction === "up" ? "upgrade" : "downgrade"} ${e.revision}  ${e.message}`);
        return;
      case "step-done":
        this.event(record, { type: "step-done", index: e.index, total: e.total, revision: e.revision, direction: e.direction, durationMs: e.durationMs });
        this.log(record, "info", `[${e.index + 1}/${e.total}] done ${e.revision} in ${e.durationMs} ms`);
        return;
      default:
        assertNever(e);
    }
  }

  private log(record: RunRecord, level: RunLogLineDto["level"], line: string): void {
    const entry = { at: now(), level, line };
    record.log.push(entry);
    this.event(record, { type: "log", level, line });
  }

  private event(record: RunRecord, e: DistributiveOmit<RunEventDto, "runId" | "environment" | "at">): void {
    this.emit({ ...e, runId: record.runId, environment: record.spec.environment, at: now() } as RunEventDto);
  }

  private prune(): void {
    const ended = [...this.runs.values()].filter((r) => r.state === "succeeded" || r.state === "failed");
    for (const r of ended.slice(0, Math.max(0, ended.length - KEPT_RUNS))) this.runs.delete(r.runId);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function now(): string {
  return new Date().toISOString();
}

function snapshot(r: RunRecord): RunDto {
  return {
    runId: r.runId,
    environment: r.spec.environment,
    command: r.spec.command,
    target: r.spec.target,
    state: r.state,
    queuedAt: r.queuedAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    log: [...r.log],
    result: r.result,
    error: r.error,
  };
}

