/**
 * The nRF flash session: page hashes and page programming run as our own stubs in target
 * RAM, uploaded once when the session opens.
 *
 * Hashing: one stub call hashes every requested range (whole pages, or word-aligned parts of
 * a page) from a descriptor list, and the digests come back in the same pipelined exchange:
 * each chunk's read waits inside the probe for that chunk's progress bit, so reading
 * overlaps hashing. Programming: the erase of a page runs while the host streams its data
 * into a RAM buffer (the previous program call, or the host for the first page, starts
 * it); the program stub then writes the page, hashes it as it reads back and starts the
 * next page's erase; its digest of the page as read back is kept ({@link
 * NrfDevice.programmedDigest}), while verify still re-hashes after the whole write, so it also
 * catches a page that changed after programming.
 * The core halts (bkpt) after every call, so a failure
 * is confined to one page and nothing on the target spins waiting for a host that has gone.
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
  Reg,
  type RunFunctionRequest,
} from "../../probes/cortexm/debug.ts";
import { FICR, layoutOf, type NrfChip, NVMC } from "./chips.ts";
import { ramNeeded, type RamPlan, ramPlan } from "./ram.ts";
import { programUicr } from "./uicr.ts";

/** A block read held back until a flag word has every `mask` bit set. */
interface GatedRead {
  readonly flag: number;
  readonly mask: number;
  readonly address: number;
  readonly words: number;
}

/** A core that can start a function and collect its result later (overlapping work). */
interface OverlappingCore extends CortexMDebug {
  startFunction(ctx: RunContext, request: RunFunctionRequest): Promise<void>;
  finishFunction(ctx: RunContext, timeoutMs: number): Promise<number>;
}

/** A core that pipelines starts with memory traffic in one exchange (CMSIS-DAP). */
interface PipeliningCore extends OverlappingCore {
  startFunctionAndWrite(
    ctx: RunContext,
    request: RunFunctionRequest,
    address: number,
    data: Uint8Array,
  ): Promise<void>;
  finishFunctionResults(ctx: RunContext, timeoutMs: number, count: number): Promise<number[]>;
  writeMemoryBatchAndStart(
    ctx: RunContext,
    writes: readonly { address: number; data: Uint8Array }[],
    request: RunFunctionRequest,
  ): Promise<void>;
  runFunctionGated(
    ctx: RunContext,
    request: RunFunctionRequest,
    writes: readonly { address: number; data: Uint8Array }[],
    reads: readonly GatedRead[],
  ): Promise<Uint8Array[] | undefined>;
}

function canPipeline(core: CortexMDebug): core is PipeliningCore {
  return canOverlap(core) && "startFunctionAndWrite" in core && "runFunctionGated" in core &&
    "finishFunctionResults" in core && "writeMemoryBatchAndStart" in core;
}

function canOverlap(core: CortexMDebug): core is OverlappingCore {
  return "startFunction" in core && "finishFunction" in core;
}

/** `next` argument of the program stub when no erase follows. */
const NO_NEXT = 0xffffffff;
/** Progress bits the hash stub's thermometer word holds. */
const PROGRESS_BITS = 31;
/** Digests one gated read packet returns (14 words fill a 64-byte DAP_Transfer reply). */
const READ_DIGESTS = 7;

/** A micro:bit / nRF device session over a Cortex-M debug link. */
export class NrfDevice implements FlashDevice {
  readonly hashAlgorithms = ["murmur3x2"] as const;
  readonly hashGranularity = "block" as const;
  readonly hashPiece: number;
  readonly #ram: RamPlan;
  /** Digest of each page as the program stub read it back after writing, by address. */
  readonly #programmed = new Map<number, Uint8Array>();

  private constructor(
    readonly core: CortexMDebug,
    readonly chip: NrfChip,
    readonly info: DeviceInfo,
    readonly layout: FlashLayout,
  ) {
    this.#ram = ramPlan(layout.regions[0].blockSize);
    // 128-byte pieces (at least 16 a page): a partial page's uncovered part costs a few
    // digests to check, and the non-erased rest is read back with little waste.
    this.hashPiece = Math.min(128, layout.regions[0].blockSize / 16);
  }

  /** Halts the core, reads the flash geometry from FICR and loads the stubs. */
  static async open(
    ctx: RunContext,
    core: CortexMDebug,
    chip: NrfChip,
    details: Record<string, string> = {},
  ): Promise<NrfDevice> {
    await core.resetAndHalt(ctx);
    // CODEPAGESIZE and CODESIZE are adjacent words: one short read.
    const [ficr] = await core.readSpans(ctx, [{ address: FICR.CODEPAGESIZE, count: 2 }]);
    if (ficr instanceof Error) throw ficr;
    const [pageSize, pages] = ficr;
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
    // Both stubs in one write, once per connection.
    const { hashStub, programStub } = dev.#ram;
    const code = new Uint8Array(pad4(new Uint8Array(programStub - hashStub + PROGRAM_STUB.length)));
    code.set(HASH_STUB);
    code.set(PROGRAM_STUB, programStub - hashStub);
    await core.writeMemory(ctx, hashStub, code);
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
    const out: Uint8Array[] = new Array(ranges.length);
    const { hashSlots, hashDescriptors } = this.#ram;
    for (const batch of hashBatches(ranges, this.layout, hashSlots, hashDescriptors)) {
      const digests = await this.#hashBatch(ctx, batch);
      batch.slotOf.forEach((slot, k) => {
        out[batch.indexes[k]] = digests.slice(slot * 8, slot * 8 + 8);
      });
    }
    return out;
  }

