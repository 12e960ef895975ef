/**
 * {@link CortexMDebug} over the GDB remote serial protocol: QEMU's gdbstub, OpenOCD, pyOCD
 * or a Black Magic Probe.
 *
 * Running a function: registers are set with `P`, breakpoints go on the return address and on
 * every `bkpt` instruction near the entry, then `vCont;c` and a wait for the stop reply. The
 * breakpoints matter on QEMU: it has no halting debug, so an executed `bkpt` on an M-profile
 * core escalates to HardFault instead of stopping (seen with QEMU 7.2 `-M microbit`).
 *
 * @module
 */
import {
  type ByteStream,
  createContext,
  DeviceError,
  type LinkStats,
  type RunContext,
  TimeoutError,
} from "../../kernel/mod.ts";
import { checkCortexMCore, type CoreSightReport } from "../cortexm/core_check.ts";
import {
  type CortexMDebug,
  Reg,
  type RunFunctionRequest,
  type WordSpan,
  type WordWrite,
} from "../cortexm/debug.ts";
import { readMergedSpans } from "../cortexm/spans.ts";
import { RspClient } from "./client.ts";
import {
  escapeBinary,
  GDB_PROTOCOL_ERROR,
  hex,
  hexLe32,
  latin1,
  parseLe32,
  unhex,
} from "./codec.ts";
import {
  gOffset,
  readRegisterLayout,
  readXfer,
  registerFor,
  type RegisterInfo,
  type RegisterLayout,
} from "./registers.ts";
import type { StopReply } from "./stop_reply.ts";
import { BkptFinder } from "./bkpt_finder.ts";
import { faultError, hardFaultEntry } from "./fault_catch.ts";
import { DEFAULT_STORE_SCRATCH, isMmio, storeWordViaCpu } from "./qemu_mmio.ts";

/** Options of {@link GdbCortexMDebug.connect}. */
export interface GdbDebugOptions {
  /** Link description for messages (default `GDB`). */
  description?: string;
  /** Reply timeout in ms (default 2000). */
  timeoutMs?: number;
  /** Monitor command that resets and halts (default: QEMU's `system_reset` on QEMU, else AIRCR). */
  resetCommand?: string;
  /** Bytes after a function's entry searched for `bkpt` instructions (default 1024). */
  bkptScanBytes?: number;
  /**
   * What {@link GdbCortexMDebug.close} does: `detach` (default; the core runs on, from a
   * reset when our code ran on it since the last one, never from a stub's breakpoint) or
   * `none` (the connection is dropped, the core stays as it is).
   */
  onClose?: "detach" | "none";
  /** Scan the SWD bus and attach to target 1 first (a Black Magic Probe starts detached). */
  attachFirstTarget?: boolean;
  /** QEMU only: 4 bytes of RAM for the routine that stores to peripheral registers. */
  storeScratch?: number;
  /** Walk the ROM table and require a Cortex-M core (default true). */
  checkCore?: boolean;
}

const DEMCR = 0xe000edfc, AIRCR = 0xe000ed0c, RAM_START = 0x20000000;

