/**
 * An in-memory NOR flash device for kernel tests: erase to 0xFF, program clears bits only,
 * counts what it erased and wrote, and can fail on purpose.
 *
 * @module
 */
import type {
  AddressRange,
  FlashDevice,
  FlashLayout,
  HashAlgorithm,
  RunContext,
  TargetDefinition,
  WriteRun,
} from "../../kernel/mod.ts";
import { AbortedError, DeviceError } from "../../kernel/mod.ts";

/** Options for {@link MemoryDevice}. */
export interface MemoryDeviceOptions {
  /** Flash size. */
  size: number;
  /** Block size. */
  blockSize: number;
  /** Hash algorithms the device can compute. */
  hashes: HashAlgorithm[];
  /** `any` or `block`. */
  granularity?: "any" | "block";
  /** Whether `read` exists. */
  readable?: boolean;
  /** {@link FlashDevice.hashPiece}: hashes pieces of this size inside a block too. */
  hashPiece?: number;
}

/** In-memory flash device. */
export class MemoryDevice implements FlashDevice {
  readonly info = { chip: "memory" };
  readonly layout: FlashLayout;
  readonly hashAlgorithms: string[];
  readonly hashGranularity: "any" | "block";
  readonly flash: Uint8Array;
  readonly hashPiece?: number;
  /** Every `read` as [address, length]. */
  readonly reads: [number, number][] = [];
  erasedBlocks = 0;
  programmedBytes = 0;
  hashCalls = 0;
  /** When set, the block at this address is programmed wrongly (bit flip). */
  corruptAt?: number;
  /** When set, programming throws after this many blocks. */
  failAfterBlocks?: number;
  read?: (ctx: RunContext, address: number, length: number) => Promise<Uint8Array>;
  readonly #hashes: Map<string, HashAlgorithm>;

  constructor(readonly options: MemoryDeviceOptions) {
    this.flash = new Uint8Array(options.size).fill(0xff);
    this.layout = {
      regions: [{ name: "flash", start: 0, size: options.size, blockSize: options.blockSize }],
    };
    this.#hashes = new Map(options.hashes.map((h) => [h.name, h]));
    this.hashAlgorithms = options.hashes.map((h) => h.name);
    this.hashGranularity = options.granularity ?? "any";
    this.hashPiece = options.hashPiece;
    if (options.readable !== false) {
      this.read = (_ctx, address, length) => {
        this.reads.push([address, length]);
        return Promise.resolve(this.flash.slice(address, address + length));
      };
    }
  }

  hash(_ctx: RunContext, algorithm: string, ranges: readonly AddressRange[]) {
    this.hashCalls++;
    const h = this.#hashes.get(algorithm);
    if (!h) throw new DeviceError(`device cannot hash with ${algorithm}`);
    return Promise.resolve(ranges.map((r) => h.digest(this.flash.subarray(r.start, r.end))));
  }

  async program(ctx: RunContext, runs: readonly WriteRun[]) {
    const bs = this.options.blockSize;
    const total = runs.reduce((n, r) => n + r.data.length, 0);
    let blocks = 0;
    for (const run of runs) {
      for (let off = 0; off < run.data.length; off += bs) {
        if (ctx.signal.aborted) throw new AbortedError();
        await Promise.resolve();
        if (this.failAfterBlocks !== undefined && blocks >= this.failAfterBlocks) {
          throw new DeviceError("link lost");
        }
        const a = run.address + off;
        this.flash.fill(0xff, a, a + bs);
        this.erasedBlocks++;
        for (let i = 0; i < bs; i++) this.flash[a + i] &= run.data[off + i];
        if (this.corruptAt === a) this.flash[a] ^= 0x01;
        this.programmedBytes += bs;
        blocks++;
        ctx.emit({ type: "progress", stage: "write", done: blocks * bs, total, unit: "bytes" });
      }
    }
  }

  close() {
    return Promise.resolve();
  }
}

/** A target definition around a given device (for pipeline tests). */
export function memoryTarget(device: MemoryDevice, hash = "md5"): TargetDefinition {
  return {
    name: "memory",
    family: "test",
    description: "in-memory flash",
    link: "probe",
    layout: device.layout,
    hash,
    connect: () => Promise.resolve(device),
  };
}
