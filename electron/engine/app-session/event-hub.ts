import type { StrataEvent } from "../../../shared/api.js";

/** Fans StrataApi events out to whoever listens (the HTTP host's sockets, the Electron window). */
export class EventHub {
  private readonly listeners = new Set<(e: StrataEvent) => void>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (e: StrataEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends an event to every listener; a listener that throws does not stop the others. */
  emit(event: StrataEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A closed socket or a destroyed window must not break a run.
      }
    }
  }
}
