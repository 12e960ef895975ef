/**
 * Input `i` of a target under a campaign seed: which seed, which window, which mutation —
 * all derived from (seed, target, i), so any input can be rebuilt on its own.
 *
 * @module
 */
import { Rng } from "../rng.ts";
import { mutate } from "./mutate.ts";
import type { FuzzTarget } from "./target.ts";

/** Builds input `index` of `target` from its loaded seeds. */
export function buildInput(
  target: FuzzTarget,
  seeds: readonly Uint8Array[],
  campaignSeed: number,
  index: number,
): Uint8Array {
  const rng = new Rng(campaignSeed, target.name, index);
  if (!seeds.length) return rng.bytes(rng.int(256));
  const seed = rng.pick(seeds);
  const base = target.window ? target.window(seed, rng) : seed;
  // One input in 50 is an unmutated seed (window), so the valid path is exercised too.
  if (rng.chance(0.02)) return base.slice();
  const mutant = mutate(base, rng, { text: target.text, donors: seeds });
  // Half the mutants get their checksums fixed, so they reach the checks behind them.
  return target.repair && rng.chance(0.5) ? target.repair(mutant) : mutant;
}
