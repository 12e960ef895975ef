/**
 * DAPLink's drag-and-drop programming over vendor commands (MSD_Open 0x8A, MSD_Write 0x8C,
 * MSD_Close 0x8B; DAPLink `DAP_vendor.c`, `file_stream.c`): a binary (type 0) or Intel HEX
 * (type 1, Universal Hex sections filtered by board id) stream is programmed into the
 * target. Chip erase on the first data unless page-erase mode was selected (0x8D), as
 * DAPLink's flash manager does. Closing leaves the target running and the SWD port reset
 * (hosts must bring SWD up again).
 *
 * Status codes are DAPLink `error_t` values: 0 success, 2 internal (stream in the wrong
 * state), 18 ERROR_SUCCESS_DONE (end of hex; the number microbit-connection checks);
 * 19 done-or-continue (binary), 20/21 hex checksum/parser error follow in the same enum.
 *
 * Timing (model): programming a page costs its words' write time plus moving the data
 * over SWD (one 12.5 µs transfer per word); erases use the chip's NVMC times.
 *
 * @module
 */
import type { NrfDevice } from "../nrf/device.ts";
import { UICR_BASE } from "../nrf/nvmc.ts";
import type { SwDp } from "../dap/dp.ts";
import { type HexSegment, HexStream } from "../dap/hex.ts";

/** DAPLink error_t values used here. */
export const DAPLINK_STATUS = {
  SUCCESS: 0,
  INTERNAL: 2,
  SUCCESS_DONE: 18,
  SUCCESS_DONE_OR_CONTINUE: 19,
  HEX_CKSUM: 20,
  HEX_PARSER: 21,
} as const;

const SWD_WORD_US = 12.5;

/** One board's drag-and-drop programming state. */
export class DapLinkFlashStream {
  #state: "closed" | "open" | "end" | "error" = "closed";
  #hex: HexStream | null = null;
  #binAddress = 0;
  #erased = false;
  #pageErase = false;
  #touched = new Set<number>();

  constructor(readonly device: NrfDevice, readonly dp: SwDp, readonly boardId: string) {}

  /** 0x8D: page erase (true) or chip erase (false, default). */
  selectEraseMode(pageErase: boolean): void {
    this.#pageErase = pageErase;
  }

  /** 0x8A. */
  open(type: number, charge: (us: number) => void): number {
    if (this.#state !== "closed" || type > 1) return DAPLINK_STATUS.INTERNAL;
    this.#state = "open";
    this.#hex = type === 1 ? new HexStream(this.boardId) : null;
    this.#binAddress = 0;
    this.#erased = false;
    this.#touched.clear();
    const cpu = this.device.cpu;
    cpu.debugEnabled = true;
    if (!cpu.halted) cpu.halt(0);
    charge(1000);
    return DAPLINK_STATUS.SUCCESS;
  }

  /** 0x8C. */
  write(data: Uint8Array, charge: (us: number) => void): number {
    if (this.#state !== "open") return DAPLINK_STATUS.INTERNAL;
    charge(20);
    if (!this.#hex) {
      this.#program([{ address: this.#binAddress, data }], charge);
      this.#binAddress += data.length;
      return DAPLINK_STATUS.SUCCESS_DONE_OR_CONTINUE;
    }
    const r = this.#hex.push(new TextDecoder().decode(data));
    this.#program(r.segments, charge);
    if (r.error) {
      this.#state = "error";
      return r.error === "checksum" ? DAPLINK_STATUS.HEX_CKSUM : DAPLINK_STATUS.HEX_PARSER;
    }
    if (this.#hex.done) {
      this.#state = "end";
      return DAPLINK_STATUS.SUCCESS_DONE;
    }
    return DAPLINK_STATUS.SUCCESS;
  }

  /** 0x8B: the target is reset and runs; the SW-DP is left in its reset state. */
  close(charge: (us: number) => void): number {
    if (this.#state === "closed") return DAPLINK_STATUS.INTERNAL;
    this.#state = "closed";
    this.#hex = null;
    charge(1000);
    this.device.cpu.vcCoreReset = false;
    this.device.systemReset();
    this.dp.lineReset();
    this.dp.ctrlStat = 0;
    return DAPLINK_STATUS.SUCCESS;
  }

  #program(segments: readonly HexSegment[], charge: (us: number) => void): void {
    const { flash, uicr, chip } = this.device;
    for (const { address, data } of segments) {
      const inFlash = address + data.length <= flash.length;
      const inUicr = address >= UICR_BASE && address - UICR_BASE + data.length <= uicr.length;
      if (!inFlash && !inUicr) continue; // e.g. MakeCode's source blob at 0x20000000
      if (!this.#erased && !this.#pageErase) {
        flash.fill(0xff);
        uicr.fill(0xff);
        charge(chip.eraseAllUs);
        this.#erased = true;
      }
      for (let i = 0; i < data.length; i++) {
        const a = address + i;
        const page = inFlash ? Math.floor(a / chip.pageSize) : -1;
        if (!this.#touched.has(page)) {
          this.#touched.add(page);
          const words = inFlash ? chip.pageSize / 4 : uicr.length / 4;
          if (this.#pageErase) {
            if (inFlash) flash.fill(0xff, page * chip.pageSize, (page + 1) * chip.pageSize);
            else uicr.fill(0xff);
            charge(chip.pageEraseUs);
          }
          charge(words * (chip.wordWriteUs + SWD_WORD_US));
        }
        if (inFlash) flash[a] &= data[i];
        else uicr[a - UICR_BASE] &= data[i];
      }
    }
  }
}
