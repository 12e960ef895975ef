/**
 * Miscellaneous 16-bit instructions: ADR, ADD Rd/SP with SP, SXTH/SXTB/UXTH/UXTB,
 * REV/REV16/REVSH, CPS, BKPT and the hints (NOP, YIELD, WFE, WFI, SEV).
 *
 * @module
 */
import type { CoreState as Cpu } from "./state.ts";
import { DFSR, ExecFault, undefinedInstruction } from "./faults.ts";

/** 10100 ddd iiiiiiii: ADR Rd, label (Align(PC,4) + imm8*4). */
export function execAdr(cpu: Cpu, op: number): void {
  cpu.r[(op >>> 8) & 7] = ((cpu.pc + 4) & ~3) + (op & 0xff) * 4;
  cpu.time.cycles += cpu.profile.alu;
}

/** 10101 ddd iiiiiiii: ADD Rd, SP, #imm8*4. */
export function execAddSpImm(cpu: Cpu, op: number): void {
  cpu.r[(op >>> 8) & 7] = cpu.r[13] + (op & 0xff) * 4;
  cpu.time.cycles += cpu.profile.alu;
}

/** 1011 xxxx: everything in the misc space except PUSH/POP (dispatched separately). */
export function execMisc(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const p = cpu.profile;
  const d = op & 7;
  const m = (op >>> 3) & 7;
  switch ((op >>> 8) & 15) {
    case 0: { // ADD/SUB SP, SP, #imm7*4
      const imm = (op & 0x7f) * 4;
      r[13] = (op & 0x80 ? r[13] - imm : r[13] + imm) & ~3;
      cpu.time.cycles += p.alu;
      return;
    }
    case 2: { // extends
      const x = r[m];
      switch ((op >>> 6) & 3) {
        case 0:
          r[d] = (x << 16) >> 16; // SXTH
          break;
        case 1:
          r[d] = (x << 24) >> 24; // SXTB
          break;
        case 2:
          r[d] = x & 0xffff; // UXTH
          break;
        default:
          r[d] = x & 0xff; // UXTB
      }
      cpu.time.cycles += p.alu;
      return;
    }
    case 6: // CPS: only 0xB662 (CPSIE i) and 0xB672 (CPSID i) exist in ARMv6-M
      if ((op & 0xffef) !== 0xb662) undefinedInstruction();
      if (!(cpu.control & 1)) cpu.primask = (op >>> 4) & 1; // ignored when unprivileged
      cpu.time.cycles += p.alu;
      return;
    case 10: { // REV, REV16, REVSH
      const x = r[m];
      switch ((op >>> 6) & 3) {
        case 0:
          r[d] = ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24)) >>> 0;
          break;
        case 1:
          r[d] = (((x >>> 8) & 0x00ff00ff) | ((x << 8) & 0xff00ff00)) >>> 0;
          break;
        case 3:
          r[d] = ((((x & 0xff) << 24) >> 16) | ((x >>> 8) & 0xff)) >>> 0;
          break;
        default:
          undefinedInstruction();
      }
      cpu.time.cycles += p.alu;
      return;
    }
    case 14: // BKPT #imm8: debug halt (PC stays on the BKPT) or, with no debugger, a fault
      if (!cpu.debugEnabled) throw new ExecFault("bkpt");
      r[15] = cpu.pc;
      cpu.halt(DFSR.BKPT);
      return;
    case 15:
      return execHint(cpu, op);
    default:
      undefinedInstruction();
  }
}

function execHint(cpu: Cpu, op: number): void {
  if (op & 0xf) undefinedInstruction(); // IT does not exist in ARMv6-M
  switch ((op >>> 4) & 15) {
    case 2: // WFE
      cpu.time.cycles += cpu.profile.waitFor;
      if (cpu.eventRegister) cpu.eventRegister = false;
      else cpu.sleeping = true;
      return;
    case 3: // WFI: no interrupts are modelled, so the core sleeps until halted or reset
      cpu.time.cycles += cpu.profile.waitFor;
      cpu.sleeping = true;
      return;
    case 4: // SEV
      cpu.eventRegister = true;
      cpu.time.cycles += cpu.profile.alu;
      return;
    default: // NOP, YIELD and unallocated hints execute as NOP
      cpu.time.cycles += cpu.profile.alu;
  }
}
