/**
 * The fuzz runner: spreads inputs over worker threads, watches each parser call with a
 * watchdog (a call that gives no result within the hang limit: the worker is ended, the input
 * is retried alone in a fresh worker and, when it hangs again, counted as a hang), and tallies
 * outcomes and memory.
 *
 * @module
 */
import type { FromWorker, Job, ToWorker } from "./outcome.ts";

/** Runner settings. */
export interface FuzzOptions {
  /** Campaign seed. */
  readonly seed: number;
  /** Inputs per target, by name. */
  readonly inputs: Readonly<Record<string, number>>;
  /** Worker threads (default 2). */
  readonly workers?: number;
  /** A call taking longer than this is a hang, ms (default 2000; seed loading not counted). */
  readonly hangMs?: number;
  /** Inputs per job (default 200). */
  readonly jobSize?: number;
  /** Module exporting `fuzzTargets(tmpDir)` (tests point it at fixtures). */
  readonly targetsModule?: URL;
  /** Called now and then with the inputs done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One untyped exception site. */
export interface UntypedSite {
  readonly signature: string;
  count: number;
  /** First input index that hit it, and its message. */
  readonly firstIndex: number;
  readonly message: string;
}

/** Tallies for one target. */
export interface TargetStats {
  inputs: number;
  ok: number;
  typed: number;
  untyped: number;
  hangs: number;
  /** Inputs that exceeded the hang limit once but finished when retried alone. */
  slow: number;
  /** Typed error codes seen, with counts. */
  readonly codes: Record<string, number>;
  readonly untypedSites: UntypedSite[];
  /** Indices of inputs that hung. */
  readonly hangIndices: number[];
  /** Slowest call, ms. */
  maxMs: number;
  /** Largest worker heap seen after a call of this target, bytes. */
  peakHeapBytes: number;
}

/** The campaign result. */
export interface FuzzReport {
  readonly seed: number;
  readonly hangMs: number;
  readonly targets: Record<string, TargetStats>;
  /** Peak resident set size of the whole process, bytes. */
  peakRssBytes: number;
  /** Wall time, ms. */
  wallMs: number;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  next: number;
  /** The job is a lone retry of a suspected hang. */
  retry: boolean;
  /** A parser call is running (its start was reported, its result not yet). */
  started: boolean;
  last: number;
}

function emptyStats(): TargetStats {
  return {
    inputs: 0,
    ok: 0,
    typed: 0,
    untyped: 0,
    hangs: 0,
    slow: 0,
    codes: {},
    untypedSites: [],
    hangIndices: [],
    maxMs: 0,
    peakHeapBytes: 0,
  };
}

/** Runs the campaign and resolves with its report. */
export function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const hangMs = options.hangMs ?? 2000;
  const jobSize = options.jobSize ?? 200;
  const url = new URL("./worker.ts", import.meta.url);
  const targetsModule = (options.targetsModule ?? new URL("./targets.ts", import.meta.url)).href;
  const report: FuzzReport = {
    seed: options.seed,
    hangMs,
    targets: {},
    peakRssBytes: 0,
    wallMs: 0,
  };
  const queue: Job[] = [];
  let total = 0;
  for (const [target, n] of Object.entries(options.inputs)) {
    report.targets[target] = emptyStats();
    total += n;
    for (let from = 0; from < n; from += jobSize) {
      queue.push({ target, seed: options.seed, from, to: Math.min(n, from + jobSize) });
    }
  }
  const tmpDirs: string[] = [];
  const started = performance.now();
  let done = 0;

  return new Promise((resolve, reject) => {
    const slots: Slot[] = [];
    const finish = () => {
      clearInterval(watch);
      for (const s of slots) s.worker.terminate();
      for (const d of tmpDirs) Deno.removeSync(d, { recursive: true });
      report.wallMs = performance.now() - started;
      sample();
      resolve(report);
    };
    const sample = () => {
      report.peakRssBytes = Math.max(report.peakRssBytes, Deno.memoryUsage().rss);
    };
    const dispatch = (slot: Slot) => {
      const job = queue.shift();
      slot.retry = false;
      slot.job = job;
      if (!job) {
        if (slots.every((s) => !s.job)) finish();
        return;
      }
      slot.next = job.from;
      slot.last = performance.now();
      slot.worker.postMessage({ type: "job", job } satisfies ToWorker);
    };
    const spawn = (slot?: Slot, retryJob?: Job): Slot => {
      const tmpDir = Deno.makeTempDirSync({ prefix: "deltaflash-fuzz-" });
      tmpDirs.push(tmpDir);
      const worker = new Worker(url, { type: "module" });
      const s: Slot = slot ??
        { worker, ready: false, next: 0, retry: false, started: false, last: 0 };
      s.worker = worker;
      s.ready = false;
      s.started = false;
      s.job = retryJob;
      worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(s, e.data, retryJob);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`fuzz worker failed: ${e.message}`));
      };
      worker.postMessage({ type: "init", tmpDir, targetsModule } satisfies ToWorker);
      return s;
    };
    const onMessage = (slot: Slot, m: FromWorker, retryJob?: Job) => {
      if (m.type === "ready") {
        slot.ready = true;
        if (retryJob) {
          slot.job = retryJob;
          slot.retry = true;
          slot.next = retryJob.from;
          slot.last = performance.now();
          slot.worker.postMessage({ type: "job", job: retryJob } satisfies ToWorker);
        } else dispatch(slot);
        return;
      }
      if (m.type === "start") {
        slot.last = performance.now();
        slot.next = m.index;
        slot.started = true;
        return;
      }
      if (m.type === "done") {
        slot.retry = false;
        dispatch(slot);
        return;
      }
      slot.last = performance.now();
      slot.next = m.index + 1;
      slot.started = false;
      const t = report.targets[m.target];
      t.inputs++;
      done++;
      if (slot.retry) t.slow++;
      t.maxMs = Math.max(t.maxMs, m.ms);
      t.peakHeapBytes = Math.max(t.peakHeapBytes, m.heapBytes);
      const o = m.outcome;
      if (o.kind === "ok") t.ok++;
      else if (o.kind === "typed") {
        t.typed++;
        t.codes[o.code] = (t.codes[o.code] ?? 0) + 1;
      } else {
        t.untyped++;
        const site = t.untypedSites.find((s) => s.signature === o.signature);
        if (site) site.count++;
        else {
          t.untypedSites.push({
            signature: o.signature,
            count: 1,
            firstIndex: m.index,
            message: o.message,
          });
        }
      }
      if (done % 500 === 0) options.onProgress?.(done, total);
    };
    const watch = setInterval(() => {
      sample();
      const now = performance.now();
      for (const slot of slots) {
        const job = slot.job;
        if (!slot.ready || !job || !slot.started || now - slot.last <= hangMs) continue;
        slot.worker.terminate();
        const index = slot.next;
        const t = report.targets[job.target];
        if (slot.retry) {
          // Hung twice, alone in a fresh worker: a hang.
          t.inputs++;
          t.hangs++;
          t.hangIndices.push(index);
          done++;
          spawn(slot);
        } else {
          if (index + 1 < job.to) queue.unshift({ ...job, from: index + 1 });
          spawn(slot, { ...job, from: index, to: index + 1 });
        }
      }
    }, Math.min(100, hangMs / 4));
    for (let i = 0; i < Math.max(1, options.workers ?? 2); i++) slots.push(spawn());
  });
}
