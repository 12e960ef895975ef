/**
 * The Cortex-M debug sequences as batch builders, in one place: halting, register transfer
 * through DCRSR/DCRDR, starting a function, reset-and-halt and short memory reads. Each adds
 * register accesses to a {@link Batch}, so callers can pipeline them with other traffic.
 * Register numbers and bits: ARMv6-M ARM §C1.6.
 *
 * @module
 */
import { Reg, type RunFunctionRequest, type WordSpan } from "../cortexm/debug.ts";
import { AP, type Batch, CSW_WORD_INC } from "./adi.ts";

/** Debug register addresses. */
export const SCS = {
  DFSR: 0xe000ed30,
  AIRCR: 0xe000ed0c,
  DHCSR: 0xe000edf0,
  DCRSR: 0xe000edf4,
  DCRDR: 0xe000edf8,
  DEMCR: 0xe000edfc,
} as const;
/** DHCSR write key. */
export const DBGKEY = 0xa05f0000;
/** DHCSR control bits. */
export const C_DEBUGEN = 1, C_HALT = 2;
/** DHCSR status bits. */
export const S_REGRDY = 1 << 16, S_HALT = 1 << 17, S_RESET_ST = 1 << 25;
const REGWNR = 1 << 16;
const VC_CORERESET = 1;
/** AIRCR write that requests a system reset. */
export const AIRCR_SYSRESETREQ = 0x05fa0004;
/** MEM-AP used for the core's memory (AP #0 on nRF51/nRF52). */
export const MEM_AP = 0;
/** Banked data registers BD0–BD3 map DHCSR, DCRSR, DCRDR, DEMCR once TAR = DHCSR. */
export const BD_DHCSR = AP.BD0, BD_DCRSR = AP.BD0 + 4, BD_DCRDR = AP.BD0 + 8;
/** Spans up to this many words are read as single DRW reads that share packets. */
const SHORT_SPAN = 16;

/** Adds accesses that point TAR at DHCSR so BD0–BD3 reach the debug registers. */
export function addDebugBank(b: Batch): void {
  b.apWrite(MEM_AP, AP.CSW, CSW_WORD_INC).apWrite(MEM_AP, AP.TAR, SCS.DHCSR);
}

/** Adds a register write (DCRDR, DCRSR with REGWnR, then S_REGRDY polled in the probe). */
export function addRegisterWrite(b: Batch, reg: number, value: number): void {
  b.apWrite(MEM_AP, BD_DCRDR, value >>> 0)
    .apWrite(MEM_AP, BD_DCRSR, REGWNR | reg)
    .matchRead(MEM_AP, BD_DHCSR, S_REGRDY, S_REGRDY);
}

/** Adds a register read (DCRSR, S_REGRDY polled in the probe, then DCRDR). */
export function addRegisterRead(b: Batch, reg: number): void {
  b.apWrite(MEM_AP, BD_DCRSR, reg)
    .matchRead(MEM_AP, BD_DHCSR, S_REGRDY, S_REGRDY)
    .apRead(MEM_AP, BD_DCRDR);
}

/** Adds the halt poll: DHCSR read in the probe until S_HALT. */
export function addHaltPoll(b: Batch): void {
  addDebugBank(b);
  b.matchRead(MEM_AP, BD_DHCSR, S_HALT, S_HALT);
}

/**
 * Adds everything that starts a function: DFSR clear, halt, r0–r3, SP, LR, PC (Thumb bit set),
 * xPSR with the T bit, then C_DEBUGEN without C_HALT. About 20 transfers: two packets. The
 * batch runs once (a failed start is not retried: see {@link Batch.once}).
 */
export function addStart(b: Batch, req: RunFunctionRequest): void {
  b.once();
  b.memWrite(MEM_AP, SCS.DFSR, 0x1f);
  b.apWrite(MEM_AP, AP.TAR, SCS.DHCSR);
  b.apWrite(MEM_AP, BD_DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
  req.args.slice(0, 4).forEach((v, i) => addRegisterWrite(b, Reg.R0 + i, v));
  addRegisterWrite(b, Reg.SP, req.sp);
  addRegisterWrite(b, Reg.LR, req.lr | 1);
  addRegisterWrite(b, Reg.PC, req.entry | 1);
  addRegisterWrite(b, Reg.XPSR, 0x01000000);
  b.apWrite(MEM_AP, BD_DHCSR, DBGKEY | C_DEBUGEN);
}

/** Adds the halt poll and reads of r0… (`results` registers) behind it. */
export function addWaitAndResult(b: Batch, results = 1): void {
  addHaltPoll(b);
  for (let r = 0; r < results; r++) addRegisterRead(b, Reg.R0 + r);
}

/**
 * Adds a reset that ends halted at the reset vector, waited for inside the probe: halt (its
 * poll reads DHCSR, clearing the S_RESET_ST latch), VC_CORERESET and SYSRESETREQ, then
 * S_RESET_ST and S_HALT polled, then DEMCR cleared. The result is unmatched when a poll gave up.
 */
export function addResetAndHalt(b: Batch): void {
  addDebugBank(b);
  b.apWrite(MEM_AP, BD_DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
  b.matchRead(MEM_AP, BD_DHCSR, S_HALT, S_HALT);
  addResetRequest(b);
  b.apWrite(MEM_AP, AP.TAR, SCS.DHCSR);
  b.matchRead(MEM_AP, BD_DHCSR, S_RESET_ST, S_RESET_ST);
  b.matchRead(MEM_AP, BD_DHCSR, S_HALT, S_HALT);
  b.memWrite(MEM_AP, SCS.DEMCR, 0);
}

/** Adds VC_CORERESET and SYSRESETREQ: the core resets and halts at its reset vector. */
export function addResetRequest(b: Batch): void {
  b.memWrite(MEM_AP, SCS.DEMCR, VC_CORERESET);
  b.memWrite(MEM_AP, SCS.AIRCR, AIRCR_SYSRESETREQ);
}

/** Adds a read of `span`: short ones as single reads that share packets, long ones as blocks. */
export function addSpanRead(b: Batch, span: WordSpan): void {
  if (span.count > SHORT_SPAN) b.memReadBlock(MEM_AP, span.address, span.count);
  else if (span.count) b.memReadWords(MEM_AP, span.address, span.count);
}

/**
 * The first ROM table address from a MEM-AP BASE value, or null when it says there is none
 * (ADIv5.2 C2.6.1: 0xFFFFFFFF is the legacy "no entries" value; in the ADIv5 format, bit 1
 * set, bit 0 says whether the entry is present).
 */
export function romTableBase(base: number): number | null {
  base >>>= 0;
  if (base === 0xffffffff) return null;
  if ((base & 2) && !(base & 1)) return null;
  return (base & 0xfffff000) >>> 0;
}
