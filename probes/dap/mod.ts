/**
 * CMSIS-DAP host stack: wire protocol, probe, ADI port and the Cortex-M debug interface.
 *
 * @module
 */
export * from "./protocol.ts";
export { DapProbe, type DapProbeOptions, type ProbeIdentity } from "./probe.ts";
export {
  ABORT_CLEAR_STICKY,
  AdiPort,
  AP,
  Batch,
  type BatchResult,
  CSW_WORD_INC,
  DP,
} from "./adi.ts";
export { DapCortexM, type DapCortexMOptions, SCS } from "./cortexm.ts";
