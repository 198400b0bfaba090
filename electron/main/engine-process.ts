// Main's side of the engine's utility process (issue 18): one per window. Calls travel by name
// with their payload (the engine parses them with shared/api.ts's schemas); events come back and
// go to the window; the engine's secret requests are answered with main's safeStorage codec. A
// process that dies is reported to the window and started again.
import type { ApiCallName, ApiEnvelope } from "../../shared/api-calls.js";
import type { ApiCall, ApiRequest, ApiResponses, StrataEvent } from "../../shared/api.js";
import type { ErrorShape } from "../../shared/errors.js";
import { asErrorShape } from "../../shared/api-errors.js";
import type { SecretCodec } from "../engine/app-session/profile-store.js";
import type { EngineInit, EngineToMain, MainToEngine } from "../engine-host/protocol.js";

/** A started engine process, whichever way it was started (Electron's utilityProcess, or child_process.fork in tests). */
export interface EngineChild {
  post(message: MainToEngine): void;
  onMessage(listener: (message: EngineToMain) => void): void;
  /** Called once when the process has gone, with its exit code (null when a signal ended it). */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** What an EngineProcess needs. */
export interface EngineProcessOptions {
  readonly spawn: () => EngineChild;
  readonly codec: SecretCodec;
  /** What the process is started with; projectRoot is replaced by the project open when it died. */
  readonly init: Omit<EngineInit, "passwordStorage">;
  readonly onEvent: (event: StrataEvent) => void;
  /** More crashes than this within restartWindowMs and it is not started again (a crash at start would loop). */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
}

interface Pending {
  readonly call: ApiCallName;
  readonly resolve: (e: ApiEnvelope<unknown>) => void;
}

/** The engine's utility process, seen from main. */
export class EngineProcess {
  private child: EngineChild | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private projectRoot: string | null;
  private crashes: number[] = [];
  private stopped = false;
  private gaveUp: ErrorShape | null = null;

  constructor(private readonly options: EngineProcessOptions) {
    this.projectRoot = options.init.projectRoot;
  }

  /** Starts the process (again); a call made before it is ready waits in the channel. */
  start(first = true): void {
    const child = this.options.spawn();
    this.child = child;
    child.onMessage((m) => this.receive(child, m));
    child.onExit((code) => this.exited(child, code));
    child.post({ kind: "init", init: {
        ...this.options.init,
        projectRoot: this.projectRoot,
        // A restart reopens the project that was open, not the demo or the last recent one.
        demo: first && this.options.init.demo,
        openRecent: first && this.options.init.openRecent,
        passwordStorage: this.options.codec.storage() } });
  }

  /** Makes the demo project afresh and opens it (in the engine process: it runs SQLite migrations). */
  openDemo(): Promise<ApiEnvelope<unknown>> {
    return this.send("openProject", (id) => ({ kind: "open-demo", id }));
  }

  /** A call main itself makes (the menu's), typed by the contract; the engine checks it like any other. */
  request<K extends ApiCall>(call: K, req: ApiRequest<K>): Promise<ApiEnvelope<ApiResponses[K]>> {
    return this.call(call, req) as Promise<ApiEnvelope<ApiResponses[K]>>;
  }

  /** Sends a call; resolves to its envelope, also when the process dies (then with an INTERNAL error). */
  call(call: ApiCallName, payload: unknown): Promise<ApiEnvelope<unknown>> {
    return this.send(call, (id) => ({ kind: "request", id, call, payload }));
  }

  private send(call: ApiCallName, message: (id: number) => MainToEngine): Promise<ApiEnvelope<unknown>> {
    if (this.gaveUp) return Promise.resolve({ ok: false, error: this.gaveUp });
    const child = this.child;
    if (!child) return Promise.resolve({ ok: false, error: { code: "INTERNAL", message: `${call}: the engine process is not running; restart Strata` } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { call, resolve });
      child.post(message(id));
    });
  }

  /** Ends the process for good (the window closed). */
  stop(): void {
    this.stopped = true;
    this.child?.kill();
    this.child = null;
  }

  private receive(child: EngineChild, m: EngineToMain): void {
    if (child !== this.child) return;
    switch (m.kind) {
      case "ready":
        break;
      case "response": {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.envelope);
        break;
      }
      case "event":
        if (m.event.type === "project-changed" && m.event.reason === "opened") this.projectRoot = m.event.root;
        this.options.onEvent(m.event);
        break;
      case "secret-request": {
        try {
          const value = m.op === "encrypt" ? this.options.codec.encrypt(m.text) : this.options.codec.decrypt(m.text);
          child.post({ kind: "secret-reply", id: m.id, ok: true, value });
        } catch (e) {
          child.post({ kind: "secret-reply", id: m.id, ok: false, error: asErrorShape(e) });
        }
        break;
      }
      default:
        break;
    }
  }

  private exited(child: EngineChild, code: number | null): void {
    if (child !== this.child) return;
    this.child = null;
    if (this.stopped) return;
    const now = Date.now();
    const windowMs = this.options.restartWindowMs ?? 60_000;
    this.crashes = [...this.crashes.filter((t) => now - t < windowMs), now];
    const how = code === null ? "was killed" : `exited with code ${code}`;
    const restart = this.crashes.length <= (this.options.maxRestarts ?? 3);
    const error: ErrorShape = restart
      ? { code: "INTERNAL", message: `the engine process ${how} during this request; it was restarted: try again`, details: { exitCode: code } }
      : { code: "INTERNAL", message: `the engine process ${how} ${this.crashes.length} times in a row and was not restarted; restart Strata`, details: { exitCode: code } };
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.resolve({ ok: false, error: { ...error, message: `${p.call}: ${error.message}` } });
    }
    this.options.onEvent({ type: "engine-restarted", restarted: restart, message: restart ? `Strata's engine process ${how} and was restarted; a run that was under way may have stopped: check the environment's state` : error.message, at: new Date(now).toISOString() });
    if (restart) this.start(false);
    else this.gaveUp = error;
  }
}
