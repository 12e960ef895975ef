/**
 * The STM32F1 flash session over any Cortex-M debug link: our stub in SRAM computes CRC-32
 * of pages and erases/programs one page per call; page buffers are double-buffered so the
 * next upload overlaps the current erase and program when the link can start a function
 * and collect it later (the CMSIS-DAP link can).
 *
 * RAM plan (fits the 20 KiB parts with room to spare): stub at 0x20000000, stack below
 * 0x20000400, hash results 0x20000400–0x200007FF (256 pages per call), page buffers at
 * 0x20000800 and 0x20000C00.
 *
 * @module
 */
import {
  AbortedError,
  type AddressRange,
  DeviceError,
  type DeviceInfo,
  type FlashDevice,
  type FlashLayout,
  type LinkStats,
  type RunContext,
  UsageError,
  type WriteRun,
} from "../../mod.ts";
import { type CortexMDebug, readBytes, type RunFunctionRequest } from "../../probes/mod.ts";
import {
  DBGMCU_IDCODE,
  FLASH_BASE,
  FLASH_SIZE_REG,
  RAM_BASE,
  type Stm32f1Chip,
  UNIQUE_ID,
} from "./chips.ts";
import { STM32F1_STUB } from "./stub/blob.ts";

const STUB = RAM_BASE;
const HASH_ENTRY = STUB, PROGRAM_ENTRY = STUB + 2;
const STACK_TOP = RAM_BASE + 0x400;
const HASH_OUT = RAM_BASE + 0x400, HASH_SLOTS = 256;
const BUFFERS = [RAM_BASE + 0x800, RAM_BASE + 0xc00] as const;

/** A core that can start a function and collect its result later. */
interface OverlappingCore extends CortexMDebug {
  startFunction(ctx: RunContext, request: RunFunctionRequest): Promise<void>;
  finishFunction(ctx: RunContext, timeoutMs: number): Promise<number>;
}

function canOverlap(core: CortexMDebug): core is OverlappingCore {
  return "startFunction" in core && "finishFunction" in core;
}

/** The memory map of a part with `flashSize` bytes. */
export function stm32f1Layout(chip: Stm32f1Chip, flashSize = chip.flashSize): FlashLayout {
  return {
    regions: [{
      name: "flash",
      start: FLASH_BASE,
      size: flashSize,
      blockSize: chip.pageSize,
      erasedValue: 0xff,
    }],
  };
}

/** An STM32F1 session. */
export class Stm32f1Device implements FlashDevice {
  readonly hashAlgorithms: readonly string[] = ["crc32"];
  readonly hashGranularity = "block" as const;

  private constructor(
    readonly core: CortexMDebug,
    readonly chip: Stm32f1Chip,
    readonly info: DeviceInfo,
    readonly layout: FlashLayout,
  ) {}

  /** Halts the core, checks DEV_ID and the flash size register, loads the stub. */
  static async open(
    ctx: RunContext,
    core: CortexMDebug,
    chip: Stm32f1Chip,
    details: Record<string, string> = {},
  ): Promise<Stm32f1Device> {
    await core.resetAndHalt(ctx);
    const devId = (await core.readWord(ctx, DBGMCU_IDCODE)) & 0xfff;
    if (devId !== chip.devId) {
      throw new DeviceError(
        `DBGMCU_IDCODE reports DEV_ID 0x${devId.toString(16)}, not a ${chip.name} (0x${
          chip.devId.toString(16)
        })`,
        { hint: "choose the --target that matches the chip" },
      );
    }
    const kib = (await core.readWord(ctx, FLASH_SIZE_REG)) & 0xffff;
    // Some parts carry more flash than their marking says; only the datasheet size is
    // guaranteed, so the smaller of the two is used.
    const flashSize = Math.min(kib * 1024, chip.flashSize) || chip.flashSize;
    const uid = await core.readMemory(ctx, UNIQUE_ID, 12);
    const info: DeviceInfo = {
      chip: chip.name,
      details: {
        ...details,
        flash: `${flashSize / 1024} KiB (register: ${kib} KiB)`,
        page: `${chip.pageSize} B`,
        uid: [...uid].map((b) => b.toString(16).padStart(2, "0")).join(""),
      },
    };
    await core.writeMemory(ctx, STUB, pad4(STM32F1_STUB));
    return new Stm32f1Device(core, chip, info, stm32f1Layout(chip, flashSize));
  }

  stats(): LinkStats {
    return this.core.stats?.() ?? { bytesOut: 0, bytesIn: 0, roundTrips: 0 };
  }

