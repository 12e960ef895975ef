/**
 * Cortex-M debug over a CMSIS-DAP probe: implements {@link CortexMDebug} with batched,
 * pipelined register and memory access (the sequences themselves: core_batches.ts).
 *
 * @module
 */
import {
  AbortedError,
  DeviceError,
  type LinkStats,
  type RunContext,
  TimeoutError,
} from "../../kernel/mod.ts";
import { checkCortexMCore, type CoreSightReport } from "../cortexm/core_check.ts";
import { asError } from "../cortexm/spans.ts";
import {
  type CortexMDebug,
  type RunFunctionRequest,
  type WordSpan,
  type WordWrite,
} from "../cortexm/debug.ts";
import {
  ABORT_CLEAR_STICKY,
  AdiPort,
  AP,
  type Batch,
  type BatchResult,
  CSW_WORD_INC,
  DP,
  TAR_WRAP,
} from "./adi.ts";
import {
  addDebugBank,
  addHaltPoll,
  addRegisterRead,
  addRegisterWrite,
  addResetAndHalt,
  addResetRequest,
  addSpanRead,
  addStart,
  addWaitAndResult,
  AIRCR_SYSRESETREQ,
  BD_DHCSR,
  C_DEBUGEN,
  C_HALT,
  DBGKEY,
  MEM_AP,
  romTableBase,
  S_HALT,
  SCS,
} from "./core_batches.ts";
import type { DapProbe } from "./probe.ts";

export { romTableBase, SCS } from "./core_batches.ts";

/** A block read the probe holds back until the word at `flag` has every `mask` bit set. */
export interface GatedRead {
  /** Word-aligned address of the flag word. */
  readonly flag: number;
  /** Bits that must all be set. */
  readonly mask: number;
  /** Where to read. */
  readonly address: number;
  /** Words to read. */
  readonly words: number;
}

/** Options for bringing up the link. */
export interface DapCortexMOptions {
  /** SWD clock in Hz (DAPLink default 5–8 MHz; 10 MHz is what web tools ask for). */
  readonly clockHz?: number;
  /** Probe-side polls per read-with-match before it reports a mismatch. */
  readonly matchRetry?: number;
  /** Description for messages. */
  readonly description?: string;
  /** Walk the ROM table and require a Cortex-M core in it (default true). */
  readonly checkCore?: boolean;
}

/** MEM-AP BASE register offset. */
const AP_BASE = 0xf8;

/** A Cortex-M core behind a CMSIS-DAP probe. */
export class DapCortexM implements CortexMDebug {
  readonly description: string;
  readonly port: AdiPort;
  #coreSight: CoreSightReport | undefined;

  private constructor(readonly probe: DapProbe, description: string) {
    this.port = new AdiPort(probe);
    this.description = description;
  }

  /** Brings up SWD, powers the debug domain and returns the core. */
  static async connect(
    ctx: RunContext,
    probe: DapProbe,
    options: DapCortexMOptions = {},
  ): Promise<DapCortexM> {
    if (!probe.capabilitiesKnown) await probe.readCapabilities(ctx);
    await probe.connectSwd(ctx, options.clockHz ?? 10_000_000, 100, options.matchRetry ?? 4096);
    const core = new DapCortexM(probe, options.description ?? "CMSIS-DAP");
    // One packet: DPIDR (the first read a line reset allows), ABORT clearing the sticky
    // flags, then the power-up request and its acknowledge polled in the probe.
    const up = await core.port.run(ctx, (b) =>
      b.dpRead(DP.DPIDR)
        .dpWrite(DP.ABORT, ABORT_CLEAR_STICKY)
        .dpWrite(DP.SELECT, 0)
        .dpWrite(DP.CTRL_STAT, 0x50000000) // CSYSPWRUPREQ | CDBGPWRUPREQ
        .matchRead(null, DP.CTRL_STAT, 0xa0000000, 0xa0000000));
    if (!up.matched) {
      throw new DeviceError("the debug power domain did not come up", {
        hint: "the chip may be protected or unpowered",
      });
    }
    if (options.checkCore ?? true) await core.checkCore(ctx);
    return core;
  }

