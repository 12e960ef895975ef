/**
 * One fault trial and its verdict: run the command with the fault armed, check the flash
 * if it claimed success, then rerun the same command without the fault and check again.
 *
 * @module
 */
import { DeltaflashError } from "../../kernel/mod.ts";

/** How the faulted run ended. */
export type FirstRun = "held" | "clear-error" | "untyped" | "silently-wrong" | "stuck";

/** A trial's verdict. */
export interface TrialResult {
  /** The fault actually fired (a fault point past the end of the run is not a trial). */
  readonly fired: boolean;
  readonly first: FirstRun;
  /** The rerun exited 0 and the flash equals the image. */
  readonly repaired: boolean;
  /** Error code or message of the faulted run, for the report. */
  readonly detail?: string;
  /** Why the rerun failed, when it did. */
  readonly rerunDetail?: string;
}

/** Runs `fn` but gives up after `ms` of real time (a run that never settles is a finding). */
export async function bounded<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  ms: number,
): Promise<{ value?: T; error?: unknown; stuck?: boolean }> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<"stuck">((resolve) => {
    timer = setTimeout(() => {
      abort.abort(new Error("trial time limit"));
      resolve("stuck");
    }, ms);
  });
  try {
    const r = await Promise.race([fn(abort.signal).then((value) => ({ value })), stuck]);
    return r === "stuck" ? { stuck: true } : r;
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/** A trial's three steps, supplied by a family. */
export interface TrialSteps {
  /** The faulted run; resolves when the command exits 0. */
  faulted(signal: AbortSignal): Promise<void>;
  /** True when the fault fired during the faulted run. */
  fired(): boolean;
  /** Whether the device's flash now equals the image. */
  flashMatches(): Promise<boolean>;
  /** Restores power and links, without the fault. */
  restore(): Promise<void>;
  /** The rerun of the same command. */
  rerun(signal: AbortSignal): Promise<void>;
}

/** Real-time limit of one run. */
export const RUN_LIMIT_MS = 60_000;

function describe(e: unknown): string {
  if (e instanceof DeltaflashError) return e.code;
  return e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 140) : String(e);
}

/** Runs one trial; each run may take `limitMs` of real time. */
export async function runTrial(steps: TrialSteps, limitMs = RUN_LIMIT_MS): Promise<TrialResult> {
  const a = await bounded((s) => steps.faulted(s), limitMs);
  const fired = steps.fired();
  let first: FirstRun;
  let detail: string | undefined;
  if (a.stuck) first = "stuck";
  else if (a.error === undefined) first = (await steps.flashMatches()) ? "held" : "silently-wrong";
  else {
    first = a.error instanceof DeltaflashError ? "clear-error" : "untyped";
    detail = describe(a.error);
  }
  await steps.restore();
  const b = await bounded((s) => steps.rerun(s), limitMs);
  const ok = !b.stuck && b.error === undefined && (await steps.flashMatches());
  return {
    fired,
    first,
    repaired: ok,
    detail,
    rerunDetail: ok
      ? undefined
      : b.stuck
      ? "rerun stuck"
      : b.error
      ? describe(b.error)
      : "flash ≠ image",
  };
}
