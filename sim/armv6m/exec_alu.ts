/**
 * Data-processing instructions: shift by immediate, ADD/SUB register and 3-bit immediate,
 * MOV/CMP/ADD/SUB 8-bit immediate, the sixteen register ALU operations (0x4000–0x43FF)
 * and the high-register ADD/CMP/MOV (0x4400–0x46FF). Flags per the ARMv6-M ARM, A6.7.
 *
 * @module
 */
import { addWithCarry, aluOut, asrC, lslC, lsrC, rorC } from "./alu.ts";
import type { CoreState as Cpu } from "./state.ts";

/** 000xx…, 001xx…: shifts by immediate, add/subtract, move/compare/add/subtract immediate. */
export function execShiftAddSubImm(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const rd = op & 7;
  const rn = (op >>> 3) & 7;
  const imm5 = (op >>> 6) & 31;
  cpu.time.cycles += cpu.profile.alu;
  switch (op >>> 11) {
    case 0: { // LSLS Rd, Rm, #imm5 (imm5 = 0 is MOVS Rd, Rm: C unchanged)
      const res = lslC(r[rn], imm5, cpu.c);
      r[rd] = res;
      cpu.c = aluOut.c;
      cpu.setNZ(res);
      return;
    }
    case 1: { // LSRS #imm (0 encodes 32)
      const res = lsrC(r[rn], imm5 || 32, cpu.c);
      r[rd] = res;
      cpu.c = aluOut.c;
      cpu.setNZ(res);
      return;
    }
    case 2: { // ASRS #imm (0 encodes 32)
      const res = asrC(r[rn], imm5 || 32, cpu.c);
      r[rd] = res;
      cpu.c = aluOut.c;
      cpu.setNZ(res);
      return;
    }
    case 3: { // ADDS/SUBS Rd, Rn, Rm|#imm3
      const operand = op & 0x400 ? (op >>> 6) & 7 : r[(op >>> 6) & 7];
      const res = op & 0x200
        ? addWithCarry(r[rn], ~operand >>> 0, 1)
        : addWithCarry(r[rn], operand, 0);
      r[rd] = res;
      setNZCV(cpu, res);
      return;
    }
    case 4: { // MOVS Rd, #imm8 (C, V unchanged)
      const res = op & 0xff;
      r[(op >>> 8) & 7] = res;
      cpu.setNZ(res);
      return;
    }
    case 5: // CMP Rn, #imm8
      setNZCV(cpu, addWithCarry(r[(op >>> 8) & 7], ~(op & 0xff) >>> 0, 1));
      return;
    case 6: { // ADDS Rdn, #imm8
      const d = (op >>> 8) & 7;
      const res = addWithCarry(r[d], op & 0xff, 0);
      r[d] = res;
      setNZCV(cpu, res);
      return;
    }
    default: { // 7: SUBS Rdn, #imm8
      const d = (op >>> 8) & 7;
      const res = addWithCarry(r[d], ~(op & 0xff) >>> 0, 1);
      r[d] = res;
      setNZCV(cpu, res);
    }
  }
}

function setNZCV(cpu: Cpu, res: number): void {
  cpu.setNZ(res);
  cpu.c = aluOut.c;
  cpu.v = aluOut.v;
}

/** 010000 oooo mmm ddd: the register ALU operations. */
export function execDataProcessing(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const d = op & 7;
  const m = (op >>> 3) & 7;
  const x = r[d];
  const y = r[m];
  cpu.time.cycles += cpu.profile.alu;
  let res: number;
  switch ((op >>> 6) & 15) {
    case 0: // ANDS
      res = (x & y) >>> 0;
      break;
    case 1: // EORS
      res = (x ^ y) >>> 0;
      break;
    case 2: // LSLS Rdn, Rm (shift by Rm[7:0])
      res = lslC(x, y & 0xff, cpu.c);
      cpu.c = aluOut.c;
      break;
    case 3: // LSRS
      res = lsrC(x, y & 0xff, cpu.c);
      cpu.c = aluOut.c;
      break;
    case 4: // ASRS
      res = asrC(x, y & 0xff, cpu.c);
      cpu.c = aluOut.c;
      break;
    case 5: // ADCS
      r[d] = res = addWithCarry(x, y, cpu.c ? 1 : 0);
      return setNZCV(cpu, res);
    case 6: // SBCS
      r[d] = res = addWithCarry(x, ~y >>> 0, cpu.c ? 1 : 0);
      return setNZCV(cpu, res);
    case 7: // RORS
      res = rorC(x, y & 0xff, cpu.c);
      cpu.c = aluOut.c;
      break;
    case 8: // TST
      return cpu.setNZ((x & y) >>> 0);
    case 9: // RSBS Rd, Rm, #0 (NEG)
      r[d] = res = addWithCarry(~y >>> 0, 0, 1);
      return setNZCV(cpu, res);
    case 10: // CMP
      return setNZCV(cpu, addWithCarry(x, ~y >>> 0, 1));
    case 11: // CMN
      return setNZCV(cpu, addWithCarry(x, y, 0));
    case 12: // ORRS
      res = (x | y) >>> 0;
      break;
    case 13: // MULS Rdm, Rn, Rdm: N, Z only
      res = Math.imul(x, y) >>> 0;
      cpu.time.cycles += cpu.profile.mul - cpu.profile.alu;
      break;
    case 14: // BICS
      res = (x & ~y) >>> 0;
      break;
    default: // 15: MVNS
      res = ~y >>> 0;
  }
  r[d] = res;
  cpu.setNZ(res);
}

/** 010001 00/01/10: ADD, CMP, MOV with high registers (no flags except CMP). */
export function execHighRegister(cpu: Cpu, op: number): void {
  const d = ((op >>> 4) & 8) | (op & 7);
  const m = (op >>> 3) & 15;
  const kind = (op >>> 8) & 3;
  if (kind === 1) { // CMP Rn, Rm
    cpu.time.cycles += cpu.profile.alu;
    setNZCV(cpu, addWithCarry(cpu.reg(d), ~cpu.reg(m) >>> 0, 1));
    return;
  }
  const value = kind === 0 ? (cpu.reg(d) + cpu.reg(m)) >>> 0 : cpu.reg(m);
  if (d === 15) { // ALUWritePC: a branch, bit 0 ignored
    cpu.r[15] = value & ~1;
    cpu.time.cycles += cpu.profile.pcWrite;
  } else {
    cpu.r[d] = d === 13 ? value & ~3 : value;
    cpu.time.cycles += cpu.profile.alu;
  }
}
