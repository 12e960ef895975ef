/**
 * Every fuzz target, in report order.
 *
 * @module
 */
import type { FuzzTarget } from "./target.ts";
import {
  configTarget,
  elfTarget,
  espImageTarget,
  ihexTarget,
  partitionBinTarget,
  partitionCsvTarget,
  universalHexTarget,
} from "./targets_files.ts";
import {
  dapTarget,
  gdbTarget,
  probeServerTarget,
  slipTarget,
  telnetTarget,
} from "./targets_protocols.ts";

/** The targets; `tmpDir` is where the config target writes its file. */
export function fuzzTargets(tmpDir: string): FuzzTarget[] {
  return [
    ihexTarget,
    universalHexTarget,
    elfTarget,
    espImageTarget,
    partitionBinTarget,
    partitionCsvTarget,
    configTarget(tmpDir),
    slipTarget,
    telnetTarget,
    gdbTarget,
    dapTarget,
    probeServerTarget,
  ];
}
