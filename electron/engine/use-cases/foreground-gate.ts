/**
 * Calls a person waits for, counted, so background work (drift's scratch builds) steps aside for
 * them: `strata serve` answers on one event loop, and a 2,000-step plan asked for while five
 * drift checks ran took 16 s instead of 0.8 s with the builds only yielding between revisions
 * (issue 19 point 7, bench/ui.ts at 5,000 revisions). One per process, as the event loop is.
 */
export class ForegroundGate {
  private running = 0;
  private waiters: (() => void)[] = [];
  /** When the last foreground call ended (at first, when the gate was made: the process's start). */
  private lastEnded = performance.now();

  /** Runs fn as foreground work: background turns wait until no such call is in flight. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    try {
      return await fn();
    } finally {
      this.lastEnded = performance.now();
      if (--this.running === 0) {
        const ready = this.waiters;
        this.waiters = [];
        for (const w of ready) w();
      }
    }
  }

  /**
   * Resolves once no foreground call has been in flight for `ms`: background work that should not
   * start while a page's first calls are answered and its first screen drawn.
   */
  async quietFor(ms: number): Promise<void> {
    for (;;) {
      while (this.running > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
      const left = this.lastEnded + ms - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => setTimeout(resolve, left));
    }
  }

  /** A background turn: gives the event loop back, then waits while foreground work is in flight (never call it from foreground work). */
  async turn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.running > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

/** The process's gate. */
export const foreground = new ForegroundGate();
