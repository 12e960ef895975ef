/**
 * The modelled benchmark suites (simulated links and devices in virtual time). Each family
 * adds its suite here.
 *
 * @module
 */
import type { BenchRow } from "./report.ts";

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
}

/** A group of modelled scenarios. */
export interface BenchSuite {
  /** Name shown while running. */
  readonly name: string;
  /** Runs every scenario × strategy. */
  run(params: BenchParams): Promise<BenchRow[]>;
}

/** All modelled suites. */
export function modelledSuites(): BenchSuite[] {
  return [];
}
