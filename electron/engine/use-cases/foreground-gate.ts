/**
 * Calls a person waits for, counted, so background work (drift's scratch builds) steps aside for
 * them: `strata serve` answers on one event loop, and a 2,000-step plan asked for while five
 * drift checks ran took 16 s instead of 0.8 s with the builds only yielding between revisions
 * (issue 19 point 7, bench/ui.ts at 5,000 revisions). One per process, as the event loop is.
 */
export class ForegroundGate {
  private running = 0;
  private waiters: (() => void)[] = [];
  /** When a page last did something: a foreground call began or ended, or noteActivity (at first, when the gate was made: the process's start). */
  private lastActive = performance.now();

  /** Runs fn as foreground work: background turns wait until no such call is in flight. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    this.lastActive = performance.now();
    try {
      return await fn();
    } finally {
      this.lastActive = performance.now();
      if (--this.running === 0) {
        const ready = this.waiters;
        this.waiters = [];
        for (const w of ready) w();
      }
    }
  }

  /**
   * A page's request that is not foreground work (a static file, environmentStatus, which waits on
   * drift's builds): it says a person is at the page, so idle work waits (quietFor, idleTurn).
   */
  noteActivity(): void {
    this.lastActive = performance.now();
  }

  /**
   * Resolves once no foreground call has been in flight, and no page activity seen, for `ms`:
   * background work that should not run while a page loads and draws its first screen.
   */
  async quietFor(ms: number): Promise<void> {
    for (;;) {
      while (this.running > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
      const left = this.lastActive + ms - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => setTimeout(resolve, left));
    }
  }

  /** A background turn: gives the event loop back, then waits while foreground work is in flight (never call it from foreground work). */
  async turn(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.running > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * A turn of work nobody asked for (the warm-up of revision files): gives the event loop back, then
   * waits until the page has been quiet for `ms`. Unlike `turn`, it also waits between calls: a page
   * loading or reloading sends one every few hundred ms, and its renderer needs the machine's other core
   * (issue 19 point 7: at 10,000 revisions a warm-up running beside a cold page load held the page's
   * main thread off the CPU for two thirds of the time to its first graph).
   */
  async idleTurn(ms: number): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.quietFor(ms);
  }
}

/** The process's gate. */
export const foreground = new ForegroundGate();
