/**
 * ARM Debug Interface v5 over CMSIS-DAP: DP and AP register access with SELECT and CSW
 * caching, MEM-AP block transfers split at 1 KiB TAR boundaries, and sticky-error recovery
 * (ABORT, then one retry, then a typed error).
 *
 * @module
 */
import { DeviceError, type RunContext } from "../../kernel/mod.ts";
import type { DapProbe } from "./probe.ts";
import {
  Ack,
  ackName,
  blockCapacity,
  decodeBlock,
  decodeTransfer,
  encodeBlockRead,
  encodeBlockWrite,
  encodeTransfer,
  packTransfers,
  Req,
  type TransferOp,
  type TransferResult,
} from "./protocol.ts";

/** DP register addresses. */
export const DP = { DPIDR: 0x0, ABORT: 0x0, CTRL_STAT: 0x4, SELECT: 0x8, RDBUFF: 0xc } as const;
/** MEM-AP register addresses. */
export const AP = { CSW: 0x00, TAR: 0x04, DRW: 0x0c, BD0: 0x10, IDR: 0xfc } as const;
/** ABORT value clearing every sticky flag (STKCMPCLR, STKERRCLR, WDERRCLR, ORUNERRCLR). */
export const ABORT_CLEAR_STICKY = 0x1e;
/** CSW: 32-bit, single auto-increment, DbgStatus, HPROT1, MasterType (as DAPLink tools use). */
export const CSW_WORD_INC = 0x23000052;
/** TAR auto-increment is only guaranteed within a 1 KiB block (ADIv5 §7.2.2). */
export const TAR_WRAP = 0x400;

type Item =
  | { kind: "ops"; ops: TransferOp[] }
  | { kind: "block"; req: number; words?: ArrayLike<number>; count: number };

/** Outcome of running a batch: read values in order, and whether every match read matched. */
export interface BatchResult {
  /** Words read (transfer reads and block reads, in order). */
  readonly values: number[];
  /** False when a read-with-match gave up (the rest of its packet did not run). */
  readonly matched: boolean;
}

/**
 * A list of register accesses built by one ADI operation. Caches live in the port, so a
 * batch must be rebuilt (not replayed) after the caches are invalidated.
 */
export class Batch {
  readonly items: Item[] = [];
  readonly #port: AdiPort;
  #once = false;

  constructor(port: AdiPort) {
    this.#port = port;
  }

  /**
   * Marks the batch as one that must not run twice: it lets the core run code. The probe
   * carries on with the packets queued behind a failed one, so a failure before the resume
   * can leave the core running with some of its registers unset; a retry cannot undo that.
   */
  once(): this {
    this.#once = true;
    return this;
  }

  /** True when {@link once} was called. */
  get runsOnce(): boolean {
    return this.#once;
  }