  /** One stub call over a batch; the digests of its slots, in order. */
  async #hashBatch(ctx: RunContext, batch: HashBatch): Promise<Uint8Array> {
    const { hashStub, hashOut, stackTop, buffers } = this.#ram;
    const n = batch.slots;
    const chunk = Math.ceil(n / PROGRESS_BITS);
    // A descriptor of size 0 ends the list; the progress word and chunk size follow it, so
    // one write carries both.
    const table = new Uint32Array([
      ...batch.descriptors.flatMap((d) => [d.start, d.size, d.count]),
      0,
      0,
      0,
      0,
      chunk,
    ]);
    const hashProgress = buffers[0] + table.byteLength - 8;
    const request: RunFunctionRequest = {
      entry: hashStub,
      sp: stackTop,
      lr: hashStub,
      args: [buffers[0], batch.descriptors.length, hashOut, hashProgress],
      timeoutMs: this.#hashTimeoutMs(batch.bytes),
    };
    const writes = [{ address: buffers[0], data: new Uint8Array(table.buffer) }];
    if (canPipeline(this.core)) {
      const reads: GatedRead[] = [];
      for (let a = 0; a < n; a += READ_DIGESTS) {
        const b = Math.min(n, a + READ_DIGESTS);
        // Progress bit j means digests [0, (j+1)·chunk) are stored.
        const bit = Math.min(PROGRESS_BITS - 1, Math.ceil(b / chunk) - 1);
        reads.push({
          flag: hashProgress,
          mask: 1 << bit,
          address: hashOut + a * 8,
          words: 2 * (b - a),
        });
      }
      const r = await this.core.runFunctionGated(ctx, request, writes, reads);
      if (r) return concat(r);
      // A poll gave up before the stub got there: wait for the halt, then read it all.
      await this.core.finishFunction(ctx, request.timeoutMs);
    } else {
      for (const w of writes) await this.core.writeMemory(ctx, w.address, w.data);
      await this.core.runFunction(ctx, request);
    }
    return await this.core.readMemory(ctx, hashOut, n * 8);
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

