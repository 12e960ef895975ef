/**
 * The contract between the campaign runner and a device family (ESP over serial, nRF over
 * CMSIS-DAP, nRF over GDB): which faults it knows and how to build one trial.
 *
 * @module
 */
import type { Rng } from "../rng.ts";
import type { TrialSteps } from "./trial.ts";

/** A family of simulated devices and the faults it can suffer. */
export interface FaultFamily {
  readonly name: string;
  /** What is flashed, through which link. */
  readonly description: string;
  /** Fault kinds, with a one-line description each. */
  readonly faults: Readonly<Record<string, string>>;
  /** Loads the images (once). */
  prepare(): Promise<void>;
  /** Builds trial steps for `fault` (calibrating where needed), or undefined to skip. */
  trial(fault: string, rng: Rng): Promise<TrialSteps | undefined>;
}
