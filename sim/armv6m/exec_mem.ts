/**
 * Loads and stores: LDR literal, register offset, immediate offset (word, byte,
 * halfword), SP-relative, LDM/STM, PUSH/POP. Unaligned word/halfword accesses fault
 * (ARMv6-M has no unaligned support).
 *
 * @module
 */
import type { CoreState as Cpu } from "./state.ts";
import { undefinedInstruction } from "./faults.ts";

/** 01001 ttt iiiiiiii: LDR Rt, [PC, #imm8*4]. */
export function execLoadLiteral(cpu: Cpu, op: number): void {
  const address = ((cpu.pc + 4) & ~3) + (op & 0xff) * 4;
  cpu.r[(op >>> 8) & 7] = cpu.load(address, 4);
  cpu.time.cycles += cpu.profile.load;
}

/** 0101 ooo mmm nnn ttt: register-offset loads and stores. */
export function execLoadStoreRegister(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const t = op & 7;
  const address = (r[(op >>> 3) & 7] + r[(op >>> 6) & 7]) >>> 0;
  const p = cpu.profile;
  switch ((op >>> 9) & 7) {
    case 0: // STR
      cpu.store(address, 4, r[t]);
      cpu.time.cycles += p.store;
      return;
    case 1: // STRH
      cpu.store(address, 2, r[t]);
      cpu.time.cycles += p.store;
      return;
    case 2: // STRB
      cpu.store(address, 1, r[t]);
      cpu.time.cycles += p.store;
      return;
    case 3: // LDRSB
      r[t] = (cpu.load(address, 1) << 24) >> 24;
      break;
    case 4: // LDR
      r[t] = cpu.load(address, 4);
      break;
    case 5: // LDRH
      r[t] = cpu.load(address, 2);
      break;
    case 6: // LDRB
      r[t] = cpu.load(address, 1);
      break;
    default: // 7: LDRSH
      r[t] = (cpu.load(address, 2) << 16) >> 16;
  }
  cpu.time.cycles += p.load;
}

/** 011BL iiiii nnn ttt (word/byte) and 1000L iiiii nnn ttt (halfword) immediate offset. */
export function execLoadStoreImmediate(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const t = op & 7;
  const imm5 = (op >>> 6) & 31;
  const isLoad = (op & 0x800) !== 0;
  const size: 1 | 2 | 4 = op >>> 12 === 8 ? 2 : op & 0x1000 ? 1 : 4;
  const address = (r[(op >>> 3) & 7] + imm5 * size) >>> 0;
  if (isLoad) {
    r[t] = cpu.load(address, size);
    cpu.time.cycles += cpu.profile.load;
  } else {
    cpu.store(address, size, r[t]);
    cpu.time.cycles += cpu.profile.store;
  }
}

/** 1001L ttt iiiiiiii: LDR/STR Rt, [SP, #imm8*4]. */
export function execLoadStoreSp(cpu: Cpu, op: number): void {
  const t = (op >>> 8) & 7;
  const address = (cpu.r[13] + (op & 0xff) * 4) >>> 0;
  if (op & 0x800) {
    cpu.r[t] = cpu.load(address, 4);
    cpu.time.cycles += cpu.profile.load;
  } else {
    cpu.store(address, 4, cpu.r[t]);
    cpu.time.cycles += cpu.profile.store;
  }
}

function popCount(list: number): number {
  let n = 0;
  for (let l = list; l; l &= l - 1) n++;
  return n;
}

/** 1100L nnn llllllll: STM Rn!, {list} / LDM Rn{!}, {list}. */
export function execLoadStoreMultiple(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const n = (op >>> 8) & 7;
  const list = op & 0xff;
  if (list === 0) undefinedInstruction(); // UNPREDICTABLE: treated as undefined
  let address = r[n];
  const count = popCount(list);
  if (op & 0x800) {
    const values: number[] = [];
    for (let i = 0; i < 8; i++) {
      if (list & (1 << i)) {
        values.push(cpu.load(address, 4));
        address = (address + 4) >>> 0;
      }
    }
    let k = 0;
    for (let i = 0; i < 8; i++) if (list & (1 << i)) r[i] = values[k++];
    if (!(list & (1 << n))) r[n] = address;
  } else {
    for (let i = 0; i < 8; i++) {
      if (list & (1 << i)) {
        cpu.store(address, 4, r[i]);
        address = (address + 4) >>> 0;
      }
    }
    r[n] = address;
  }
  cpu.time.cycles += cpu.profile.multipleBase + count;
}

/** 1011010M llllllll: PUSH {list, LR?}. */
export function execPush(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const list = (op & 0xff) | (op & 0x100 ? 1 << 14 : 0);
  if (list === 0) undefinedInstruction();
  const count = popCount(list);
  let address = (r[13] - 4 * count) >>> 0;
  const start = address;
  for (let i = 0; i < 15; i++) {
    if (list & (1 << i)) {
      cpu.store(address, 4, r[i]);
      address += 4;
    }
  }
  r[13] = start;
  cpu.time.cycles += cpu.profile.multipleBase + count;
}

/** 1011110P llllllll: POP {list, PC?}; loading the PC is a BX (bit 0 → T). */
export function execPop(cpu: Cpu, op: number): void {
  const r = cpu.r;
  const list = (op & 0xff) | (op & 0x100 ? 1 << 15 : 0);
  if (list === 0) undefinedInstruction();
  let address = r[13];
  const values: number[] = [];
  for (let i = 0; i < 16; i++) {
    if (list & (1 << i)) {
      values.push(cpu.load(address, 4));
      address = (address + 4) >>> 0;
    }
  }
  let k = 0;
  for (let i = 0; i < 8; i++) if (list & (1 << i)) r[i] = values[k++];
  r[13] = address;
  const count = values.length;
  cpu.time.cycles += cpu.profile.multipleBase + count;
  if (list & 0x8000) {
    cpu.bxWritePc(values[k]);
    cpu.time.cycles += cpu.profile.popPcExtra;
  }
}
