// The utility process's entry (dist/electron/engine-host.cjs). Under Electron the channel is
// process.parentPort; under plain Node (the tests fork it) it is the IPC channel of
// child_process.fork. Both carry the same messages (protocol.ts).
import { startEngineHost } from "./engine-host.js";
import type { EngineToMain, MainToEngine, MessagePortLike } from "./protocol.js";

/** Electron's parentPort, narrowed to what the host uses (typed here: this file never imports Electron). */
interface ParentPort {
  postMessage(message: unknown): void;
  on(event: "message", listener: (e: { data: unknown }) => void): void;
}

function channel(): MessagePortLike<MainToEngine, EngineToMain> {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return { post: (m) => parentPort.postMessage(m), onMessage: (l) => parentPort.on("message", (e) => l(e.data as MainToEngine)) };
  }
  if (typeof process.send === "function") {
    return { post: (m) => void process.send!(m), onMessage: (l) => process.on("message", (m) => l(m as MainToEngine)) };
  }
  throw new Error("the engine host needs a parent: Electron's utilityProcess or child_process.fork");
}

startEngineHost(channel());
// Forked under Node, the IPC channel keeps the process alive; when the parent goes, so does this process.
process.on("disconnect", () => process.exit(0));
