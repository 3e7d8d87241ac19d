// A cap on requests in flight, shared by every stream of a run. Waiting for a slot can be cancelled.

import { abortError } from "./abort.ts";

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`The concurrency cap must be a whole number of at least 1, not ${capacity}.`);
    }
  }

  /** Requests holding a slot now. */
  get inFlight(): number {
    return this.active;
  }

  /** Takes a free slot at once if there is one (no await on the common path). */
  tryAcquire(): boolean {
    if (this.active < this.capacity && this.waiting.length === 0) {
      this.active++;
      return true;
    }
    return false;
  }

  /** Takes a slot, waiting for one if all are taken; rejects with an AbortError if `signal` aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw abortError(signal);
    if (this.tryAcquire()) return;
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal));
      };
      this.waiting.push(grant);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Gives a slot back; the longest waiter gets it. */
  release(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // the slot passes on: `active` stays the same
    else this.active--;
  }
}
