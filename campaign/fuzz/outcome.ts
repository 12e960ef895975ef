/**
 * How one parser call ended, and the messages between the runner and its workers.
 *
 * @module
 */
import { DeltaflashError } from "../../kernel/mod.ts";

/** The result of one input. */
export type Outcome =
  | { readonly kind: "ok" }
  | { readonly kind: "typed"; readonly code: string }
  | { readonly kind: "untyped"; readonly signature: string; readonly message: string };

/** Sorts a thrown value: a project error is typed; anything else is a bug, grouped by site. */
export function classify(e: unknown): Outcome {
  if (e instanceof DeltaflashError) return { kind: "typed", code: e.code };
  const err = e instanceof Error ? e : new Error(String(e));
  const frame = (err.stack ?? "").split("\n").slice(1)
    .map((l) => /\/((?:kernel|plugins|targets|probes|cli|sim|campaign)\/[^:)]+:\d+)/.exec(l)?.[1])
    .find(Boolean);
  return {
    kind: "untyped",
    signature: `${err.name}${frame ? ` at ${frame}` : ""}`,
    message: err.message.slice(0, 160),
  };
}

/** A batch of inputs for one worker. */
export interface Job {
  readonly target: string;
  readonly seed: number;
  readonly from: number;
  readonly to: number;
}

/** Runner → worker. */
export type ToWorker = {
  readonly type: "init";
  readonly tmpDir: string;
  /** Module exporting `fuzzTargets(tmpDir)`. */
  readonly targetsModule: string;
} | {
  readonly type: "job";
  readonly job: Job;
};

/** Worker → runner. */
export type FromWorker =
  | { readonly type: "ready" }
  /** Input `index` is built and its parser call starts now (the watchdog times the call). */
  | { readonly type: "start"; readonly index: number }
  | {
    readonly type: "result";
    readonly target: string;
    readonly index: number;
    readonly outcome: Outcome;
    readonly ms: number;
    readonly heapBytes: number;
  }
  | { readonly type: "done" };
