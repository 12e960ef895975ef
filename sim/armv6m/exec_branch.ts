/**
 * Branches and the 32-bit instructions: B<cond>, B, UDF, SVC, BX, BLX, and BL, MSR, MRS,
 * DMB/DSB/ISB (the only 32-bit encodings ARMv6-M has).
 *
 * @module
 */
import { signExtend } from "./alu.ts";
import type { CoreState as Cpu } from "./state.ts";
import { ExecFault, undefinedInstruction } from "./faults.ts";

/** ConditionPassed for the 4-bit condition field. */
export function conditionPassed(cpu: Cpu, cond: number): boolean {
  let result: boolean;
  switch (cond >>> 1) {
    case 0:
      result = cpu.z;
      break;
    case 1:
      result = cpu.c;
      break;
    case 2:
      result = cpu.n;
      break;
    case 3:
      result = cpu.v;
      break;
    case 4:
      result = cpu.c && !cpu.z;
      break;
    case 5:
      result = cpu.n === cpu.v;
      break;
    case 6:
      result = cpu.n === cpu.v && !cpu.z;
      break;
    default:
      return true;
  }
  return cond & 1 ? !result : result;
}

/** A taken branch to the instruction itself with nothing else to do: skip to the burst end. */
function branchTo(cpu: Cpu, target: number, cycles: number): void {
  cpu.r[15] = target;
  cpu.time.cycles += cycles;
  const end = cpu.runUntil;
  if (target === cpu.pc && cpu.time.cycles < end && Number.isFinite(end)) cpu.time.cycles = end;
}

/** 1101 cccc iiiiiiii: B<cond>, UDF (cond 14), SVC (cond 15). */
export function execCondBranch(cpu: Cpu, op: number): void {
  const cond = (op >>> 8) & 15;
  if (cond === 14) undefinedInstruction();
  if (cond === 15) throw new ExecFault("svc"); // no SVCall handler is modelled
  if (conditionPassed(cpu, cond)) {
    branchTo(cpu, (cpu.pc + 4 + signExtend(op & 0xff, 8) * 2) >>> 0, cpu.profile.branchTaken);
  } else cpu.time.cycles += cpu.profile.branchNotTaken;
}

/** 11100 iiiiiiiiiii: B. */
export function execBranch(cpu: Cpu, op: number): void {
  branchTo(cpu, (cpu.pc + 4 + signExtend(op & 0x7ff, 11) * 2) >>> 0, cpu.profile.branch);
}

/** 010001 11 L mmmm 000: BX Rm / BLX Rm. */
export function execBranchExchange(cpu: Cpu, op: number): void {
  const target = cpu.reg((op >>> 3) & 15);
  if (op & 0x80) cpu.r[14] = (cpu.pc + 2) | 1;
  cpu.bxWritePc(target);
  cpu.time.cycles += cpu.profile.bx;
}

/** 11110 …: the second halfword follows; BL, MSR, MRS, barriers, else undefined. */
export function exec32(cpu: Cpu, hw1: number): void {
  const hw2 = cpu.bus.read((cpu.pc + 2) >>> 0, 2);
  cpu.r[15] = cpu.pc + 4;
  if ((hw1 & 0xf800) !== 0xf000) undefinedInstruction();
  if ((hw2 & 0xd000) === 0xd000) { // BL
    const s = (hw1 >>> 10) & 1;
    const i1 = ((hw2 >>> 13) & 1) ^ s ^ 1;
    const i2 = ((hw2 >>> 11) & 1) ^ s ^ 1;
    const imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((hw1 & 0x3ff) << 12) | ((hw2 & 0x7ff) << 1);
    cpu.r[14] = (cpu.pc + 4) | 1;
    cpu.r[15] = (cpu.pc + 4 + signExtend(imm, 25)) >>> 0;
    cpu.time.cycles += cpu.profile.bl;
    return;
  }
  if ((hw2 & 0xd000) !== 0x8000) undefinedInstruction();
  const op1 = (hw1 >>> 4) & 0x7f;
  const sysm = hw2 & 0xff;
  if ((op1 & 0x7e) === 0x38 && (hw2 & 0xff00) === 0x8800) {
    writeSpecial(cpu, sysm, cpu.r[hw1 & 15]);
  } else if ((op1 & 0x7e) === 0x3e && (hw2 & 0xf000) === 0x8000) {
    const d = (hw2 >>> 8) & 15;
    if (d === 13 || d === 15) undefinedInstruction();
    cpu.r[d] = readSpecial(cpu, sysm);
  } else if (
    op1 === 0x3b && hw2 >>> 8 === 0x8f && ((hw2 >>> 4) & 15) >= 4 && ((hw2 >>> 4) & 15) <= 6
  ) {
    cpu.time.cycles += cpu.profile.barrier; // DSB, DMB, ISB: nothing to order in this model
    return;
  } else undefinedInstruction();
  cpu.time.cycles += cpu.profile.msrMrs;
}

/** MRS: APSR/IPSR/EPSR combinations read flags (IPSR = 0, EPSR reads as zero). */
function readSpecial(cpu: Cpu, sysm: number): number {
  if (sysm <= 7) return sysm & 4 ? 0 : (cpu.xpsr & 0xf0000000) >>> 0;
  switch (sysm) {
    case 8:
      return cpu.msp;
    case 9:
      return cpu.psp;
    case 16:
      return cpu.primask;
    case 20:
      return cpu.control;
    default:
      return 0;
  }
}

/** MSR: only APSR flags, MSP, PSP, PRIMASK and CONTROL are writable (thread mode). */
function writeSpecial(cpu: Cpu, sysm: number, value: number): void {
  if (sysm > 7 && cpu.control & 1) return; // unprivileged: only the APSR flags are writable
  if (sysm <= 7) {
    if (!(sysm & 4)) cpu.xpsr = (value & 0xf0000000) | (cpu.t ? 1 << 24 : 0);
  } else if (sysm === 8) cpu.msp = value;
  else if (sysm === 9) cpu.psp = value;
  else if (sysm === 16) cpu.primask = value & 1;
  else if (sysm === 20) cpu.writeControl(value & 3);
}