  /**
   * Pages in order: the first page's erase starts with its upload; each program call then
   * writes its page, returns the page's digest as it reads back, and starts the next page's
   * erase, while the host streams the next page into the other buffer.
   */
  async #programPages(
    ctx: RunContext,
    pages: readonly { address: number; data: Uint8Array }[],
    total: number,
  ): Promise<void> {
    if (!pages.length) return;
    const { buffers, programStub, stackTop } = this.#ram;
    const timeoutMs = 1000 + 4 * this.chip.pageEraseMs +
      (pages[0].data.length / 4) * this.chip.wordWriteUs * 4 / 1000;
    const requests = pages.map((page, i): RunFunctionRequest => ({
      entry: programStub,
      sp: stackTop,
      lr: programStub,
      args: [page.address, buffers[i % 2], page.data.length, pages[i + 1]?.address ?? NO_NEXT],
      timeoutMs,
    }));
    // The first page's erase, its upload and (pipelined) its program call in one exchange:
    // the stub waits for the erase itself.
    await this.#startErase(ctx, pages[0].address, buffers[0], pages[0].data, requests[0]);
    let done = 0;
    for (let i = 0; i < pages.length; i++) {
      const page = pages[i], next = pages[i + 1], request = requests[i];
      let h: number[];
      if (canPipeline(this.core)) {
        if (i > 0) {
          if (next) {
            await this.core.startFunctionAndWrite(ctx, request, buffers[(i + 1) % 2], next.data);
          } else await this.core.startFunction(ctx, request);
        } else if (next) await this.core.writeMemory(ctx, buffers[1], next.data);
        h = await this.core.finishFunctionResults(ctx, timeoutMs, 2);
      } else if (canOverlap(this.core)) {
        await this.core.startFunction(ctx, request);
        if (next) await this.core.writeMemory(ctx, buffers[(i + 1) % 2], next.data);
        h = [await this.core.finishFunction(ctx, timeoutMs)];
        h.push(await this.core.readRegister(ctx, Reg.R1));
      } else {
        h = [await this.core.runFunction(ctx, request), await this.core.readRegister(ctx, Reg.R1)];
        if (next) await this.core.writeMemory(ctx, buffers[(i + 1) % 2], next.data);
      }
      this.#programmed.set(page.address, new Uint8Array(new Uint32Array(h).buffer));
      done += page.data.length;
      ctx.emit({ type: "progress", stage: "write", done, total, unit: "bytes" });
    }
  }

  /**
   * Starts erasing `page` through the NVMC registers and uploads its data meanwhile; on a
   * pipelining core the program call follows in the same exchange.
   */
  async #startErase(
    ctx: RunContext,
    page: number,
    buffer: number,
    data: Uint8Array,
    program: RunFunctionRequest,
  ): Promise<void> {
    const erase = [
      { address: NVMC.CONFIG, data: word(2) },
      { address: NVMC.ERASEPAGE, data: word(page) },
      { address: buffer, data },
    ];
    if (canPipeline(this.core)) await this.core.writeMemoryBatchAndStart(ctx, erase, program);
    else for (const w of erase) await this.core.writeMemory(ctx, w.address, w.data);
  }

  /**
   * Digest of the page at `address` as the program stub read it back right after writing it
   * in this session (murmur3x2), if it did.
   */
  programmedDigest(address: number): Uint8Array | undefined {
    return this.#programmed.get(address);
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

/** One hash descriptor: `count` consecutive ranges of `size` bytes from `start`. */
export interface HashDescriptor {
  readonly start: number;
  readonly size: number;
  readonly count: number;
}

/** One hash stub call: its descriptors, and which slot answers each requested range. */
export interface HashBatch {
  readonly descriptors: readonly HashDescriptor[];
  /** Digest slots the call fills. */
  readonly slots: number;
  /** Bytes hashed. */
  readonly bytes: number;
  /** Requested range indexes served by this call. */
  readonly indexes: readonly number[];
  /** Slot of each served range. */
  readonly slotOf: readonly number[];
}

/**
 * Sorts (by size, then address) and deduplicates the ranges and packs them into stub calls of at most `slots`
 * digests and `maxDescriptors` descriptors; equal-sized adjacent ranges share a descriptor.
 * Each range must be word-aligned, a multiple of 8 bytes and inside one page of a region.
 */
export function hashBatches(
  ranges: readonly AddressRange[],
  layout: FlashLayout,
  slots: number,
  maxDescriptors: number,
): HashBatch[] {
  // Small ranges first: they hash in no time, so their digests stream back while the
  // pages hash, instead of queueing behind them.
  const size = (r: AddressRange) => r.end - r.start;
  const order = ranges.map((r, i) => ({ r, i }))
    .sort((a, b) => size(a.r) - size(b.r) || a.r.start - b.r.start);
  for (const { r } of order) {
    const region = regionAt(layout, r.start);
    const page = region ? r.start - ((r.start - region.start) % region.blockSize) : 0;
    if (
      !region || r.start % 4 || (r.end - r.start) % 8 || r.end <= r.start ||
      r.end > page + region.blockSize
    ) {
      throw new DeviceError(
        `hash range 0x${r.start.toString(16)}–0x${
          r.end.toString(16)
        } is not a word-aligned part of one page, a multiple of 8 bytes long`,
      );
    }
  }
  const batches: HashBatch[] = [];
  let cur: {
    descriptors: HashDescriptor[];
    slots: number;
    bytes: number;
    indexes: number[];
    slotOf: number[];
  } | undefined;
  let prev: AddressRange | undefined;
  for (const { r, i } of order) {
    if (cur && prev && prev.start === r.start && prev.end === r.end) {
      cur.indexes.push(i); // the same range asked for twice
      cur.slotOf.push(cur.slots - 1);
      continue;
    }
    const bytes = size(r);
    const last = cur?.descriptors[cur.descriptors.length - 1];
    const extends_ = last && last.size === bytes && last.start + last.count * bytes === r.start;
    if (!cur || cur.slots >= slots || (!extends_ && cur.descriptors.length >= maxDescriptors)) {
      cur = { descriptors: [], slots: 0, bytes: 0, indexes: [], slotOf: [] };
      batches.push(cur);
    }
    const tail = cur.descriptors[cur.descriptors.length - 1];
    if (tail && tail.size === bytes && tail.start + tail.count * bytes === r.start) {
      cur.descriptors[cur.descriptors.length - 1] = { ...tail, count: tail.count + 1 };
    } else cur.descriptors.push({ start: r.start, size: bytes, count: 1 });
    cur.indexes.push(i);
    cur.slotOf.push(cur.slots);
    cur.slots++;
    cur.bytes += bytes;
    prev = r;
  }
  return batches;
}

function word(v: number): Uint8Array {
  return new Uint8Array(new Uint32Array([v >>> 0]).buffer);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function pad4(b: Uint8Array): Uint8Array {
  if (b.length % 4 === 0) return b;
  const out = new Uint8Array((b.length + 3) & ~3);
  out.set(b);
  return out;
}