  #op(req: number, value?: number): void {
    const last = this.items[this.items.length - 1];
    if (last?.kind === "ops") last.ops.push({ req, value });
    else this.items.push({ kind: "ops", ops: [{ req, value }] });
  }

  #select(apsel: number, reg: number): void {
    const value = ((apsel & 0xff) << 24) | (reg & 0xf0);
    if (this.#port.cachedSelect === value) return;
    this.#op(DP.SELECT, value >>> 0);
    this.#port.cachedSelect = value;
  }

  /** DP register read. */
  dpRead(reg: number): this {
    this.#op(Req.READ | (reg & 0xc));
    return this;
  }

  /** DP register write. */
  dpWrite(reg: number, value: number): this {
    if (reg === DP.SELECT) this.#port.cachedSelect = value;
    this.#op(reg & 0xc, value >>> 0);
    return this;
  }

  /** AP register read. */
  apRead(apsel: number, reg: number): this {
    this.#select(apsel, reg);
    this.#op(Req.AP | Req.READ | (reg & 0xc));
    return this;
  }

  /** AP register write (CSW writes go through the cache). */
  apWrite(apsel: number, reg: number, value: number): this {
    if (reg === AP.CSW) {
      const key = apsel;
      if (this.#port.cachedCsw.get(key) === value) return this;
      this.#port.cachedCsw.set(key, value);
    }
    this.#select(apsel, reg);
    this.#op(Req.AP | (reg & 0xc), value >>> 0);
    return this;
  }

  /** Polls a DP/AP register inside the probe until `(value & mask) === match`. */
  matchRead(apsel: number | null, reg: number, mask: number, match: number): this {
    if (apsel !== null) this.#select(apsel, reg);
    const ap = apsel !== null ? Req.AP : 0;
    this.#op(ap | Req.MATCH_MASK | (reg & 0xc), mask >>> 0);
    this.#op(ap | Req.READ | Req.MATCH_VALUE | (reg & 0xc), match >>> 0);
    return this;
  }

  /** Writes one word of target memory through MEM-AP `apsel`. */
  memWrite(apsel: number, address: number, value: number): this {
    this.apWrite(apsel, AP.CSW, CSW_WORD_INC);
    this.apWrite(apsel, AP.TAR, address);
    this.apWrite(apsel, AP.DRW, value);
    return this;
  }

  /** Reads one word of target memory. */
  memRead(apsel: number, address: number): this {
    this.apWrite(apsel, AP.CSW, CSW_WORD_INC);
    this.apWrite(apsel, AP.TAR, address);
    this.apRead(apsel, AP.DRW);
    return this;
  }

  /** Writes words at a word-aligned address, one TAR write per 1 KiB block. */
  memWriteBlock(apsel: number, address: number, words: Uint32Array): this {
    this.apWrite(apsel, AP.CSW, CSW_WORD_INC);
    let i = 0;
    while (i < words.length) {
      const a = address + 4 * i;
      const n = Math.min(words.length - i, (TAR_WRAP - (a % TAR_WRAP)) / 4);
      this.apWrite(apsel, AP.TAR, a);
      this.#select(apsel, AP.DRW);
      const cap = blockCapacity(this.#port.probe.packetSize, false);
      for (let j = 0; j < n; j += cap) {
        const part = words.subarray(i + j, i + Math.min(n, j + cap));
        this.items.push({ kind: "block", req: Req.AP | AP.DRW, words: part, count: part.length });
      }
      i += n;
    }
    return this;
  }

  /**
   * Reads `count` words as single DRW reads inside DAP_Transfer packets (TAR written again at
   * each 1 KiB boundary): short reads share packets with what comes before and after them,
   * where a DAP_TransferBlock would take a packet of its own.
   */
  memReadWords(apsel: number, address: number, count: number): this {
    this.apWrite(apsel, AP.CSW, CSW_WORD_INC);
    for (let k = 0; k < count; k++) {
      const a = address + 4 * k;
      if (k === 0 || a % TAR_WRAP === 0) this.apWrite(apsel, AP.TAR, a);
      this.apRead(apsel, AP.DRW);
    }
    return this;
  }

  /** Reads `count` words from a word-aligned address. */
  memReadBlock(apsel: number, address: number, count: number): this {
    this.apWrite(apsel, AP.CSW, CSW_WORD_INC);
    let i = 0;
    while (i < count) {
      const a = address + 4 * i;
      const n = Math.min(count - i, (TAR_WRAP - (a % TAR_WRAP)) / 4);
      this.apWrite(apsel, AP.TAR, a);
      this.#select(apsel, AP.DRW);
      const cap = blockCapacity(this.#port.probe.packetSize, true);
      for (let j = 0; j < n; j += cap) {
        this.items.push({ kind: "block", req: Req.AP | AP.DRW, count: Math.min(cap, n - j) });
      }
      i += n;
    }
    return this;
  }
}

type Packet =
  | { kind: "ops"; ops: TransferOp[]; bytes: Uint8Array }
  | { kind: "block"; count: number; bytes: Uint8Array; write: boolean };

/** A debug port with its caches. */
export class AdiPort {
  /** Last SELECT value written, if known. */
  cachedSelect: number | undefined;
  /** Last CSW written per AP. */
  readonly cachedCsw = new Map<number, number>();

  constructor(readonly probe: DapProbe) {}

  /** Forgets cached SELECT and CSW (after an error or a reset). */
  invalidate(): void {
    this.cachedSelect = undefined;
    this.cachedCsw.clear();
  }

  /**
   * Builds and runs a batch pipelined. On a FAULT/WAIT/protocol error the sticky flags are
   * cleared with DAP_WriteABORT, the caches dropped and the batch rebuilt and run once more;
   * a second failure is a DeviceError. A batch marked {@link Batch.once} is not run again:
   * its failure is a DeviceError at once.
   */
  async run(ctx: RunContext, build: (b: Batch) => void): Promise<BatchResult> {
    for (let attempt = 0;; attempt++) {
      const batch = new Batch(this);
      build(batch);
      const outcome = await this.#execute(ctx, batch);
      if (!("error" in outcome)) return outcome;
      this.invalidate();
      // DAPABORT too when the failure was WAIT: it cancels the stalled AP transaction.
      const wait = (outcome.ack & 7) === Ack.WAIT;
      await this.probe.writeAbort(ctx, ABORT_CLEAR_STICKY | (wait ? 1 : 0));
      if (batch.runsOnce) {
        throw new DeviceError(
          `SWD transfer failed while starting code on the core: ${outcome.error}`,
          {
            code: "E_SWD",
            hint:
              "run the same command again: the flash is hashed afresh and what differs is rewritten",
          },
        );
      }
      if (attempt >= 1) {
        throw new DeviceError(`SWD transfer failed twice: ${outcome.error}`, {
          code: "E_SWD",
          hint: "check the board is powered and not held in reset, then try again",
        });
      }
      ctx.log.debug(`SWD ${outcome.error}; cleared sticky errors, retrying`);
    }
  }

  async #execute(
    ctx: RunContext,
    batch: Batch,
  ): Promise<BatchResult | { error: string; ack: number }> {
    const packets: Packet[] = [];
    for (const it of batch.items) {
      if (it.kind === "ops") {
        for (const g of packTransfers(it.ops, this.probe.packetSize)) {
          packets.push({ kind: "ops", ops: g, bytes: encodeTransfer(g) });
        }
      } else {
        const bytes = it.words
          ? encodeBlockWrite(it.req, it.words)
          : encodeBlockRead(it.req, it.count);
        packets.push({ kind: "block", count: it.count, bytes, write: !!it.words });
      }
    }
    const replies = await this.probe.exchange(ctx, packets.map((p) => p.bytes));
    const values: number[] = [];
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i];
      let r: TransferResult;
      let complete: boolean;
      if (p.kind === "ops") {
        r = decodeTransfer(replies[i], p.ops);
        complete = r.done === p.ops.length;
      } else {
        r = decodeBlock(replies[i]);
        complete = r.done === p.count;
      }
      // A block write's reply carries no data words.
      if (p.kind === "ops" || !p.write) values.push(...r.values);
      if (r.ack & Ack.MISMATCH) return { values, matched: false };
      if ((r.ack & 7) !== Ack.OK || (r.ack & Ack.PROTOCOL_ERROR) || !complete) {
        return { error: `${ackName(r.ack)} in packet ${i + 1}/${packets.length}`, ack: r.ack };
      }
    }
    return { values, matched: true };
  }
}