  /**
   * Walks the ROM table that the MEM-AP's BASE register names and requires a Cortex-M core in
   * it (DeviceError `E_NO_CORE` otherwise); {@link coreSight} keeps what was found. When it
   * fails, a chip-specific access check (a locked part) may have the better message.
   */
  async checkCore(ctx: RunContext): Promise<CoreSightReport> {
    // BASE and DEMCR in one exchange; when DEMCR cannot be read, BASE alone.
    const both = await this.port.run(ctx, (b) => {
      b.apRead(MEM_AP, AP_BASE).memRead(MEM_AP, SCS.DEMCR);
    }).catch(() => undefined);
    const base = both?.values[0] ??
      (await this.port.run(ctx, (b) => b.apRead(MEM_AP, AP_BASE))).values[0];
    const report = await checkCortexMCore(ctx, this, {
      base: romTableBase(base),
      demcr: both?.values[1],
    });
    for (const p of report.problems) ctx.log.debug(`CoreSight: ${p}`);
    this.#coreSight = report;
    return report;
  }

  /** The CoreSight components found on connect (undefined when the check was skipped). */
  get coreSight(): CoreSightReport | undefined {
    return this.#coreSight;
  }

  stats(): LinkStats {
    return this.probe.stats();
  }

  async readMemory(ctx: RunContext, address: number, length: number): Promise<Uint8Array> {
    aligned(address, length);
    if (length === 0) return new Uint8Array(0);
    const r = await this.port.run(ctx, (b) => b.memReadBlock(MEM_AP, address, length / 4));
    return new Uint8Array(Uint32Array.from(r.values).buffer);
  }

  /**
   * One pipelined exchange: the writes, then every span (short ones as single reads packed
   * several to a packet). When it fails, the writes are repeated and each span is read on its
   * own, so a fault is pinned to the span that met it.
   */
  async readSpans(
    ctx: RunContext,
    spans: readonly WordSpan[],
    writes: readonly WordWrite[] = [],
  ): Promise<(Uint32Array | Error)[]> {
    for (const s of spans) aligned(s.address, 4 * s.count);
    for (const w of writes) aligned(w.address, 4);
    try {
      const r = await this.port.run(ctx, (b) => {
        for (const w of writes) b.memWrite(MEM_AP, w.address, w.value);
        for (const s of spans) addSpanRead(b, s);
      });
      let at = 0;
      return spans.map((s) => Uint32Array.from(r.values.slice(at, at += s.count)));
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      if (spans.length === 1 && !writes.length) return [asError(e)];
    }
    for (const w of writes) await this.writeWord(ctx, w.address, w.value);
    const out: (Uint32Array | Error)[] = [];
    for (const s of spans) {
      out.push(
        await this.port.run(ctx, (b) => addSpanRead(b, s)).then(
          (r) => Uint32Array.from(r.values),
          asError,
        ),
      );
    }
    return out;
  }

  async writeMemory(ctx: RunContext, address: number, data: Uint8Array): Promise<void> {
    aligned(address, data.length);
    if (data.length === 0) return;
    await this.port.run(ctx, (b) => b.memWriteBlock(MEM_AP, address, toWords(data)));
  }

  /** Several writes, then a function's start, in one pipelined exchange. */
  async writeMemoryBatchAndStart(
    ctx: RunContext,
    writes: readonly { address: number; data: Uint8Array }[],
    request: RunFunctionRequest,
  ): Promise<void> {
    for (const w of writes) aligned(w.address, w.data.length);
    await this.port.run(ctx, (b) => {
      for (const w of writes) {
        // Single words as plain transfers: they share a packet with what follows.
        if (w.data.length === 4) b.memWrite(MEM_AP, w.address, toWords(w.data)[0]);
        else if (w.data.length) b.memWriteBlock(MEM_AP, w.address, toWords(w.data));
      }
      addStart(b, request);
    });
  }

  async readWord(ctx: RunContext, address: number): Promise<number> {
    return (await this.port.run(ctx, (b) => b.memRead(MEM_AP, address))).values[0];
  }

