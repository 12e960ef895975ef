/**
 * The nRF target plugin: micro:bit V1, micro:bit V2 and nRF52840 over CMSIS-DAP.
 *
 * @module
 */
import { type CostModel, defineTarget, type Plugin } from "../../kernel/mod.ts";
import { BOARDS, layoutOf, type NrfBoard } from "./chips.ts";
import { connectNrf } from "./connect.ts";
import { nrfDetector } from "./detect.ts";
import { nrfLoadImage } from "./image.ts";
import { nrfOptions } from "./options.ts";

export { type NrfOptions, nrfOptions } from "./options.ts";

/** Data bytes per ms through 64-byte HID reports, one per 1 ms frame, pipelined. */
const BYTES_PER_MS = 56;
/** Per-page stub handshake (start exchange, halt polls), as measured on the simulator. */
const PAGE_OVERHEAD_MS = 10;

/**
 * Modelled costs. Uploads are double-buffered, so only the first page's upload and any
 * excess over the chip's erase+program time per page show; erase and word write times come
 * from the chip table; the hash stub takes about 20 cycles per word.
 */
export function nrfCost(board: NrfBoard): CostModel {
  const chip = board.chip;
  const pageBusyMs = chip.pageEraseMs + (chip.pageSize / 4) * chip.wordWriteUs / 1000;
  return {
    transferMs(bytes) {
      if (bytes <= 0) return 0;
      const first = Math.min(bytes, chip.pageSize), rest = bytes - first;
      const hidden = (rest / chip.pageSize) * pageBusyMs;
      const pages = Math.ceil(bytes / chip.pageSize);
      return first / BYTES_PER_MS + Math.max(0, rest / BYTES_PER_MS - hidden) +
        pages * PAGE_OVERHEAD_MS;
    },
    eraseMs: (blocks) => blocks * chip.pageEraseMs,
    programMs: (bytes) => (bytes / 4) * chip.wordWriteUs / 1000,
    hashMs: (bytes) => (bytes * 5) / (chip.clockMHz * 1000),
    roundTripMs: 2,
  };
}

/** Registers the nRF targets, and the detector that picks one from a probe's board id. */
export function nrfTargets(): Plugin {
  return (host) => {
    for (const board of BOARDS) {
      host.registerTarget(defineTarget({
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
        options: nrfOptions,
        connect: (ctx, options) => connectNrf(host, ctx, board, options),
        stages: { loadImage: nrfLoadImage },
      }));
    }
    host.registerDetector(nrfDetector(host));
  };
}
