/**
 * The nRF flash session: page hashes and page programming run as our own stubs in target
 * RAM; pages are double-buffered so the next upload overlaps the current erase/program.
 *
 * Protocol choice: one stub call per page, host-driven. The core halts (bkpt) after each
 * page, so a failure is confined to one page and reported with its address, nothing on the
 * target spins waiting for a host that may have gone, and the per-page cost is two small
 * pipelined exchanges (registers + resume, then one in-probe halt poll) besides the data.
 *
 * @module
 */
import {
  type AddressRange,
  createContext,
  DeviceError,
  type DeviceInfo,
  type FlashDevice,
  type FlashLayout,
  type LinkStats,
  regionAt,
  type RunContext,
  UsageError,
  type WriteRun,
} from "../../kernel/mod.ts";
import { HASH_STUB, PROGRAM_STUB } from "../../stubs/blobs.ts";
import {
  type CortexMDebug,
  readBytes,
  type RunFunctionRequest,
} from "../../probes/cortexm/debug.ts";
import { FICR, layoutOf, type NrfChip } from "./chips.ts";
import { ramNeeded, type RamPlan, ramPlan } from "./ram.ts";
import { programUicr } from "./uicr.ts";

/** A core that can start a function and collect its result later (overlapping work). */
interface OverlappingCore extends CortexMDebug {
  startFunction(ctx: RunContext, request: RunFunctionRequest): Promise<void>;
  finishFunction(ctx: RunContext, timeoutMs: number): Promise<number>;
}

/** A core that can also pipeline the start with a memory write (CMSIS-DAP). */
interface PipeliningCore extends OverlappingCore {
  startFunctionAndWrite(
    ctx: RunContext,
    request: RunFunctionRequest,
    address: number,
    data: Uint8Array,
  ): Promise<void>;
}

function canPipeline(core: CortexMDebug): core is PipeliningCore {
  return canOverlap(core) && "startFunctionAndWrite" in core;
}

function canOverlap(core: CortexMDebug): core is OverlappingCore {
  return "startFunction" in core && "finishFunction" in core;
}

/** A micro:bit / nRF device session over a Cortex-M debug link. */
export class NrfDevice implements FlashDevice {
  readonly hashAlgorithms = ["murmur3x2"] as const;
  readonly hashGranularity = "block" as const;
  readonly #ram: RamPlan;

  private constructor(
    readonly core: CortexMDebug,
    readonly chip: NrfChip,
    readonly info: DeviceInfo,
    readonly layout: FlashLayout,
  ) {
    this.#ram = ramPlan(layout.regions[0].blockSize);
  }