  async writeWord(ctx: RunContext, address: number, value: number): Promise<void> {
    await this.port.run(ctx, (b) => b.memWrite(MEM_AP, address, value));
  }

  async readRegister(ctx: RunContext, reg: number): Promise<number> {
    const r = await this.#runChecked(ctx, "register read", (b) => {
      addDebugBank(b);
      addRegisterRead(b, reg);
    });
    return r.values[0];
  }

  async writeRegister(ctx: RunContext, reg: number, value: number): Promise<void> {
    await this.#runChecked(ctx, "register write", (b) => {
      addDebugBank(b);
      addRegisterWrite(b, reg, value);
    });
  }

  async #runChecked(ctx: RunContext, what: string, build: (b: Batch) => void) {
    const r = await this.port.run(ctx, build);
    if (!r.matched) {
      throw new DeviceError(`${what} timed out (S_REGRDY stayed clear)`, {
        hint: "the core must be halted for register access",
      });
    }
    return r;
  }

  async halt(ctx: RunContext): Promise<void> {
    await this.#untilHalted(ctx, 1000, (b) => {
      addDebugBank(b);
      b.apWrite(MEM_AP, BD_DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
    });
  }

  async resume(ctx: RunContext): Promise<void> {
    await this.port.run(ctx, (b) => {
      b.memWrite(MEM_AP, SCS.DFSR, 0x1f); // clear stale halt reasons
      addDebugBank(b);
      b.apWrite(MEM_AP, BD_DHCSR, DBGKEY | C_DEBUGEN);
    });
  }

  async isHalted(ctx: RunContext): Promise<boolean> {
    const r = await this.port.run(ctx, (b) => b.memRead(MEM_AP, SCS.DHCSR));
    return (r.values[0] & S_HALT) !== 0;
  }

  async resetAndHalt(ctx: RunContext): Promise<void> {
    const r = await this.port.run(ctx, addResetAndHalt);
    this.port.invalidate();
    if (r.matched) return;
    // A poll gave up (a slow reset, a core slow to halt): the same steps, each waited for.
    await this.halt(ctx);
    await this.port.run(ctx, addResetRequest);
    this.port.invalidate();
    await this.#untilHalted(ctx, 1000, () => {});
    await this.port.run(ctx, (b) => b.memWrite(MEM_AP, SCS.DEMCR, 0));
  }

  async reset(ctx: RunContext): Promise<void> {
    await this.port.run(ctx, (b) => {
      b.memWrite(MEM_AP, SCS.DEMCR, 0);
      b.memWrite(MEM_AP, SCS.DHCSR, DBGKEY); // leave debug mode so the core runs freely
      b.memWrite(MEM_AP, SCS.AIRCR, AIRCR_SYSRESETREQ);
    });
    this.port.invalidate();
  }

  async runFunction(ctx: RunContext, request: RunFunctionRequest): Promise<number> {
    const deadline = ctx.clock.now() + request.timeoutMs;
    const first = await this.port.run(ctx, (b) => {
      addStart(b, request);
      addWaitAndResult(b);
    });
    if (first.matched) return first.values[first.values.length - 1];
    return await this.finishFunction(ctx, deadline - ctx.clock.now());
  }

  /**
   * Sets the registers and resumes without waiting, so the caller can overlap other work
   * (the next page upload) with the function; {@link finishFunction} collects r0.
   */
  async startFunction(ctx: RunContext, request: RunFunctionRequest): Promise<void> {
    await this.port.run(ctx, (b) => addStart(b, request));
  }

  /**
   * {@link startFunction} and a memory write in one pipelined exchange: the write (e.g. the
   * next page into the idle buffer) follows the resume without waiting for its replies.
   */
  async startFunctionAndWrite(
    ctx: RunContext,
    request: RunFunctionRequest,
    address: number,
    data: Uint8Array,
  ): Promise<void> {
    aligned(address, data.length);
    await this.port.run(ctx, (b) => {
      addStart(b, request);
      if (data.length) b.memWriteBlock(MEM_AP, address, toWords(data));
    });
  }

  /** Waits (polling DHCSR.S_HALT inside the probe) for the halt; returns r0. */
  async finishFunction(ctx: RunContext, timeoutMs: number): Promise<number> {
    return (await this.finishFunctionResults(ctx, timeoutMs, 1))[0];
  }

  /** Like {@link finishFunction}, returning r0 … r(count-1) read in the same packets. */
  async finishFunctionResults(
    ctx: RunContext,
    timeoutMs: number,
    count: number,
  ): Promise<number[]> {
    const r = await this.#untilHalted(ctx, timeoutMs, () => {}, count);
    return r.values.slice(r.values.length - count);
  }

  /**
   * One pipelined exchange: `writes`, the function's start, then each gated read (the probe
   * polls the flag word until every mask bit is set, then reads the block, so the reads
   * overlap the function). The last read's flag must be the function's last act before its
   * `bkpt`, so no halt poll follows (the next start halts the core anyway). Returns the
   * blocks, or undefined when a poll gave up (the caller then waits with
   * {@link finishFunction} and reads again).
   */
  async runFunctionGated(
    ctx: RunContext,
    request: RunFunctionRequest,
    writes: readonly { address: number; data: Uint8Array }[],
    reads: readonly GatedRead[],
  ): Promise<Uint8Array[] | undefined> {
    for (const w of writes) aligned(w.address, w.data.length);
    for (const g of reads) aligned(g.flag, 4 * g.words);
    const r = await this.port.run(ctx, (b) => {
      for (const w of writes) b.memWriteBlock(MEM_AP, w.address, toWords(w.data));
      addStart(b, request);
      for (const g of reads) {
        // The banked data registers read the flag without moving TAR, so polls stay put; the
        // words are single DRW reads so poll and data share one DAP_Transfer packet.
        b.apWrite(MEM_AP, AP.CSW, CSW_WORD_INC).apWrite(MEM_AP, AP.TAR, g.flag & ~0xf);
        b.matchRead(MEM_AP, AP.BD0 + (g.flag & 0xc), g.mask, g.mask);
        for (let k = 0; k < g.words; k++) {
          const a = g.address + 4 * k;
          // TAR auto-increment only runs within 1 KiB.
          if (k === 0 || a % TAR_WRAP === 0) b.apWrite(MEM_AP, AP.TAR, a);
          b.apRead(MEM_AP, AP.DRW);
        }
      }
    });
    if (!r.matched) return undefined;
    const blocks: Uint8Array[] = [];
    let at = 0;
    for (const g of reads) {
      blocks.push(new Uint8Array(Uint32Array.from(r.values.slice(at, at + g.words)).buffer));
      at += g.words;
    }
    return blocks;
  }

  async #untilHalted(
    ctx: RunContext,
    timeoutMs: number,
    prefix: (b: Batch) => void,
    results = 0,
  ): Promise<BatchResult> {
    const deadline = ctx.clock.now() + Math.max(0, timeoutMs);
    for (let first = true;; first = false) {
      const r = await this.port.run(ctx, (b) => {
        if (first) prefix(b);
        if (results) addWaitAndResult(b, results);
        else addHaltPoll(b);
      });
      if (r.matched) return r;
      if (ctx.clock.now() >= deadline) {
        throw new TimeoutError(`the core did not halt within ${Math.round(timeoutMs)} ms`, {
          hint: "reset the board and try again",
        });
      }
      await ctx.clock.sleep(1, ctx.signal); // one USB frame before polling again
    }
  }

  close(): Promise<void> {
    return this.probe.close();
  }
}

function aligned(address: number, length: number): void {
  if (address % 4 || length % 4) {
    throw new RangeError(`unaligned access 0x${address.toString(16)}+${length}`);
  }
}

function toWords(data: Uint8Array): Uint32Array {
  if (data.byteOffset % 4 === 0) {
    return new Uint32Array(data.buffer, data.byteOffset, data.length / 4);
  }
  return new Uint32Array(data.slice().buffer);
}
