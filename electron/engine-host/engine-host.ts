// The engine's side of the desktop app (issue 18): the StrataApi service, run in Electron's
// utility process (or, in the tests, a forked Node process). It never imports Electron: main
// holds safeStorage and answers this process's secret requests over the same channel.
import path from "node:path";
import type { ApiCallName } from "../../shared/api-calls.js";
import type { PasswordStorageDto } from "../../shared/api.js";
import { isApiCall } from "../../shared/api.js";
import type { ErrorShape } from "../../shared/errors.js";
import { createDemoProject, defaultDemoDirectory } from "../engine/demo/demo-project.js";
import { StrataError } from "../engine/errors.js";
import { setSqliteNativeBinding } from "../engine/knex-factory.js";
import { dispatch, errorShape } from "../engine/app-session/api-dispatch.js";
import { createAppService } from "../engine/app-session/app-service.js";
import type { AppService } from "../engine/app-session/app-service.js";
import { ProfileStore } from "../engine/app-session/profile-store.js";
import type { SecretCodec } from "../engine/app-session/profile-store.js";
import { createSchemaDiffPort } from "../engine/app-session/schema-diff-port.js";
import type { EngineInit, EngineToMain, MainToEngine, MessagePortLike, SecretOperation } from "./protocol.js";

type Outcome = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: ErrorShape };

/**
 * ProfileStore's codec is synchronous, and safeStorage answers across a process boundary: before
 * each call the host has main encrypt the secrets the request brings and decrypt the saved ones it
 * has not seen, so the codec only looks answers up. Plain passwords stay in this process's memory,
 * as they must to connect; they are never sent to the renderer.
 */
export class SecretBroker {
  private readonly encrypted = new Map<string, Outcome>();
  private readonly decrypted = new Map<string, Outcome>();
  /** Decryptions that failed for the call under way. */
  private readonly failed = new Map<string, Outcome>();

  constructor(
    private readonly storage: PasswordStorageDto,
    private readonly ask: (op: SecretOperation, text: string) => Promise<Outcome>,
  ) {}

  /** The codec ProfileStore uses. */
  readonly codec: SecretCodec = {
    storage: () => this.storage,
    encrypt: (plain) => this.answer(this.encrypted.get(plain)),
    decrypt: (stored) => this.answer(this.decrypted.get(stored) ?? this.failed.get(stored)),
  };

  /**
   * Fetches from main what the call may need: the request's new secrets encrypted, every saved one
   * decrypted. Returns the function that forgets the new ones once the call is answered (keeping
   * them would hold every password typed in this session).
   */
  async prepare(call: ApiCallName, payload: unknown, store: ProfileStore): Promise<() => void> {
    const fresh: string[] = [];
    if (this.storage.available && call === "saveProfile" && typeof payload === "object" && payload !== null) {
      const p = payload as { password?: unknown; sshPassphrase?: unknown };
      for (const plain of [p.password, p.sshPassphrase]) if (typeof plain === "string" && plain !== "") fresh.push(plain);
    }
    const saved = store.storedSecrets().filter((stored) => !this.decrypted.has(stored));
    const [encrypted, decrypted] = await Promise.all([Promise.all(fresh.map((t) => this.ask("encrypt", t))), Promise.all(saved.map((t) => this.ask("decrypt", t)))]);
    fresh.forEach((t, i) => this.encrypted.set(t, encrypted[i]!));
    // A failed decryption is kept for this call only and asked again next time: the keyring may be unlocked by then.
    const failed = new Map<string, Outcome>();
    saved.forEach((t, i) => {
      const o = decrypted[i]!;
      if (o.ok) this.decrypted.set(t, o);
      else failed.set(t, o);
    });
    for (const [t, o] of failed) this.failed.set(t, o);
    return () => {
      for (const t of fresh) this.encrypted.delete(t);
      for (const t of failed.keys()) this.failed.delete(t);
    };
  }

  private answer(outcome: Outcome | undefined): string {
    if (outcome === undefined) throw new StrataError("INTERNAL", "a saved password was needed that the app's main process was not asked to decrypt; try again");
    if (!outcome.ok) throw new StrataError(outcome.error.code, outcome.error.message, outcome.error.details);
    return outcome.value;
  }
}

/** The running host: its service, for tests that look inside. */
export interface EngineHost {
  readonly service: () => AppService | null;
}

