/**
 * The Cortex-M System Control Space as a bus region (0xE000E000–0xE000EFFF): CPUID, AIRCR
 * (SYSRESETREQ), DFSR, and the debug registers DHCSR, DCRSR, DCRDR, DEMCR (ARMv6-M ARM
 * C1.6). Everything else in the SCS reads as zero and ignores writes.
 *
 * @module
 */
import type { AccessSize, Region } from "./bus.ts";
import { type ComponentIds, idRegister } from "./coresight.ts";
import { type Cpu, DFSR } from "./cpu.ts";

/** SCS register offsets from 0xE000E000. */
export const SCS = {
  CPUID: 0xd00,
  AIRCR: 0xd0c,
  DFSR: 0xd30,
  DHCSR: 0xdf0,
  DCRSR: 0xdf4,
  DCRDR: 0xdf8,
  DEMCR: 0xdfc,
} as const;

/** DHCSR bits. */
export const DHCSR = {
  C_DEBUGEN: 1 << 0,
  C_HALT: 1 << 1,
  C_STEP: 1 << 2,
  C_MASKINTS: 1 << 3,
  S_REGRDY: 1 << 16,
  S_HALT: 1 << 17,
  S_SLEEP: 1 << 18,
  S_LOCKUP: 1 << 19,
  S_RETIRE_ST: 1 << 24,
  S_RESET_ST: 1 << 25,
  DBGKEY: 0xa05f0000,
} as const;

/** Debug registers of one core; `systemReset` is what AIRCR.SYSRESETREQ triggers. */
export class SystemControlSpace implements Region {
  readonly name = "scs";
  readonly base = 0xe000e000;
  readonly size = 0x1000;
  #dcrdr = 0;
  #demcr = 0;
  #regReady = true;
  #maskInts = false;
  #step = false;

  /**
   * The SCS of `cpu`; `systemReset` runs on AIRCR.SYSRESETREQ; `ids` are the core's SCS
   * component identification (0xE000EFD0–0xE000EFFC; zero when not given).
   */
  constructor(
    readonly cpu: Cpu,
    readonly cpuid: number,
    readonly systemReset: () => void,
    readonly ids?: ComponentIds,
  ) {}

  /** DEMCR.TRCENA: the DWT, ITM and TPIU are enabled (ARMv7-M ARM C1.6.5). */
  get traceEnabled(): boolean {
    return (this.#demcr & 0x01000000) !== 0;
  }

  /** DHCSR as read (clears the S_RETIRE_ST and S_RESET_ST latches). */
  readDhcsr(): number {
    const cpu = this.cpu;
    let v = 0;
    if (cpu.debugEnabled) v |= DHCSR.C_DEBUGEN;
    if (cpu.halted) v |= DHCSR.C_HALT | DHCSR.S_HALT;
    if (this.#step) v |= DHCSR.C_STEP;
    if (this.#maskInts) v |= DHCSR.C_MASKINTS;
    if (this.#regReady) v |= DHCSR.S_REGRDY;
    if (cpu.sleeping) v |= DHCSR.S_SLEEP;
    if (cpu.lockup) v |= DHCSR.S_LOCKUP;
    if (cpu.retired) v |= DHCSR.S_RETIRE_ST;
    if (cpu.resetSeen) v |= DHCSR.S_RESET_ST;
    cpu.retired = false;
    cpu.resetSeen = false;
    return v >>> 0;
  }

  /** DHCSR write: ignored without DBGKEY; halts, resumes or single-steps the core. */
  writeDhcsr(value: number): void {
    if ((value & 0xffff0000) >>> 0 !== DHCSR.DBGKEY) return;
    const cpu = this.cpu;
    cpu.debugEnabled = (value & DHCSR.C_DEBUGEN) !== 0;
    this.#maskInts = (value & DHCSR.C_MASKINTS) !== 0;
    this.#step = (value & DHCSR.C_STEP) !== 0;
    if (!cpu.debugEnabled) {
      cpu.resume();
      return;
    }
    if (value & DHCSR.C_HALT) {
      if (!cpu.halted) cpu.halt(DFSR.HALTED);
    } else if (cpu.halted) {
      cpu.resume();
      if (this.#step) {
        const burstEnd = cpu.runUntil;
        cpu.runUntil = Number.POSITIVE_INFINITY; // a single step completes even if it stalls
        cpu.step();
        cpu.runUntil = burstEnd;
        if (!cpu.halted) cpu.halt(DFSR.HALTED);
      }
    }
  }

  read(offset: number, size: AccessSize): number {
    const word = this.#readWord(offset & ~3);
    if (size === 4) return word;
    const shift = (offset & 3) * 8;
    return (word >>> shift) & (size === 2 ? 0xffff : 0xff);
  }

  #readWord(offset: number): number {
    switch (offset) {
      case SCS.CPUID:
        return this.cpuid;
      case SCS.AIRCR:
        return 0xfa050000; // VECTKEYSTAT, little-endian
      case SCS.DFSR:
        return this.cpu.dfsr;
      case SCS.DHCSR:
        return this.readDhcsr();
      case SCS.DCRDR:
        return this.#dcrdr;
      case SCS.DEMCR:
        return this.#demcr;
      default:
        return this.ids ? idRegister(this.ids, offset) ?? 0 : 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return; // the debug registers are word-access only
    value >>>= 0;
    const cpu = this.cpu;
    switch (offset) {
      case SCS.AIRCR:
        if (value >>> 16 === 0x05fa && value & 4) this.systemReset();
        return;
      case SCS.DFSR:
        cpu.dfsr &= ~value;
        return;
      case SCS.DHCSR:
        return this.writeDhcsr(value);
      case SCS.DCRSR:
        // A register transfer only completes in Debug state; otherwise S_REGRDY stays low.
        if (!cpu.halted) {
          this.#regReady = false;
          return;
        }
        this.#regReady = true;
        if (value & 0x10000) cpu.writeCoreRegister(value & 0x1f, this.#dcrdr);
        else this.#dcrdr = cpu.readCoreRegister(value & 0x1f);
        return;
      case SCS.DCRDR:
        this.#dcrdr = value;
        return;
      case SCS.DEMCR:
        this.#demcr = value & 0x01000401; // TRCENA, VC_HARDERR, VC_CORERESET
        cpu.vcCoreReset = (value & 1) === 1;
        return;
    }
  }
}
