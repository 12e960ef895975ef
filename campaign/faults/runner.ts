/**
 * The fault campaign runner: for each family and fault kind, `n` seeded trials; tallies
 * how the faulted run ended and whether the rerun repaired the device.
 *
 * @module
 */
import { Rng } from "../rng.ts";
import type { FaultFamily } from "./family.ts";
import { runTrial, type TrialResult } from "./trial.ts";

/** Tallies of one fault kind. */
export interface FaultStats {
  /** Trials in which the fault fired. */
  trials: number;
  /** Fault points that fell after the end of the run (not trials). */
  missed: number;
  /** The faulted run exited 0 with the right flash (retries absorbed the fault). */
  held: number;
  /** The faulted run failed with a typed error (message + hint). */
  clearError: number;
  /** The faulted run failed with an untyped exception. */
  untyped: number;
  /** The faulted run exited 0 but the flash differs from the image. */
  silentlyWrong: number;
  /** The faulted run never settled. */
  stuck: number;
  /** The rerun exited 0 with the right flash. */
  repaired: number;
  /** Typed error codes of the faulted runs. */
  readonly codes: Record<string, number>;
  /** Trials that went wrong (for replay with `--trial`). */
  readonly findings: { trial: number; first: string; detail?: string; rerun?: string }[];
}

/** Campaign result: family → fault → stats. */
export interface FaultReport {
  readonly seed: number;
  readonly families: Record<string, Record<string, FaultStats>>;
  wallMs: number;
}

/** Settings. */
export interface FaultOptions {
  readonly seed: number;
  /** Trials per fault kind of a family. */
  readonly trials: (family: FaultFamily) => number;
  readonly families: readonly FaultFamily[];
  /** Only this fault kind. */
  readonly fault?: string;
  /** Called after each trial. */
  readonly onTrial?: (family: string, fault: string, i: number, r: TrialResult) => void;
}

function empty(): FaultStats {
  return {
    trials: 0,
    missed: 0,
    held: 0,
    clearError: 0,
    untyped: 0,
    silentlyWrong: 0,
    stuck: 0,
    repaired: 0,
    codes: {},
    findings: [],
  };
}

/** The rng of trial `i` (so one trial can be replayed alone). */
export function trialRng(seed: number, family: string, fault: string, i: number): Rng {
  return new Rng(seed, family, fault, i);
}

/** Adds one trial's verdict to the stats. */
export function tally(s: FaultStats, i: number, r: TrialResult): void {
  if (!r.fired) {
    s.missed++;
    return;
  }
  s.trials++;
  if (r.first === "held") s.held++;
  else if (r.first === "clear-error") {
    s.clearError++;
    if (r.detail) s.codes[r.detail] = (s.codes[r.detail] ?? 0) + 1;
  } else if (r.first === "untyped") s.untyped++;
  else if (r.first === "silently-wrong") s.silentlyWrong++;
  else s.stuck++;
  if (r.repaired) s.repaired++;
  const bad = r.first === "untyped" || r.first === "silently-wrong" || r.first === "stuck" ||
    !r.repaired;
  if (bad && s.findings.length < 20) {
    s.findings.push({ trial: i, first: r.first, detail: r.detail, rerun: r.rerunDetail });
  }
}

/** Runs the campaign. */
export async function runFaults(options: FaultOptions): Promise<FaultReport> {
  const started = performance.now();
  const report: FaultReport = { seed: options.seed, families: {}, wallMs: 0 };
  for (const family of options.families) {
    await family.prepare();
    const byFault: Record<string, FaultStats> = (report.families[family.name] = {});
    for (const fault of Object.keys(family.faults)) {
      if (options.fault && options.fault !== fault) continue;
      const s = (byFault[fault] = empty());
      const n = options.trials(family);
      for (let i = 0; i < n; i++) {
        const steps = await family.trial(fault, trialRng(options.seed, family.name, fault, i));
        if (!steps) {
          s.missed++;
          continue;
        }
        const r = await runTrial(steps);
        tally(s, i, r);
        options.onTrial?.(family.name, fault, i, r);
      }
    }
  }
  report.wallMs = performance.now() - started;
  return report;
}

/** True when every trial ended well: no untyped, silent or stuck run, every rerun repaired. */
export function allHeld(report: FaultReport): boolean {
  return Object.values(report.families).every((f) =>
    Object.values(f).every((s) =>
      s.untyped === 0 && s.silentlyWrong === 0 && s.stuck === 0 && s.repaired === s.trials
    )
  );
}
