/**
 * The fuzz target contract: one parser (or protocol decoder), its seeds and how to run it.
 *
 * @module
 */
import type { Rng } from "../rng.ts";

/** One parser under test. */
export interface FuzzTarget {
  /** Short name used in reports and on the command line. */
  readonly name: string;
  /** What is fed and which functions run. */
  readonly description: string;
  /** Seeds are text (line edits apply). */
  readonly text?: boolean;
  /** Share of the inputs this target gets. */
  readonly weight: number;
  /** Where the seeds come from: the firmware corpus, or generated here. */
  readonly origin: "firmware" | "generated" | "firmware+generated";
  /** The seed inputs (loaded once per worker). */
  seeds(): Promise<Uint8Array[]>;
  /** Cuts a large seed down before mutation, so inputs stay small and fast. */
  window?(seed: Uint8Array, rng: Rng): Uint8Array;
  /** Makes a mutant self-consistent again (e.g. record checksums) so deeper code runs. */
  repair?(input: Uint8Array): Uint8Array;
  /** Feeds one input to the parser; resolves or throws. */
  run(input: Uint8Array): unknown;
}
