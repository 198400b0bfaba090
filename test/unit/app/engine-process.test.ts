// Main's side of the engine process (issue 18) with in-memory children: what it sends, how it
// answers the engine's secret requests, and when it stops restarting a process that keeps dying.
import { describe, expect, it } from "vitest";
import type { StrataEvent } from "../../../shared/api.js";
import { StrataError } from "../../../electron/engine/errors.js";
import type { SecretCodec } from "../../../electron/engine/app-session/profile-store.js";
import type { EngineToMain, MainToEngine } from "../../../electron/engine-host/protocol.js";
import { EngineProcess } from "../../../electron/main/engine-process.js";
import type { EngineChild } from "../../../electron/main/engine-process.js";

interface FakeChild extends EngineChild {
  readonly sent: MainToEngine[];
  reply(m: EngineToMain): void;
  die(code: number | null): void;
}

function fakeChild(): FakeChild {
  const sent: MainToEngine[] = [];
  let onMessage: (m: EngineToMain) => void = () => undefined;
  let onExit: (code: number | null) => void = () => undefined;
  return {
    sent,
    post: (m) => void sent.push(m),
    onMessage: (l) => (onMessage = l),
    onExit: (l) => (onExit = l),
    kill: () => onExit(null),
    reply: (m) => onMessage(m),
    die: (code) => onExit(code),
  };
}

const codec: SecretCodec = {
  storage: () => ({ available: true, backend: "test", reason: null }),
  encrypt: (plain) => `sealed(${plain})`,
  decrypt: () => {
    throw new StrataError("PASSWORD_STORAGE_UNAVAILABLE", "a saved password cannot be decrypted on this machine or account; edit the profile and type it again");
  },
};

function engineWith(children: FakeChild[], events: StrataEvent[] = []): EngineProcess {
  return new EngineProcess({
    spawn: () => {
      const c = fakeChild();
      children.push(c);
      return c;
    },
    codec,
    init: { projectRoot: null, userData: "/tmp/strata-user", demo: true, openRecent: true, sqliteNativeBinding: "/x/better_sqlite3.node" },
    onEvent: (e) => void events.push(e),
    maxRestarts: 2,
  });
}

describe("main's engine process", () => {
  it("starts the process with main's password storage and the binding, then sends calls by name with their payload", async () => {
    const children: FakeChild[] = [];
    const engine = engineWith(children);
    engine.start();
    const [child] = children;
    expect(child!.sent[0]).toEqual({
      kind: "init",
      init: { projectRoot: null, userData: "/tmp/strata-user", demo: true, openRecent: true, sqliteNativeBinding: "/x/better_sqlite3.node", passwordStorage: { available: true, backend: "test", reason: null } },
    });
    const answer = engine.call("planMigration", { environment: "dev", command: "upgrade", target: "heads" });
    expect(child!.sent[1]).toEqual({ kind: "request", id: 1, call: "planMigration", payload: { environment: "dev", command: "upgrade", target: "heads" } });
    child!.reply({ kind: "response", id: 1, envelope: { ok: false, error: { code: "TARGET_UNKNOWN", message: "no revision heads2" } } });
    await expect(answer).resolves.toEqual({ ok: false, error: { code: "TARGET_UNKNOWN", message: "no revision heads2" } });
  });

  it("answers the engine's secret requests with its codec, a refusal as {code, message}", () => {
    const children: FakeChild[] = [];
    engineWith(children).start();
    const child = children[0]!;
    child.reply({ kind: "secret-request", id: 7, op: "encrypt", text: "pw" });
    child.reply({ kind: "secret-request", id: 8, op: "decrypt", text: "c2VhbGVk" });
    expect(child.sent.slice(1)).toEqual([
      { kind: "secret-reply", id: 7, ok: true, value: "sealed(pw)" },
      { kind: "secret-reply", id: 8, ok: false, error: { code: "PASSWORD_STORAGE_UNAVAILABLE", message: "a saved password cannot be decrypted on this machine or account; edit the profile and type it again", details: {} } },
    ]);
  });

  it("restarts on the project that was open, not the demo, and gives up after repeated crashes", async () => {
    const children: FakeChild[] = [];
    const events: StrataEvent[] = [];
    const engine = engineWith(children, events);
    engine.start();
    children[0]!.reply({ kind: "event", event: { type: "project-changed", root: "/projects/shop", reason: "opened", at: "t" } });
    children[0]!.die(1);
    expect(children).toHaveLength(2);
    expect(children[1]!.sent[0]).toMatchObject({ kind: "init", init: { projectRoot: "/projects/shop", demo: false, openRecent: false } });
    expect(events.at(-1)).toMatchObject({ type: "engine-restarted", restarted: true, message: expect.stringMatching(/^Strata's engine process exited with code 1 and was restarted/) });
    const pending = engine.call("projectSummary", {});
    children[1]!.die(134);
    await expect(pending).resolves.toEqual({ ok: false, error: { code: "INTERNAL", message: "projectSummary: the engine process exited with code 134 during this request; it was restarted: try again", details: { exitCode: 134 } } });
    children[2]!.die(134);
    expect(children).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: "engine-restarted", restarted: false, message: "the engine process exited with code 134 3 times in a row and was not restarted; restart Strata" });
    await expect(engine.call("projectSummary", {})).resolves.toMatchObject({ ok: false, error: { code: "INTERNAL", message: expect.stringMatching(/restart Strata$/) } });
  });

  it("does not restart a process it stopped itself", () => {
    const children: FakeChild[] = [];
    const events: StrataEvent[] = [];
    const engine = engineWith(children, events);
    engine.start();
    engine.stop();
    expect(children).toHaveLength(1);
    expect(events).toEqual([]);
  });
});