  /** Halts the core, reads the flash geometry from FICR and loads the stubs. */
  static async open(
    ctx: RunContext,
    core: CortexMDebug,
    chip: NrfChip,
    details: Record<string, string> = {},
  ): Promise<NrfDevice> {
    await core.resetAndHalt(ctx);
    const [pageSize, pages] = [
      await core.readWord(ctx, FICR.CODEPAGESIZE),
      await core.readWord(ctx, FICR.CODESIZE),
    ];
    if (pageSize !== chip.pageSize || pages === 0 || pages * pageSize > 4 * chip.flashSize) {
      throw new DeviceError(
        `FICR reports ${pages} pages of ${pageSize} bytes, not a ${chip.name} (${chip.pageSize}-byte pages)`,
        { hint: "choose the --target that matches the board" },
      );
    }
    if (ramNeeded(pageSize) > chip.ramSize) throw new DeviceError("not enough RAM for the stubs");
    const layout = layoutOf(chip, pageSize, pages);
    const info: DeviceInfo = {
      chip: chip.name,
      details: { ...details, flash: `${(pageSize * pages) / 1024} KiB`, page: `${pageSize} B` },
    };
    const dev = new NrfDevice(core, chip, info, layout);
    await core.writeMemory(ctx, dev.#ram.hashStub, pad4(HASH_STUB));
    await core.writeMemory(ctx, dev.#ram.programStub, pad4(PROGRAM_STUB));
    return dev;
  }

  stats(): LinkStats {
    return this.core.stats?.() ?? { bytesOut: 0, bytesIn: 0, roundTrips: 0 };
  }

  /** Cycles per word of the hash loop, with margin, for the timeout. */
  #hashTimeoutMs(bytes: number): number {
    return 1000 + (bytes / 4) * 40 / (this.chip.clockMHz * 1000);
  }

  async hash(
    ctx: RunContext,
    algorithm: string,
    ranges: readonly AddressRange[],
  ): Promise<Uint8Array[]> {
    if (algorithm !== "murmur3x2") {
      throw new UsageError(`the nRF stub computes murmur3x2, not ${algorithm}`, {
        hint: "use --hash murmur3x2",
      });
    }
    const calls = groupRuns(ranges, this.layout);
    const out: Uint8Array[] = new Array(ranges.length);
    let slot = 0, pending: { call: HashCall; slot: number }[] = [];
    const flush = async () => {
      if (!pending.length) return;
      const bytes = await this.core.readMemory(ctx, this.#ram.hashOut, slot * 8);
      for (const p of pending) {
        p.call.indexes.forEach((rangeIndex, k) => {
          const at = (p.slot + p.call.pageOf[k]) * 8;
          out[rangeIndex] = bytes.slice(at, at + 8);
        });
      }
      pending = [];
      slot = 0;
    };
    for (const call of groupCapacity(calls, this.#ram.hashSlots)) {
      if (slot + call.pages > this.#ram.hashSlots) await flush();
      await this.core.runFunction(ctx, {
        entry: this.#ram.hashStub,
        sp: this.#ram.stackTop,
        lr: this.#ram.hashStub,
        args: [this.#ram.hashOut + slot * 8, call.start, call.pageSize, call.pages],
        timeoutMs: this.#hashTimeoutMs(call.pages * call.pageSize),
      });
      pending.push({ call, slot });
      slot += call.pages;
    }
    await flush();
    return out;
  }

  read(ctx: RunContext, address: number, length: number): Promise<Uint8Array> {
    return readBytes(this.core, ctx, address, length);
  }

  async program(ctx: RunContext, runs: readonly WriteRun[]): Promise<void> {
    const pages: { address: number; data: Uint8Array }[] = [];
    let total = 0;
    for (const run of runs) {
      const region = regionAt(this.layout, run.address);
      if (!region) throw new DeviceError(`0x${run.address.toString(16)} is not in flash`);
      if (region.name === "uicr") {
        const n = await programUicr(ctx, this.core, this.chip, run.address, run.data);
        ctx.log.info(`UICR: ${n} word(s) written`);
        continue;
      }
      for (let o = 0; o < run.data.length; o += region.blockSize) {
        pages.push({ address: run.address + o, data: run.data.subarray(o, o + region.blockSize) });
        total += region.blockSize;
      }
    }
    await this.#programPages(ctx, pages, total);
  }

  async #programPages(
    ctx: RunContext,
    pages: readonly { address: number; data: Uint8Array }[],
    total: number,
  ): Promise<void> {
    if (!pages.length) return;
    const { buffers, programStub, stackTop } = this.#ram;
    const timeoutMs = 1000 + 4 * this.chip.pageEraseMs +
      (pages[0].data.length / 4) * this.chip.wordWriteUs * 4 / 1000;
    await this.core.writeMemory(ctx, buffers[0], pages[0].data);
    let done = 0;
    for (let i = 0; i < pages.length; i++) {
      const page = pages[i], next = pages[i + 1];
      const request: RunFunctionRequest = {
        entry: programStub,
        sp: stackTop,
        lr: programStub,
        args: [page.address, buffers[i % 2], page.data.length, 1],
        timeoutMs,
      };
      let bad: number;
      if (canPipeline(this.core) && next) {
        await this.core.startFunctionAndWrite(ctx, request, buffers[(i + 1) % 2], next.data);
        bad = await this.core.finishFunction(ctx, timeoutMs);
      } else if (canOverlap(this.core)) {
        await this.core.startFunction(ctx, request);
        if (next) await this.core.writeMemory(ctx, buffers[(i + 1) % 2], next.data);
        bad = await this.core.finishFunction(ctx, timeoutMs);
      } else {
        bad = await this.core.runFunction(ctx, request);
        if (next) await this.core.writeMemory(ctx, buffers[(i + 1) % 2], next.data);
      }
      if (bad !== 0) {
        throw new DeviceError(
          `page 0x${page.address.toString(16)}: ${bad} word(s) differ after programming`,
          { hint: "the page may be protected (APPROTECT/BPROT); run again to retry" },
        );
      }
      done += page.data.length;
      ctx.emit({ type: "progress", stage: "write", done, total, unit: "bytes" });
    }
  }

  async reset(ctx: RunContext): Promise<void> {
    await this.core.reset(ctx);
  }

  /** Let the chip run its (new) application when the session ends. */
  resetOnClose = true;

  async close(): Promise<void> {
    try {
      if (this.resetOnClose) await this.core.reset(createContext());
    } catch {
      // best effort: the link may already be gone
    } finally {
      await this.core.close();
    }
  }
}

/** One hash stub call: `pages` pages of `pageSize` from `start`. */
export interface HashCall {
  readonly start: number;
  readonly pageSize: number;
  readonly pages: number;
  /** Range indexes served by this call. */
  readonly indexes: number[];
  /** Page within the call of each served range. */
  readonly pageOf: number[];
}

/** Groups block ranges into contiguous stub calls (small gaps are hashed through). */
export function groupRuns(ranges: readonly AddressRange[], layout: FlashLayout): HashCall[] {
  const order = ranges.map((r, i) => ({ r, i })).sort((a, b) => a.r.start - b.r.start);
  const calls: {
    start: number;
    pageSize: number;
    pages: number;
    indexes: number[];
    pageOf: number[];
  }[] = [];
  for (const { r, i } of order) {
    const region = regionAt(layout, r.start);
    const size = r.end - r.start;
    if (!region || size !== region.blockSize || (r.start - region.start) % size !== 0) {
      throw new DeviceError(
        `hash range 0x${r.start.toString(16)}–0x${r.end.toString(16)} is not one whole page`,
      );
    }
    const last = calls[calls.length - 1];
    const gap = last ? (r.start - (last.start + last.pages * last.pageSize)) / size : -1;
    if (last && last.pageSize === size && gap >= 0 && gap <= 4 && Number.isInteger(gap)) {
      last.pages += gap;
      last.indexes.push(i);
      last.pageOf.push(last.pages);
      last.pages += 1;
    } else if (
      last && last.pageSize === size && gap === -1 &&
      r.start === last.start + (last.pages - 1) * size
    ) {
      last.indexes.push(i); // the same page asked for twice
      last.pageOf.push(last.pages - 1);
    } else {
      calls.push({ start: r.start, pageSize: size, pages: 1, indexes: [i], pageOf: [0] });
    }
  }
  return calls;
}

/** Splits calls longer than the result area. */
function groupCapacity(calls: HashCall[], slots: number): HashCall[] {
  const out: HashCall[] = [];
  for (const c of calls) {
    for (let first = 0; first < c.pages; first += slots) {
      const n = Math.min(slots, c.pages - first);
      const sel = c.pageOf.map((p, k) => ({ p, k })).filter(({ p }) => p >= first && p < first + n);
      out.push({
        start: c.start + first * c.pageSize,
        pageSize: c.pageSize,
        pages: n,
        indexes: sel.map(({ k }) => c.indexes[k]),
        pageOf: sel.map(({ p }) => p - first),
      });
    }
  }
  return out;
}

function pad4(b: Uint8Array): Uint8Array {
  if (b.length % 4 === 0) return b;
  const out = new Uint8Array((b.length + 3) & ~3);
  out.set(b);
  return out;
}
