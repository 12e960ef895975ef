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
/** Exchanges around the page loop: the first packet before the erase starts, the last reply. */
const HANDOFF_MS = 3;
/** One hash-stub exchange for verify: start, gated digest read. */
const VERIFY_EXCHANGE_MS = 8;
/** Program stub cycles per word besides the NVMC wait (copy loop, READY poll, page hash). */
const STUB_CYCLES_PER_WORD = 32;

/**
 * Modelled costs. The first page's erase starts with its upload; every page is then erase,
 * program and a hash as it reads back, back to back in the stub, while the next page uploads
 * (hidden unless the link is slower than the flash). Verify re-hashes the written pages.
 * Erase and word write times come from the chip table; the hash stub takes about 20 cycles a
 * word.
 */
export function nrfCost(board: NrfBoard): CostModel {
  const chip = board.chip;
  const words = chip.pageSize / 4;
  const pageMs = chip.pageEraseMs +
    words * (chip.wordWriteUs / 1000 + STUB_CYCLES_PER_WORD / (chip.clockMHz * 1000));
  const uploadMs = chip.pageSize / BYTES_PER_MS;
  return {
    transferMs: (bytes) => bytes / BYTES_PER_MS,
    eraseMs: (blocks) => blocks * chip.pageEraseMs,
    programMs: (bytes) => (bytes / 4) * chip.wordWriteUs / 1000,
    hashMs: (bytes) => (bytes / 4) * 20 / (chip.clockMHz * 1000),
    roundTripMs: 2,
    writeMs: (pages) =>
      HANDOFF_MS + Math.max(0, uploadMs - chip.pageEraseMs) +
      pages * Math.max(pageMs, uploadMs + HANDOFF_MS),
    // Verify re-hashes the written pages in one stub call: its start and result exchange.
    verifyMs: (pages) => VERIFY_EXCHANGE_MS + pages * words * 20 / (chip.clockMHz * 1000),
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
        stages: { loadImage: nrfLoadImage(board) },
      }));
    }
    host.registerDetector(nrfDetector(host));
  };
}