/** A Cortex-M core behind a gdbserver. */
export class GdbCortexMDebug implements CortexMDebug {
  readonly description: string;
  /** The protocol client (for extra commands and counters). */
  readonly client: RspClient;
  /** Register numbering in use. */
  readonly layout: RegisterLayout;
  /** True when the server is QEMU's gdbstub. */
  readonly qemu: boolean;
  readonly #options: GdbDebugOptions;
  readonly #hasVCont: boolean;
  #running = false;
  #ranCode = false;
  #binaryWrites: boolean | undefined;
  #useG = false;
  #coreSight: CoreSightReport | undefined;
  get #scratch(): number {
    return this.#options.storeScratch ?? DEFAULT_STORE_SCRATCH;
  }
  readonly #bkpts: BkptFinder;

  private constructor(
    client: RspClient,
    layout: RegisterLayout,
    qemu: boolean,
    hasVCont: boolean,
    options: GdbDebugOptions,
  ) {
    this.client = client;
    this.layout = layout;
    this.qemu = qemu;
    this.#hasVCont = hasVCont;
    this.#options = options;
    this.description = options.description ?? "GDB";
    this.#bkpts = new BkptFinder(
      (ctx, a, n) => this.readMemory(ctx, a, n),
      options.bkptScanBytes ?? 1024,
    );
  }

  /** Handshakes over `stream`, reads the register description and the halt state. */
  static async connect(
    ctx: RunContext,
    stream: ByteStream,
    options: GdbDebugOptions = {},
  ): Promise<GdbCortexMDebug> {
    const client = new RspClient(stream, {
      description: options.description,
      timeoutMs: options.timeoutMs,
    });
    try {
      await client.handshake(ctx);
      if (options.attachFirstTarget) await attachFirst(ctx, client);
      const layout = await readRegisterLayout(ctx, client);
      const qemu = layout.source === "target.xml" &&
        /org\.qemu\.gdb/.test(
          await readXfer(ctx, client, "target.xml").catch(() => "") +
            await readXfer(ctx, client, "system-registers.xml").catch(() => ""),
        );
      const vcont = await client.request(ctx, "vCont?");
      const debug = new GdbCortexMDebug(client, layout, qemu, /;c\b/.test(vcont), options);
      const stop = await client.request(ctx, "?");
      client.discardStops();
      if (/^[WX]/.test(stop)) throw new DeviceError(`${debug.description}: target has exited`);
      if (options.checkCore ?? true) {
        // The gdbserver owns DEMCR (and QEMU drops debug writes to it): walk without TRCENA.
        debug.#coreSight = await checkCortexMCore(ctx, debug, { enableTrace: false });
        for (const p of debug.#coreSight.problems) ctx.log.debug(`CoreSight: ${p}`);
      }
      return debug;
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  /** The CoreSight components found on connect (undefined when the check was skipped). */
  get coreSight(): CoreSightReport | undefined {
    return this.#coreSight;
  }

  async readMemory(ctx: RunContext, address: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const chunk = Math.max(4, Math.floor((this.client.packetSize - 8) / 2) & ~3);
    let done = 0;
    while (done < length) {
      const n = Math.min(chunk, length - done);
      const reply = await this.client.command(ctx, `m${hx(address + done)},${hx(n)}`);
      const bytes = unhex(reply);
      if (bytes.length === 0) {
        throw new DeviceError(`${this.description}: empty read at 0x${hx(address + done)}`);
      }
      out.set(bytes.subarray(0, n), done);
      done += Math.min(n, bytes.length);
    }
    return out;
  }

  async writeMemory(ctx: RunContext, address: number, data: Uint8Array): Promise<void> {
    this.#bkpts.invalidate(address, data.length);
    if (this.qemu && isMmio(address)) {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let i = 0; i + 4 <= data.length; i += 4) {
        await storeWordViaCpu(ctx, this, address + i, view.getUint32(i, true), this.#scratch);
      }
      return;
    }
    if (this.#binaryWrites === undefined) {
      this.#binaryWrites = (await this.client.request(ctx, `X${hx(address)},0:`)) === "OK";
    }
    // Room left for data once `$X<addr>,<len>:…#cs` is framed (at most 23 bytes).
    const budget = this.client.packetSize - 24;
    if (budget < 2) {
      throw new DeviceError(
        `${this.description}: the server's PacketSize ${this.client.packetSize} leaves no room ` +
          `for data in a memory write`,
        { code: GDB_PROTOCOL_ERROR, hint: "configure the gdbserver with a larger packet size" },
      );
    }
    let done = 0;
    while (done < data.length) {
      const at = address + done;
      if (this.#binaryWrites) {
        // Grow the chunk while its escaped form fits the packet.
        let n = 0, size = 0;
        while (done + n < data.length) {
          const b = data[done + n];
          const w = b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a ? 2 : 1;
          if (size + w > budget) break;
          size += w;
          n++;
        }
        const body = escapeBinary(data.subarray(done, done + n));
        const head = latin1(`X${hx(at)},${hx(n)}:`);
        const packet = new Uint8Array(head.length + body.length);
        packet.set(head);
        packet.set(body, head.length);
        await this.#expectOk(ctx, String.fromCharCode(...packet), "X");
        done += n;
      } else {
        const n = Math.min(Math.floor(budget / 2), data.length - done);
        await this.#expectOk(ctx, `M${hx(at)},${hx(n)}:${hex(data.subarray(done, done + n))}`, "M");
        done += n;
      }
    }
  }

  /** One `m` request per group of spans at most 16 bytes apart (a block's ID words are). */
  async readSpans(
    ctx: RunContext,
    spans: readonly WordSpan[],
    writes: readonly WordWrite[] = [],
  ): Promise<(Uint32Array | Error)[]> {
    for (const w of writes) await this.writeWord(ctx, w.address, w.value);
    return await readMergedSpans(async (address, count) => {
      const bytes = await this.readMemory(ctx, address, count * 4);
      return new Uint32Array(bytes.slice().buffer);
    }, 16)(spans);
  }

  async readWord(ctx: RunContext, address: number): Promise<number> {
    const b = await this.readMemory(ctx, address, 4);
    return new DataView(b.buffer, b.byteOffset).getUint32(0, true);
  }

  async writeWord(ctx: RunContext, address: number, value: number): Promise<void> {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    await this.writeMemory(ctx, address, b);
  }

  async readRegister(ctx: RunContext, reg: number): Promise<number> {
    const info = this.#reg(reg);
    if (!this.#useG) {
      const reply = await this.client.command(ctx, `p${hx(info.regnum)}`);
      if (reply !== "") return parseLe32(reply.slice(0, 8));
      this.#useG = true;
    }
    const g = await this.client.command(ctx, "g");
    const off = gOffset(this.layout, info) * 2;
    return parseLe32(g.slice(off, off + 8));
  }

  async writeRegister(ctx: RunContext, reg: number, value: number): Promise<void> {
    const info = this.#reg(reg);
    if (!this.#useG) {
      const reply = await this.client.command(ctx, `P${hx(info.regnum)}=${hexLe32(value)}`);
      if (reply === "OK") return;
      if (reply !== "") throw new DeviceError(`${this.description}: P failed with ${reply}`);
      this.#useG = true;
    }
    const g = await this.client.command(ctx, "g");
    const off = gOffset(this.layout, info) * 2;
    const next = g.slice(0, off) + hexLe32(value) + g.slice(off + 8);
    await this.#expectOk(ctx, `G${next}`, "G");
  }

  async halt(ctx: RunContext): Promise<void> {
    if (!this.#running) return;
    if (this.client.pollStop()) {
      this.#running = false;
      return;
    }
    await this.client.interrupt();
    await this.client.waitStop(ctx, this.#options.timeoutMs ?? 2000);
    this.#running = false;
  }

  async resume(ctx: RunContext): Promise<void> {
    if (this.#running) return;
    await this.client.send(ctx, this.#hasVCont ? "vCont;c" : "c");
    this.#running = true;
  }

  isHalted(_ctx: RunContext): Promise<boolean> {
    if (this.#running && this.client.pollStop()) this.#running = false;
    return Promise.resolve(!this.#running);
  }

  async resetAndHalt(ctx: RunContext): Promise<void> {
    await this.halt(ctx);
    this.#ranCode = false;
    const command = this.#options.resetCommand ?? (this.qemu ? "system_reset" : undefined);
    if (command) {
      await this.monitor(ctx, command);
      return;
    }
    // Generic Cortex-M: catch the reset vector, then request a system reset.
    const demcr = await this.readWord(ctx, DEMCR);
    await this.writeWord(ctx, DEMCR, demcr | 1);
    await this.writeWord(ctx, AIRCR, 0x05fa0004).catch(() => {});
    await this.writeWord(ctx, DEMCR, demcr & ~1);
  }

  async reset(ctx: RunContext): Promise<void> {
    await this.resetAndHalt(ctx);
    await this.resume(ctx);
  }

  /** Runs a monitor command (`qRcmd`); returns its console output. */
  async monitor(ctx: RunContext, command: string): Promise<string> {
    const before = this.client.console.length;
    await this.#expectOk(ctx, `qRcmd,${hex(latin1(command))}`, "monitor");
    return this.client.console.slice(before);
  }

  async runFunction(ctx: RunContext, request: RunFunctionRequest): Promise<number> {
    await this.halt(ctx);
    this.#ranCode = true;
    const stops = new Set([request.lr & ~1, ...await this.#bkpts.near(ctx, request.entry & ~1)]);
    stops.delete(request.entry & ~1); // a stop at the entry would end the call before it ran
    const fault = this.qemu ? await hardFaultEntry(ctx, this) : undefined;
    if (fault !== undefined) stops.add(fault);
    const regs: [number, number][] = request.args.slice(0, 4).map((v, i) => [i, v]);
    regs.push([Reg.SP, request.sp], [Reg.LR, request.lr | 1], [Reg.PC, request.entry | 1]);
    regs.push([Reg.XPSR, 0x01000000]);
    for (const [r, v] of regs) await this.writeRegister(ctx, r, v);
    const inserted: string[] = [];
    try {
      for (const a of stops) {
        const kind = a >= RAM_START ? 0 : 1;
        const reply = await this.client.request(ctx, `Z${kind},${hx(a)},2`);
        if (reply !== "OK") {
          throw new DeviceError(`${this.description}: breakpoint at 0x${hx(a)} refused (${reply})`);
        }
        inserted.push(`${kind},${hx(a)},2`);
      }
      // Stop replies still queued belong to earlier runs; only the next one answers this call.
      this.client.discardStops();
      await this.resume(ctx);
      let stop: StopReply;
      try {
        stop = await this.client.waitStop(ctx, request.timeoutMs);
        this.#running = false;
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        await this.halt(ctx).catch(() => {});
        const pc = await this.readRegister(ctx, Reg.PC).catch(() => undefined);
        throw new TimeoutError(
          `${this.description}: function at 0x${
            hx(request.entry)
          } did not halt within ${request.timeoutMs} ms` +
            (pc !== undefined ? ` (pc 0x${hx(pc)})` : ""),
          { hint: "the code may have faulted or be waiting on hardware" },
        );
      }
      if (stop.kind !== "stopped") {
        throw new DeviceError(`${this.description}: target ${stop.kind} while running a function`);
      }
      const pc = await this.readRegister(ctx, Reg.PC);
      if (fault !== undefined && pc === fault) throw await faultError(ctx, this, request.entry);
      if (!stops.has(pc)) {
        // Not one of our breakpoints: an unasked stop reply or a halt for another reason, so
        // r0 is not the function's result.
        throw new DeviceError(
          `${this.description}: function at 0x${hx(request.entry)} stopped at pc 0x${
            hx(pc)
          } (signal ${stop.signal}), not at its return address`,
          { hint: "the server reported a stop the function did not reach; run the command again" },
        );
      }
    } finally {
      for (const bp of inserted) await this.client.request(ctx, `z${bp}`).catch(() => "");
    }
    return await this.readRegister(ctx, Reg.R0);
  }

  stats(): LinkStats {
    return this.client.stats();
  }

  async close(): Promise<void> {
    if ((this.#options.onClose ?? "detach") === "detach") {
      const ctx = createContext();
      // All-stop protocol: no command but an interrupt while the core runs.
      await this.halt(ctx).catch(() => {});
      if (this.#ranCode) await this.resetAndHalt(ctx).catch(() => {});
      await this.client.request(ctx, "D", { timeoutMs: 500 }).catch(() => "");
    }
    await this.client.close();
  }

  /** Kills the target (`k`: QEMU exits, OpenOCD resets) and drops the connection. */
  async kill(ctx: RunContext): Promise<void> {
    await this.halt(ctx).catch(() => {});
    await this.client.send(ctx, "k", { timeoutMs: 500 }).catch(() => {});
    await this.client.close();
  }

  #reg(reg: number): RegisterInfo {
    const info = registerFor(this.layout, reg);
    if (!info) {
      throw new DeviceError(`${this.description}: register ${reg} is not described by the server`);
    }
    return info;
  }

  async #expectOk(ctx: RunContext, payload: string, what: string): Promise<void> {
    const reply = await this.client.command(ctx, payload);
    if (reply !== "OK") {
      throw new DeviceError(`${this.description}: ${what} failed (${reply || "not supported"})`);
    }
  }
}

/** Black Magic Probe: `monitor swd_scan` (`swdp_scan` before firmware 1.10), `vAttach;1`. */
async function attachFirst(ctx: RunContext, client: RspClient): Promise<void> {
  for (const scan of ["swd_scan", "swdp_scan"]) {
    const before = client.console.length;
    const reply = await client.request(ctx, `qRcmd,${hex(latin1(scan))}`, { timeoutMs: 5000 });
    if (reply === "OK" && !/unrecognised|invalid/i.test(client.console.slice(before))) break;
  }
  const stop = await client.request(ctx, "vAttach;1", { timeoutMs: 5000 });
  if (!/^[ST]/.test(stop)) {
    throw new DeviceError(`no target found to attach to (${stop || "not supported"})`, {
      hint: "check the SWD wiring and the target's power",
    });
  }
}

function hx(n: number): string {
  return (n >>> 0).toString(16);
}
