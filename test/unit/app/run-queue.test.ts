import { describe, expect, it } from "vitest";
import type { RunEventDto } from "../../../shared/api.js";
import { StrataError } from "../../../electron/engine/errors.js";
import { RunQueue } from "../../../electron/engine/app-session/run-queue.js";

const result = (environment: string) => ({ environment, steps: [{ revision: "a1", direction: "up" as const, durationMs: 1 }], heads: ["a1"] });

describe("the run queue", () => {
  it("runs one environment's runs one after another, in the order asked, and others alongside", async () => {
    const events: RunEventDto[] = [];
    const q = new RunQueue((e) => events.push(e));
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = q.enqueue({ environment: "dev", command: "upgrade", target: "heads" }, async () => {
      order.push("dev-1 start");
      await new Promise<void>((r) => (releaseFirst = r));
      order.push("dev-1 end");
      return result("dev");
    });
    const second = q.enqueue({ environment: "dev", command: "downgrade", target: "base" }, async () => {
      order.push("dev-2");
      return result("dev");
    });
    const other = q.enqueue({ environment: "prod", command: "upgrade", target: "heads" }, async () => {
      order.push("prod");
      return result("prod");
    });
    expect(second.queuedBehind).toBe(1);
    await q.settled(other.runId);
    expect(order).toEqual(["dev-1 start", "prod"]);
    expect(q.get(second.runId)?.state).toBe("queued");
    releaseFirst();
    await q.idle();
    expect(order).toEqual(["dev-1 start", "prod", "dev-1 end", "dev-2"]);
    expect(q.get(first.runId)).toMatchObject({ state: "succeeded", result: { heads: ["a1"] } });
    expect(q.list("dev").map((r) => r.runId)).toEqual([second.runId, first.runId]);
  });

  it("turns runner progress into events carrying the runId, and a failure into run-failed with the error's shape", async () => {
    const events: RunEventDto[] = [];
    const q = new RunQueue((e) => events.push(e));
    const t = q.enqueue({ environment: "dev", command: "upgrade", target: "heads" }, async (onEvent) => {
      onEvent({ kind: "plan", total: 1 });
      onEvent({ kind: "step-start", index: 0, total: 1, revision: "a1", direction: "up", message: "create customers" });
      throw new StrataError("REVISION_FAILED", "revision a1 failed: table customers exists", { revision: "a1" });
    });
    await q.settled(t.runId);
    expect(events.every((e) => e.runId === t.runId && e.environment === "dev")).toBe(true);
    expect(events.filter((e) => e.type !== "log").map((e) => e.type)).toEqual(["run-queued", "run-started", "plan", "step-started", "run-failed"]);
    const failed = events.find((e) => e.type === "run-failed");
    expect(failed).toMatchObject({ error: { code: "REVISION_FAILED", message: "revision a1 failed: table customers exists" } });
    const run = q.get(t.runId)!;
    expect(run.state).toBe("failed");
    expect(run.log.at(-1)).toMatchObject({ level: "error", line: "revision a1 failed: table customers exists" });
  });
});