  /** Wall time the stub needs for `bytes` of CRC (about 70 cycles a byte), with margin. */
  #hashTimeoutMs(bytes: number): number {
    return 1000 + (bytes * 140 * 1000) / this.chip.clockHz;
  }

  async hash(
    ctx: RunContext,
    algorithm: string,
    ranges: readonly AddressRange[],
  ): Promise<Uint8Array[]> {
    if (algorithm !== "crc32") {
      throw new UsageError(`the STM32F1 stub computes crc32, not ${algorithm}`, {
        hint: "use --hash crc32",
      });
    }
    const page = this.chip.pageSize;
    const out: Uint8Array[] = new Array(ranges.length);
    const order = ranges.map((r, i) => ({ r, i })).sort((a, b) => a.r.start - b.r.start);
    for (const { r } of order) {
      if (r.end - r.start !== page || (r.start - FLASH_BASE) % page) {
        throw new DeviceError(`hash range 0x${r.start.toString(16)} is not one whole page`);
      }
    }
    // Contiguous runs of requested pages become one stub call each.
    let k = 0;
    while (k < order.length) {
      let n = 1;
      while (
        k + n < order.length && n < HASH_SLOTS &&
        order[k + n].r.start === order[k].r.start + n * page
      ) n++;
      await this.core.runFunction(ctx, {
        entry: HASH_ENTRY,
        sp: STACK_TOP,
        lr: HASH_ENTRY,
        args: [HASH_OUT, order[k].r.start, page, n],
        timeoutMs: this.#hashTimeoutMs(n * page),
      });
      const words = new DataView((await this.core.readMemory(ctx, HASH_OUT, n * 4)).buffer);
      for (let j = 0; j < n; j++) {
        const digest = new Uint8Array(4); // big-endian, as the crc32 algorithm digests
        new DataView(digest.buffer).setUint32(0, words.getUint32(j * 4, true), false);
        out[order[k + j].i] = digest;
      }
      k += n;
    }
    return out;
  }

  read(ctx: RunContext, address: number, length: number): Promise<Uint8Array> {
    return readBytes(this.core, ctx, address, length);
  }

  async program(ctx: RunContext, runs: readonly WriteRun[]): Promise<void> {
    const size = this.chip.pageSize;
    const pages: { address: number; data: Uint8Array }[] = [];
    for (const run of runs) {
      for (let o = 0; o < run.data.length; o += size) {
        pages.push({ address: run.address + o, data: run.data.subarray(o, o + size) });
      }
    }
    if (!pages.length) return;
    const timeoutMs = 1000 + 2 * this.chip.pageEraseMs +
      (size / 2) * this.chip.halfWordUs * 2 / 1000;
    const total = pages.length * size;
    await this.core.writeMemory(ctx, BUFFERS[0], pages[0].data);
    for (let i = 0; i < pages.length; i++) {
      if (ctx.signal.aborted) throw new AbortedError({ cause: ctx.signal.reason });
      const page = pages[i], next = pages[i + 1];
      const request: RunFunctionRequest = {
        entry: PROGRAM_ENTRY,
        sp: STACK_TOP,
        lr: PROGRAM_ENTRY,
        args: [page.address, BUFFERS[i % 2], size, 1],
        timeoutMs,
      };
      let result: number;
      if (canOverlap(this.core)) {
        await this.core.startFunction(ctx, request);
        if (next) await this.core.writeMemory(ctx, BUFFERS[(i + 1) % 2], next.data);
        result = await this.core.finishFunction(ctx, timeoutMs);
      } else {
        result = await this.core.runFunction(ctx, request);
        if (next) await this.core.writeMemory(ctx, BUFFERS[(i + 1) % 2], next.data);
      }
      if (result !== 0) throw programError(page.address, result);
      ctx.emit({ type: "progress", stage: "write", done: (i + 1) * size, total, unit: "bytes" });
    }
  }

  async reset(ctx: RunContext): Promise<void> {
    await this.core.reset(ctx);
  }

  async close(): Promise<void> {
    await this.core.close();
  }
}

/** The error for a stub result: mismatching words and FLASH_SR error bits. */
function programError(address: number, result: number): DeviceError {
  const words = result & 0xffff, sr = result >>> 16;
  const flags = [sr & 0x04 ? "PGERR" : "", sr & 0x10 ? "WRPRTERR" : ""].filter(Boolean);
  return new DeviceError(
    `page 0x${address.toString(16)}: ${words} word(s) differ after programming${
      flags.length ? ` (FLASH_SR ${flags.join(", ")})` : ""
    }`,
    {
      hint: sr & 0x10
        ? "the page is write-protected (option bytes WRP); unprotect it first"
        : "run again to retry; changed pages are rewritten",
    },
  );
}

function pad4(b: Uint8Array): Uint8Array {
  if (b.length % 4 === 0) return b;
  const out = new Uint8Array((b.length + 3) & ~3);
  out.set(b);
  return out;
}
