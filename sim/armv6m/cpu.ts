/**
 * ARMv6-M core state and the fetch/execute loop. Exceptions are modelled only as far as a
 * flasher needs: any fault (bus error, unaligned access, undefined instruction, SVC,
 * invalid state, BKPT without a debugger) does not vector to a handler. With C_DEBUGEN set
 * the core halts as if DEMCR.VC_HARDERR were set (DFSR.VCATCH, `fault` recorded); without
 * it the core locks up (DHCSR.S_LOCKUP), as an unhandled HardFault would. No interrupts are
 * modelled (WFI sleeps until a halt or reset). A halt from lockup leaves lockup.
 *
 * Time is counted in core cycles (`time.cycles`) per the cycle profile plus whatever bus
 * regions add (wait states, stalls). A region that would stall past the end of the current
 * run burst throws BusStall: the instruction is retried in the next burst.
 *
 * @module
 */
import { type Bus, BusFault } from "./bus.ts";
import { CORTEX_M0, type CycleProfile } from "./cycles.ts";
import { execute } from "./decode.ts";
import { BusStall, DFSR, ExecFault, type FaultKind, type FaultRecord } from "./faults.ts";

import type { CoreState, CycleClock } from "./state.ts";

export { BusStall, DFSR, ExecFault, type FaultKind, type FaultRecord };
export type { CoreState, CycleClock };

/** An ARMv6-M (Thumb) core. */
export class Cpu implements CoreState {
  /** r0–r15; r13 is the active SP, r15 the address of the next instruction. */
  readonly r = new Uint32Array(16);
  /** APSR.N. */
  n = false;
  /** APSR.Z. */
  z = false;
  /** APSR.C. */
  c = false;
  /** APSR.V. */
  v = false;
  /** EPSR.T; executing with T = 0 faults (INVSTATE). */
  t = true;
  /** PRIMASK bit 0 (no interrupts are modelled, so it only reads back). */
  primask = 0;
  /** CONTROL: bit 0 nPRIV, bit 1 SPSEL. */
  control = 0;
  /** The banked SP that is not selected by CONTROL.SPSEL. */
  otherSp = 0;
  /** Address of the instruction being executed. */
  pc = 0;
  /** In Debug state (DHCSR.S_HALT). */
  halted = false;
  /** Locked up after an unhandled fault (DHCSR.S_LOCKUP). */
  lockup = false;
  /** Asleep after WFI/WFE (DHCSR.S_SLEEP). */
  sleeping = false;
  /** The WFE/SEV event register. */
  eventRegister = false;
  /** DHCSR.C_DEBUGEN (BKPT halts only with it set). */
  debugEnabled = false;
  /** Debug Fault Status Register bits. */
  dfsr = 0;
  /** S_RETIRE_ST / S_RESET_ST latches (cleared when DHCSR is read). */
  retired = false;
  /** S_RESET_ST latch. */
  resetSeen = false;
  /** DEMCR.VC_CORERESET: halt on the first instruction after a reset. */
  vcCoreReset = false;
  /** The fault that stopped the core, if any. */
  fault: FaultRecord | null = null;
  /** Instructions executed (statistics). */
  instructions = 0;
  /** Cycle count when the core last entered debug state. */
  haltedAt = 0;
  /** End of the current run burst (idle loops skip ahead to it). */
  runUntil = 0;

  /** A core on `bus`, timed by `profile`, counting cycles in `time`. */
  constructor(
    readonly bus: Bus,
    readonly profile: CycleProfile = CORTEX_M0,
    readonly time: CycleClock = { cycles: 0 },
  ) {}

  /** True when the core would execute instructions if given time. */
  get running(): boolean {
    return !this.halted && !this.lockup;
  }

  /** Register read as an operand: the PC reads as the instruction address + 4. */
  reg(n: number): number {
    return n === 15 ? (this.pc + 4) >>> 0 : this.r[n];
  }

  /** Sets N and Z from a result. */
  setNZ(result: number): void {
    this.n = result >>> 31 === 1;
    this.z = (result >>> 0) === 0;
  }

  /** Writes the PC as BX does: bit 0 goes to EPSR.T. */
  bxWritePc(value: number): void {
    this.t = (value & 1) === 1;
    this.r[15] = value & ~1;
  }

  /** Aligned data read; unaligned → fault. */
  load(address: number, size: 1 | 2 | 4): number {
    address >>>= 0;
    if (address & (size - 1)) throw new ExecFault("unaligned", address);
    return this.bus.read(address, size);
  }

  /** Aligned data write; unaligned → fault. */
  store(address: number, size: 1 | 2 | 4, value: number): void {
    address >>>= 0;
    if (address & (size - 1)) throw new ExecFault("unaligned", address);
    this.bus.write(address, size, value);
  }

  /** xPSR as read through DCRSR/MRS: N Z C V, T, IPSR = 0 (thread mode). */
  get xpsr(): number {
    return ((this.n ? 1 << 31 : 0) | (this.z ? 1 << 30 : 0) | (this.c ? 1 << 29 : 0) |
      (this.v ? 1 << 28 : 0) | (this.t ? 1 << 24 : 0)) >>> 0;
  }

  set xpsr(value: number) {
    this.n = (value >>> 31 & 1) === 1;
    this.z = (value >>> 30 & 1) === 1;
    this.c = (value >>> 29 & 1) === 1;
    this.v = (value >>> 28 & 1) === 1;
    this.t = (value >>> 24 & 1) === 1;
  }

