/**
 * Top-level Thumb decode (ARMv6-M ARM A5.2): picks the executor by the opcode's top bits.
 *
 * @module
 */
import type { CoreState as Cpu } from "./state.ts";
import { execDataProcessing, execHighRegister, execShiftAddSubImm } from "./exec_alu.ts";
import { exec32, execBranch, execBranchExchange, execCondBranch } from "./exec_branch.ts";
import {
  execLoadLiteral,
  execLoadStoreImmediate,
  execLoadStoreMultiple,
  execLoadStoreRegister,
  execLoadStoreSp,
  execPop,
  execPush,
} from "./exec_mem.ts";
import { execAddSpImm, execAdr, execMisc } from "./exec_misc.ts";

/** Executes one 16-bit opcode (or the first half of a 32-bit one). */
export function execute(cpu: Cpu, op: number): void {
  switch (op >>> 12) {
    case 0x0:
    case 0x1:
    case 0x2:
    case 0x3:
      return execShiftAddSubImm(cpu, op);
    case 0x4:
      if (op < 0x4400) return execDataProcessing(cpu, op);
      if (op < 0x4700) return execHighRegister(cpu, op);
      if (op < 0x4800) return execBranchExchange(cpu, op);
      return execLoadLiteral(cpu, op);
    case 0x5:
      return execLoadStoreRegister(cpu, op);
    case 0x6:
    case 0x7:
    case 0x8:
      return execLoadStoreImmediate(cpu, op);
    case 0x9:
      return execLoadStoreSp(cpu, op);
    case 0xa:
      return op & 0x800 ? execAddSpImm(cpu, op) : execAdr(cpu, op);
    case 0xb:
      if ((op & 0xfe00) === 0xb400) return execPush(cpu, op);
      if ((op & 0xfe00) === 0xbc00) return execPop(cpu, op);
      return execMisc(cpu, op);
    case 0xc:
      return execLoadStoreMultiple(cpu, op);
    case 0xd:
      return execCondBranch(cpu, op);
    case 0xe:
      if (op < 0xe800) return execBranch(cpu, op);
      return exec32(cpu, op);
    default:
      return exec32(cpu, op);
  }
}
