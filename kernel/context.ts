/**
 * The run context every stage, device and transport receives: cancellation, time, logging
 * and progress events.
 *
 * @module
 */
import { type Clock, RealClock } from "./clock.ts";

/** Names of the lifecycle stages. */
export type StageName = "loadImage" | "connect" | "queryHashes" | "plan" | "write" | "verify";

/**
 * State of one block as a run proceeds; drawn by the CLI's sector map. `changed`: the device
 * was asked and holds other bytes; `assumed`: the device was not asked (hashing it would have
 * cost more than rewriting it), so it is written as if changed.
 */
export type BlockState =
  | "same"
  | "changed"
  | "assumed"
  | "erased"
  | "written"
  | "verified"
  | "failed";

/** Progress and status events emitted during a run. */
export type FlashEvent =
  | { type: "stage"; stage: StageName; state: "start" | "end"; at: number }
  | {
    type: "progress";
    stage: StageName;
    done: number;
    total: number;
    unit: "bytes" | "blocks";
    at: number;
  }
  | { type: "block"; address: number; size: number; state: BlockState; at: number }
  | { type: "info"; message: string; at: number }
  /** The plan, before anything is written: blocks to write and the whole run's estimate. */
  | {
    type: "plan";
    write: number;
    blocks: number;
    bytes: number;
    estimateMs?: number;
    at: number;
  };

/** Distributes an event without the `at` field (the context stamps it). */
export type EventInput = FlashEvent extends infer E ? E extends FlashEvent ? Omit<E, "at"> : never
  : never;

/** Minimal structured logger. */
export interface Logger {
  /** Detail shown with `-v`. */
  debug(message: string): void;
  /** Normal progress notes. */
  info(message: string): void;
  /** Something the user should know. */
  warn(message: string): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {} };

/** Passed to every stage, device and transport call. */
export interface RunContext {
  /** Cancels the run; long operations check it between requests. */
  readonly signal: AbortSignal;
  /** Real or virtual time. */
  readonly clock: Clock;
  /** Logger. */
  readonly log: Logger;
  /** Emits a progress/status event. */
  emit(event: EventInput): void;
}

/** Options for {@link createContext}. */
export interface ContextOptions {
  /** Cancellation signal. */
  signal?: AbortSignal;
  /** Clock; real time by default. */
  clock?: Clock;
  /** Logger; silent by default. */
  log?: Logger;
  /** Event listener. */
  onEvent?: (event: FlashEvent) => void;
}

/** Creates a run context. */
export function createContext(options: ContextOptions = {}): RunContext {
  const clock = options.clock ?? new RealClock();
  const onEvent = options.onEvent;
  return {
    signal: options.signal ?? new AbortController().signal,
    clock,
    log: options.log ?? silentLogger,
    emit(event) {
      onEvent?.({ ...event, at: clock.now() } as FlashEvent);
    },
  };
}