  /** Main stack pointer. */
  get msp(): number {
    return this.control & 2 ? this.otherSp : this.r[13];
  }
  set msp(value: number) {
    if (this.control & 2) this.otherSp = value & ~3;
    else this.r[13] = value & ~3;
  }
  /** Process stack pointer. */
  get psp(): number {
    return this.control & 2 ? this.r[13] : this.otherSp;
  }
  set psp(value: number) {
    if (this.control & 2) this.r[13] = value & ~3;
    else this.otherSp = value & ~3;
  }

  /** Writes CONTROL (thread mode, privileged): SPSEL swaps the active stack pointer. */
  writeControl(value: number): void {
    const next = value & 3;
    if ((next ^ this.control) & 2) {
      const sp = this.r[13];
      this.r[13] = this.otherSp;
      this.otherSp = sp;
    }
    this.control = next;
  }

  /** Core reset: SP and PC from the vector table at 0, as the hardware does. */
  reset(): void {
    this.r.fill(0);
    this.control = 0;
    this.primask = 0;
    this.n =
      this.z =
      this.c =
      this.v =
        false;
    this.lockup = this.sleeping = this.halted = false;
    this.fault = null;
    this.eventRegister = false;
    this.resetSeen = true;
    this.r[14] = 0xffffffff;
    try {
      this.r[13] = this.bus.read(0, 4) & ~3;
      this.otherSp = 0;
      this.bxWritePc(this.bus.read(4, 4));
    } catch (e) {
      if (!(e instanceof BusFault)) throw e;
      this.lockup = true;
    }
    if (this.vcCoreReset && this.debugEnabled) this.halt(DFSR.VCATCH);
  }

  /** Enters debug state (C_HALT, BKPT, vector catch); a halt also leaves lockup. */
  halt(reason: number): void {
    this.haltedAt = this.time.cycles;
    this.halted = true;
    this.lockup = false;
    this.sleeping = false;
    this.dfsr |= reason;
  }

  /** Leaves debug state (the recorded fault is forgotten). */
  resume(): void {
    this.halted = false;
    this.fault = null;
  }

  /** Stops on a fault as documented in the module comment. */
  raiseFault(kind: FaultKind, address?: number): void {
    const where = `0x${this.pc.toString(16).padStart(8, "0")}`;
    const at = address === undefined ? "" : ` (address 0x${address.toString(16).padStart(8, "0")})`;
    this.fault = { kind, pc: this.pc, address, message: `${kind} fault at pc ${where}${at}` };
    if (this.debugEnabled) this.halt(DFSR.VCATCH);
    else this.lockup = true;
  }

  #fetchBase = 0;
  #fetchSize = 0;
  #fetchView: Uint16Array | undefined;

  /** Fetch through the bus; remembers plain-memory regions for direct fetches. */
  #fetchSlow(pc: number): number {
    const region = this.bus.regionAt?.(pc);
    if (region?.fetchView) {
      this.#fetchBase = region.base;
      this.#fetchSize = region.size;
      this.#fetchView = region.fetchView;
    }
    return this.bus.read(pc, 2);
  }

  /** Executes one instruction (faults are caught and recorded). */
  step(): void {
    const pc = this.r[15];
    this.pc = pc;
    try {
      if (!this.t) throw new ExecFault("invstate");
      const off = pc - this.#fetchBase;
      const op = off >= 0 && off < this.#fetchSize
        ? this.#fetchView![off >>> 1]
        : this.#fetchSlow(pc);
      this.r[15] = pc + 2;
      execute(this, op);
      this.instructions++;
      this.retired = true;
    } catch (e) {
      if (e instanceof BusStall) {
        this.r[15] = pc; // retried in the next burst; the region has advanced time
      } else if (e instanceof ExecFault) {
        this.r[15] = pc;
        this.raiseFault(e.kind, e.address);
      } else if (e instanceof BusFault) {
        this.r[15] = pc;
        this.raiseFault("bus", e.address);
      } else throw e;
    }
  }

  /** Runs until `untilCycles`, a halt, a lockup; sleeping (WFI/WFE) lets time pass. */
  run(untilCycles: number): void {
    const time = this.time;
    this.runUntil = untilCycles;
    while (time.cycles < untilCycles && !this.halted && !this.lockup) {
      if (this.sleeping) {
        time.cycles = untilCycles;
        return;
      }
      this.step();
    }
  }

  /** Reads a register by DCRSR.REGSEL number. */
  readCoreRegister(sel: number): number {
    if (sel <= 14) return this.r[sel];
    switch (sel) {
      case 15:
        return this.r[15];
      case 16:
        return this.xpsr;
      case 17:
        return this.msp;
      case 18:
        return this.psp;
      case 20:
        return ((this.control << 24) | (this.primask & 1)) >>> 0;
      default:
        return 0;
    }
  }

  /** Writes a register by DCRSR.REGSEL number (PC bit 0 is ignored, as hosts write odd PCs). */
  writeCoreRegister(sel: number, value: number): void {
    value >>>= 0;
    if (sel === 13) this.r[13] = value & ~3;
    else if (sel <= 14) this.r[sel] = value;
    else if (sel === 15) this.r[15] = value & ~1;
    else if (sel === 16) this.xpsr = value;
    else if (sel === 17) this.msp = value;
    else if (sel === 18) this.psp = value;
    else if (sel === 20) {
      this.primask = value & 1;
      this.writeControl((value >>> 24) & 3);
    }
  }
}
