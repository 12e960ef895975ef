/**
 * The kernel's public surface: lifecycle contracts, the registry, the image model and the
 * flash run. Plugins import from here (or from the package root `mod.ts`) and nothing else.
 *
 * @module
 */
export * from "./errors.ts";
export * from "./image.ts";
export * from "./hash.ts";
export * from "./clock.ts";
export * from "./context.ts";
export * from "./transport.ts";
export * from "./device.ts";
export * from "./options.ts";
export * from "./target.ts";
export * from "./stages.ts";
export * from "./format.ts";
export * from "./plugin.ts";
export {
  API_VERSION,
  type LoadedPlugin,
  type PluginFailure,
  Registry,
  type UseOptions,
} from "./registry.ts";
export { loadInput, parseImageSpec, pickFormat, readInput } from "./load.ts";
export { defaultQueryHashes, defaultVerify, touchedBlocks } from "./compare.ts";
export { CHECK_PIECE, checkPieces, fullReport, isFlashMode, planBlocks } from "./plan.ts";
export {
  checkRange,
  composeStages,
  defaultStages,
  flash,
  type FlashRequest,
  type FlashResult,
} from "./pipeline.ts";
export { compareImages, type ImageDiff } from "./diff.ts";
export {
  type FlashRecord,
  type FlashRecordStore,
  isFlashRecord,
  MemoryRecordStore,
  predictFromRecord,
  recordAfter,
  recordOf,
} from "./record.ts";
export { printable, printableLines } from "./text.ts";
