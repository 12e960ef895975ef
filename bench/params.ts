/**
 * Benchmark parameters and the suite contract, shared by the suites and the runner.
 *
 * @module
 */
import type { BenchRow } from "./report.ts";
import type { Scenario } from "./scenarios.ts";

/** Link and run parameters settable from the command line. */
export interface BenchParams {
  /** Fewer scenarios and runs. */
  readonly quick: boolean;
  /** Serial baud rate override. */
  readonly baud?: number;
  /** USB turnaround latency override (ms). */
  readonly latencyMs?: number;
  /** CMSIS-DAP packets in flight override. */
  readonly packetCount?: number;
  /** Only scenarios whose `suite · name` contains this text. */
  readonly only?: string;
}

/** A group of modelled scenarios. */
export interface BenchSuite {
  /** Name shown while running. */
  readonly name: string;
  /** Runs every scenario × strategy. */
  run(params: BenchParams): Promise<BenchRow[]>;
}

/** Scenarios selected by `--quick` and `--only`. */
export function select(all: readonly Scenario[], p: BenchParams): Scenario[] {
  return all.filter((s) =>
    (!p.quick || s.quick) && (!p.only || `${s.suite} · ${s.name}`.includes(p.only))
  );
}
