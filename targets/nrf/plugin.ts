/**
 * The nRF target plugin: micro:bit V1, micro:bit V2 and nRF52840 over CMSIS-DAP.
 *
 * @module
 */
import type { CostModel, Plugin, TargetDefinition } from "../../kernel/mod.ts";
import { BOARDS, layoutOf, type NrfBoard } from "./chips.ts";
import { connectNrf } from "./connect.ts";
import { nrfLoadImage } from "./image.ts";

/**
 * Modelled costs: 64-byte HID reports at one per 1 ms frame each way, pipelined (≈56 data
 * bytes per ms); page erase and word write times from the chip table; hashing at about
 * 5 cycles per byte in the stub (20 per word, measured on the interpreter).
 */
export function nrfCost(board: NrfBoard): CostModel {
  const chip = board.chip;
  return {
    transferMs: (bytes) => bytes / 56,
    eraseMs: (blocks) => blocks * chip.pageEraseMs,
    programMs: (bytes) => (bytes / 4) * chip.wordWriteUs / 1000,
    hashMs: (bytes) => (bytes * 5) / (chip.clockMHz * 1000),
    roundTripMs: 2,
  };
}

/** Registers the nRF targets. */
export function nrfTargets(): Plugin {
  return (host) => {
    for (const board of BOARDS) {
      const target: TargetDefinition = {
        name: board.target,
        aliases: board.aliases,
        family: "nrf",
        description: board.description,
        link: "probe",
        layout: layoutOf(board.chip),
        hash: "murmur3x2",
        partialBlocks: "keep",
        formatOptions: board.boardIds.length ? { boardIds: board.boardIds } : {},
        cost: nrfCost(board),
        connect: (ctx, options) => connectNrf(host, ctx, board, options),
        stages: { loadImage: nrfLoadImage },
      };
      host.registerTarget(target);
    }
  };
}