/** Serves StrataApi over a port: requests by call name, parsed on arrival; events and secret requests pushed back. */
export function startEngineHost(port: MessagePortLike<MainToEngine, EngineToMain>, onInternal: (call: string, e: unknown) => void = defaultInternal): EngineHost {
  let service: AppService | null = null;
  let store: ProfileStore | null = null;
  let broker: SecretBroker | null = null;
  let starting: Promise<void> | null = null;
  let demoDir = "";
  let nextSecret = 1;
  const secrets = new Map<number, (o: Outcome) => void>();

  const ask = (op: SecretOperation, text: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const id = nextSecret++;
      secrets.set(id, resolve);
      port.post({ kind: "secret-request", id, op, text });
    });

  const start = async (init: EngineInit): Promise<void> => {
    setSqliteNativeBinding(init.sqliteNativeBinding);
    broker = new SecretBroker(init.passwordStorage, ask);
    store = new ProfileStore(path.join(init.userData, "profiles.json"), broker.codec);
    service = createAppService({
      host: "electron",
      projectRoot: init.projectRoot,
      profiles: store,
      recentFile: path.join(init.userData, "recent-projects.json"),
      schemaDiff: createSchemaDiffPort(),
    });
    service.events.subscribe((event) => port.post({ kind: "event", event }));
    demoDir = defaultDemoDirectory({ ...process.env, STRATA_DATA_DIR: process.env.STRATA_DATA_DIR ?? init.userData });
    if (init.demo) {
      const made = await createDemoProject(demoDir);
      await service.handlers.openProject({ root: made.root }, undefined);
    } else if (init.projectRoot === null && init.openRecent) {
      const [last] = (await service.handlers.recentProjects({}, undefined)).projects;
      // A recent project that is gone or broken leaves the app on its start screen; the next call says why.
      if (last) await service.handlers.openProject({ root: last.root }, undefined).catch(() => undefined);
    }
    void service.warmUp();
    port.post({ kind: "ready" });
  };

  const answer = async (id: number, call: string, payload: unknown): Promise<void> => {
    if (!isApiCall(call)) {
      port.post({ kind: "response", id, envelope: { ok: false, error: { code: "NOT_FOUND", message: `${call} is not a Strata call; the app and its engine are of different versions` } } });
      return;
    }
    if (starting) await starting;
    if (!service || !store || !broker) {
      port.post({ kind: "response", id, envelope: { ok: false, error: { code: "INTERNAL", message: `${call} came before the engine was started; restart Strata` } } });
      return;
    }
    let release = (): void => undefined;
    try {
      release = await broker.prepare(call, payload, store);
    } catch {
      // An unreadable profiles.json: the call reads it again and says what is wrong with it.
    }
    try {
      port.post({ kind: "response", id, envelope: await dispatch(service.handlers, call, payload, undefined, onInternal) });
    } finally {
      release();
    }
  };

  const openDemo = async (id: number): Promise<void> => {
    if (starting) await starting;
    if (!service) {
      port.post({ kind: "response", id, envelope: { ok: false, error: { code: "INTERNAL", message: "the demo was asked for before the engine was started; restart Strata" } } });
      return;
    }
    let root: string;
    try {
      root = (await createDemoProject(demoDir)).root;
    } catch (e) {
      port.post({ kind: "response", id, envelope: { ok: false, error: errorShape(e) } });
      return;
    }
    port.post({ kind: "response", id, envelope: await dispatch(service.handlers, "openProject", { root }, undefined, onInternal) });
  };

  port.onMessage((message) => {
    switch (message.kind) {
      case "init":
        starting = start(message.init).catch((e: unknown) => onInternal("init", e));
        break;
      case "request":
        void answer(message.id, message.call, message.payload);
        break;
      case "open-demo":
        void openDemo(message.id);
        break;
      case "secret-reply": {
        const resolve = secrets.get(message.id);
        secrets.delete(message.id);
        resolve?.(message.ok ? { ok: true, value: message.value } : { ok: false, error: message.error });
        break;
      }
      default:
        onInternal("message", new Error(`unknown message ${JSON.stringify(message)}`));
    }
  });
  return { service: () => service };
}

function defaultInternal(call: string, e: unknown): void {
  console.error(`strata: internal error in ${call}:`, e);
}
