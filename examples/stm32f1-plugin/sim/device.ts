/**
 * A simulated STM32F103: core (the ARMv6-M interpreter runs the Thumb-1 subset the stub
 * uses; cycle counts from its Cortex-M4 profile stand in for the Cortex-M3, whose Thumb-1
 * timings are close), flash through the FPEC, SRAM, DBGMCU_IDCODE, the flash size register
 * and unique id, the SCS, and the SW-DP + AHB-AP the probe talks to. It implements the DAP
 * simulator's {@link SimDapChip}, so the simulated probe drives it like the built-in boards.
 *
 * Identity values: SW-DP DPIDR 0x1BA01477 (RM0008 §31.6.3), AHB-AP IDR 0x14770011 and CPUID
 * 0x411FC231 (Cortex-M3 r1p1), DBGMCU_IDCODE 0x20036410 (REV_ID 0x2003, DEV_ID 0x410).
 *
 * @module
 */
import {
  BusFault,
  CORTEX_M4,
  Cpu,
  type CycleClock,
  MemAp,
  MemoryMap,
  pidrBytes,
  RamRegion,
  RazWiRegion,
  type Region,
  type SimDapChip,
  SwDp,
  SystemControlSpace,
} from "../../../sim/mod.ts";
import type { Stm32f1Chip } from "../chips.ts";
import { FlashArray, Fpec, FPEC_BASE, FpecRegisters } from "./fpec.ts";

/** Result of a debugger bus access. */
type DebugAccess = { ok: true; value: number } | { ok: false; wait: boolean };

/** Read-only words at fixed addresses (ID registers). */
class IdRegion implements Region {
  constructor(
    readonly name: string,
    readonly base: number,
    readonly size: number,
    readonly words: Readonly<Record<number, number>>,
  ) {}
  read(offset: number, size: AccessSize): number {
    const word = this.words[offset & ~3] ?? 0;
    const shifted = word >>> ((offset & 3) * 8);
    return size === 4 ? word >>> 0 : size === 2 ? shifted & 0xffff : shifted & 0xff;
  }
  write(): void {}
}
type AccessSize = 1 | 2 | 4;

/** One simulated STM32F103. */
export class Stm32f1SimDevice implements SimDapChip {
  readonly time: CycleClock = { cycles: 0 };
  readonly flash: Uint8Array;
  readonly ram: Uint8Array;
  readonly bus: MemoryMap = new MemoryMap();
  readonly cpu: Cpu;
  readonly fpec: Fpec;
  readonly dp: SwDp;
  readonly maxBurstCycles = 16_000_000;
  #debugActive = false;

  constructor(readonly chip: Stm32f1Chip) {
    this.flash = new Uint8Array(chip.flashSize).fill(0xff);
    this.ram = new Uint8Array(chip.ramSize);
    this.fpec = new Fpec(chip, this.flash, this.time);
    // A core polling SR while busy sees BSY until the operation ends; skipping to the end
    // (within the current burst) is what the side-effect-free loop would have computed.
    this.fpec.onBusyPoll = () => {
      if (this.#debugActive) return;
      this.time.cycles = Math.max(
        this.time.cycles,
        Math.min(this.fpec.busyUntil, this.cpu.runUntil),
      );
    };
    this.cpu = new Cpu(this.bus, CORTEX_M4, this.time);
    // Cortex-M3 r1 SCS identification (PIDR 0x04001BB000, as debuggers read it on STM32F103).
    const scs = new SystemControlSpace(this.cpu, 0x411fc231, () => this.systemReset(), {
      componentClass: 0xe,
      pidr: pidrBytes(0x43b, 0x000, 1),
    });
    const kib = chip.flashSize / 1024;
    this.bus
      .add(new RamRegion("ram", 0x20000000, chip.ramSize, this.ram))
      .add(new FlashArray(0x08000000, this.fpec))
      .add(new FlashArray(0x00000000, this.fpec)) // boot alias (BOOT0 low)
      .add(new FpecRegisters(this.fpec))
      .add(
        new IdRegion("system", 0x1ffff000, 0x800, {
          0x7e0: 0xffff0000 | kib,
          0x7e8: 0x0567ff36,
          0x7ec: 0x34375734,
          0x7f0: 0x43103216,
        }),
      )
      .add(new RazWiRegion("apb", 0x40000000, FPEC_BASE - 0x40000000))
      .add(new RazWiRegion("ahb", FPEC_BASE + 0x400, 0x50000000 - FPEC_BASE - 0x400))
      .add(new RazWiRegion("ppb", 0xe0000000, 0xe000e000 - 0xe0000000))
      .add(scs)
      .add(new RazWiRegion("ppb", 0xe000f000, 0xe0042000 - 0xe000f000))
      .add(new IdRegion("dbgmcu", 0xe0042000, 0x1000, { 0: 0x20036410 }))
      .add(new RazWiRegion("ppb", 0xe0043000, 0xe0100000 - 0xe0043000));
    this.dp = new SwDp(0x1ba01477, new Map([[0, new MemAp(this, 0x14770011)]]));
    this.cpu.reset();
    this.cpu.resetSeen = false;
  }

  /** Device time in ms. */
  get nowMs(): number {
    return (this.time.cycles * 1000) / this.chip.clockHz;
  }

  /** Runs the core (or lets time pass) until device time reaches `ms`. */
  advanceTo(ms: number): void {
    const target = Math.floor((ms * this.chip.clockHz) / 1000);
    if (target <= this.time.cycles) return;
    const cpu = this.cpu;
    if (cpu.running && !cpu.sleeping) {
      cpu.run(Math.min(target, this.time.cycles + this.maxBurstCycles));
    }
    if (this.time.cycles < target) this.time.cycles = target;
  }

  /** The reset pin or SYSRESETREQ. */
  systemReset(): void {
    this.fpec.reset();
    this.cpu.reset();
  }

  /** The flash bytes. */
  saveState(): Uint8Array {
    return this.flash.slice();
  }

  /** Restores flash bytes. */
  loadState(bytes: Uint8Array): void {
    this.flash.set(bytes.subarray(0, this.flash.length));
  }

  /** True when a debugger access must wait for the FPEC (the AHB stalls). */
  #blocked(address: number): boolean {
    if (!this.fpec.busy) return false;
    const name = this.bus.regionAt(address)?.name;
    return name === "flash";
  }

  /** AHB-AP read. */
  debugRead(address: number, size: 1 | 2 | 4): DebugAccess {
    return this.#debug(address, () => this.bus.read(address >>> 0, size));
  }

  /** AHB-AP write. */
  debugWrite(address: number, size: 1 | 2 | 4, value: number): DebugAccess {
    return this.#debug(address, () => {
      this.bus.write(address >>> 0, size, value);
      return 0;
    });
  }

  #debug(address: number, access: () => number): DebugAccess {
    if (this.#blocked(address)) return { ok: false, wait: true };
    this.#debugActive = true;
    try {
      return { ok: true, value: access() };
    } catch (e) {
      if (e instanceof BusFault) return { ok: false, wait: false };
      throw e;
    } finally {
      this.#debugActive = false;
    }
  }
}
