/**
 * Clocks. A simulated link and device advance a virtual clock, so a modelled flash of a
 * megabyte at 115200 baud finishes in milliseconds of real time and reports modelled seconds.
 *
 * @module
 */
import { setImmediate } from "node:timers";

/** Time source for a run. Times are in milliseconds. */
export interface Clock {
  /** True when time is modelled rather than real. */
  readonly virtual: boolean;
  /** Current time in ms. */
  now(): number;
  /** Resolves after `ms` (real or modelled). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * A deadline (response timeout): like `sleep`, but a virtual clock lets it pass only when
   * nothing else is scheduled first and no real work (e.g. a simulator awaiting zlib) has
   * scheduled anything during a short real grace. Optional; callers fall back to `sleep`.
   */
  timeout?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time. */
export class RealClock implements Clock {
  readonly virtual = false;
  now(): number {
    return performance.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
  timeout(ms: number, signal?: AbortSignal): Promise<void> {
    return this.sleep(ms, signal);
  }
}

/**
 * Wall-clock time for simulated devices run in real time (`--realtime`): a simulator models a
 * link and a device with many short sleeps, and a timer fires a little late every time; here
 * each sleep is shortened by what the ones before it overshot, so the lateness does not add up
 * and the run takes the time the models say.
 */
export class PacedClock extends RealClock {
  #late = 0;

  /** Sleeps `ms`, less what earlier sleeps overshot. */
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const start = performance.now();
    const take = Math.min(this.#late, Math.max(0, ms));
    this.#late -= take;
    // The debt covers this sleep: a turn of the event loop instead of a timer (nested timers
    // are clamped to 4 ms).
    if (ms - take <= 0) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise((resolve) => setImmediate(resolve));
    }
    return super.sleep(ms - take, signal).then(() => {
      // Carried forward only up to a bound, so one stall does not turn into a burst.
      this.#late = Math.min(100, this.#late + Math.max(0, performance.now() - start - (ms - take)));
    });
  }
}

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  /** A deadline: fires only after a real grace with no new sleepers. */
  weak?: boolean;
  /** Value of the sleeper counter when its grace began. */
  graceSeq?: number;
}

/** Real milliseconds a virtual deadline waits for real work to schedule modelled time. */
const DEADLINE_GRACE_MS = 50;

/**
 * Discrete-event virtual time. Sleepers wake in time order; time jumps to the next sleeper
 * once every runnable task has yielded (the pump runs as a macrotask, after microtasks drain).
 * Concurrent sleepers overlap, so pipelined requests are modelled correctly.
 */
export class VirtualClock implements Clock {
  readonly virtual = true;
  #now = 0;
  #seq = 0;
  #timers: Timer[] = [];
  #pumping = false;
  #grace: ReturnType<typeof setTimeout> | undefined;

  now(): number {
    return this.#now;
  }

  /** Moves time forward without waiting (for costs with no concurrency to model). */
  advance(ms: number): void {
    if (ms > 0) this.#now += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.#sleep(ms, signal, false);
  }

  timeout(ms: number, signal?: AbortSignal): Promise<void> {
    return this.#sleep(ms, signal, true);
  }

  #sleep(ms: number, signal: AbortSignal | undefined, weak: boolean): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        weak,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      // A cancelled sleeper (e.g. a timeout that lost its race) must not move time later.
      const onAbort = () => {
        const i = this.#timers.indexOf(timer);
        if (i >= 0) this.#timers.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.push(timer);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#grace !== undefined) {
      // Something new was scheduled during a deadline's grace: re-check right away.
      clearTimeout(this.#grace);
      this.#grace = undefined;
      this.#pumping = false;
    }
    if (this.#pumping) return;
    this.#pumping = true;
    // setImmediate, not setTimeout: nested zero timeouts are clamped to 4 ms.
    setImmediate(() => this.#pump());
  }

  #pump(): void {
    this.#pumping = false;
    if (this.#timers.length === 0) return;
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const first = this.#timers[0];
    if (first.weak && first.graceSeq !== this.#seq) {
      // Real work may still schedule modelled time before this deadline: wait, then re-check.
      first.graceSeq = this.#seq;
      this.#pumping = true;
      this.#grace = setTimeout(() => {
        this.#grace = undefined;
        this.#pump();
      }, DEADLINE_GRACE_MS);
      return;
    }
    const t = this.#timers.shift()!;
    if (t.at > this.#now) this.#now = t.at;
    t.resolve();
    if (this.#timers.length) this.#schedule();
  }
}
