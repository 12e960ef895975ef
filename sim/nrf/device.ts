/**
 * One simulated nRF chip: core, bus, flash/UICR/RAM, NVMC, debug registers, and a time
 * base in core cycles. The debug port reaches the bus through {@link NrfDevice.debugRead} /
 * {@link NrfDevice.debugWrite}, which answer "wait" while the NVMC blocks the access (the
 * AHB-AP stalls, so the SW-DP answers WAIT) instead of stalling like the core does.
 *
 * Time: the core runs in bursts when the probe asks the device to catch up with the
 * virtual clock ({@link NrfDevice.advanceTo}). A core that polls NVMC READY, or an
 * unmodelled peripheral (those read as zero), in a loop with no side effects is
 * fast-forwarded whole loop periods (exactly what it would have computed); a `b .` or
 * WFI/WFE skips to the end of the burst. The nRF52 core executes the ARMv6-M subset only:
 * Thumb-2 application code faults (recorded) — flashing stubs are Thumb-1. A burst is capped at
 * `maxBurstCycles`; the rest of a longer gap passes without the core running (only a
 * free-running application notices, and nothing observes it).
 *
 * @module
 */
import { BusFault, MemoryMap, RamRegion, RazWiRegion } from "../armv6m/bus.ts";
import { mapComponents } from "../armv6m/coresight.ts";
import { Cpu, type CycleClock } from "../armv6m/cpu.ts";
import { SystemControlSpace } from "../armv6m/debug.ts";
import type { NrfChip } from "./chips.ts";
import { NORDIC_ROM, nrfCoreSight } from "./coresight.ts";
import { ficrRegion } from "./ficr.ts";
import { NvmArrayRegion, Nvmc, NVMC_BASE, NvmcRegisters, UICR_BASE } from "./nvmc.ts";

/** Options for a new device. */
export interface NrfDeviceOptions {
  /** Initial flash contents (copied; defaults to erased). */
  readonly flash?: Uint8Array;
  /** Initial UICR contents. */
  readonly uicr?: Uint8Array;
  /** FICR DEVICEID. */
  readonly deviceId?: [number, number];
  /** Longest core burst per catch-up, in cycles (default 8M). */
  readonly maxBurstCycles?: number;
  /** Fast-forward side-effect-free READY polling loops (default true). */
  readonly fastForward?: boolean;
}

/** Result of a debugger bus access. */
export type DebugAccess = { ok: true; value: number } | { ok: false; wait: boolean };

/** A simulated nRF51/nRF52. */
export class NrfDevice {
  /** Device time in core cycles. */
  readonly time: CycleClock = { cycles: 0 };
  /** Code flash contents. */
  readonly flash: Uint8Array;
  /** UICR contents. */
  readonly uicr: Uint8Array;
  /** RAM contents. */
  readonly ram: Uint8Array;
  /** The system bus. */
  readonly bus: MemoryMap = new MemoryMap();
  /** The core. */
  readonly cpu: Cpu;
  /** The flash controller. */
  readonly nvmc: Nvmc;
  /** Debug and system control registers. */
  readonly scs: SystemControlSpace;
  /** Longest core burst per catch-up. */
  readonly maxBurstCycles: number;
  /**
   * nRF52 access port protection in force: every AHB-AP access faults and the CTRL-AP's
   * APPROTECTSTATUS reads 0, until a CTRL-AP ERASEALL (nRF52 reference manual, CTRL-AP).
   */
  approtect = false;
  #debugActive = false;
  #poll = [0, 1].map(() => ({
    valid: false,
    regs: new Uint32Array(16),
    psr: 0,
    writes: 0,
    cycles: 0,
  }));

  /** A powered-up chip (flash erased unless given). */
  constructor(readonly chip: NrfChip, options: NrfDeviceOptions = {}) {
    this.flash = new Uint8Array(chip.flashSize).fill(0xff);
    if (options.flash) this.flash.set(options.flash.subarray(0, chip.flashSize));
    this.uicr = new Uint8Array(chip.uicrSize).fill(0xff);
    if (options.uicr) this.uicr.set(options.uicr.subarray(0, chip.uicrSize));
    this.ram = new Uint8Array(chip.ramSize);
    this.maxBurstCycles = options.maxBurstCycles ?? 8_000_000;
    this.nvmc = new Nvmc(chip, this.flash, this.uicr, this.time);
    const fastForward = options.fastForward ?? true;
    if (fastForward) {
      this.nvmc.onBusyPoll = () =>
        this.#spinPoll(0, Math.min(this.nvmc.busyUntil - 1, this.cpu.runUntil));
    }
    const apb = (base: number, size: number) => {
      const region = new RazWiRegion("apb", base, size);
      if (fastForward) region.read = () => (this.#spinPoll(1, this.cpu.runUntil), 0);
      return region;
    };
    this.cpu = new Cpu(this.bus, chip.profile, this.time);
    this.nvmc.stallLimit = () => (this.#debugActive ? Number.POSITIVE_INFINITY : this.cpu.runUntil);
    const coreSight = nrfCoreSight(chip, () => this.scs.traceEnabled);
    this.scs = new SystemControlSpace(
      this.cpu,
      chip.cpuid,
      () => this.systemReset(),
      coreSight.scs,
    );
    const ws = chip.flashWaitStates;
    this.bus
      .add(new NvmArrayRegion("flash", 0, this.flash, this.nvmc, ws))
      .add(ficrRegion(chip, options.deviceId ?? [0x12345678, 0x9abcdef0]))
      .add(new NvmArrayRegion("uicr", UICR_BASE, this.uicr, this.nvmc, ws))
      .add(new RamRegion("ram", 0x20000000, chip.ramSize, this.ram))
      .add(new NvmcRegisters(this.nvmc))
      .add(apb(0x40000000, NVMC_BASE - 0x40000000))
      .add(apb(NVMC_BASE + 0x1000, 0x60000000 - NVMC_BASE - 0x1000));
    const ppb = coreSight.blocks.filter((b) => b.base < NORDIC_ROM);
    mapComponents(this.bus, 0xe0000000, 0xe0100000, ppb, [this.scs]);
    // Nordic's identification (the words the MDK's errata checks read at 0xF0000FE0…).
    const nordic = coreSight.blocks.filter((b) => b.base >= NORDIC_ROM);
    mapComponents(this.bus, NORDIC_ROM, NORDIC_ROM + 0x1000, nordic, [], "part-id");
    if (chip.family === "nrf52") {
      this.bus.add(new RamRegion("code-ram", 0x00800000, chip.ramSize, this.ram));
    }
    this.cpu.reset();
    this.cpu.resetSeen = false;
  }

  /** Device time in ms. */
  get nowMs(): number {
    return (this.time.cycles * 1000) / this.chip.clockHz;
  }

  /** Runs the core (or just lets time pass) until device time reaches `ms`. */
  advanceTo(ms: number): void {
    const target = Math.floor((ms * this.chip.clockHz) / 1000 + 1e-6); // ms→cycle round-trips
    if (target <= this.time.cycles) return;
    const cpu = this.cpu;
    if (cpu.running && !cpu.sleeping) {
      cpu.run(Math.min(target, this.time.cycles + this.maxBurstCycles));
    }
    if (this.time.cycles < target) this.time.cycles = target;
  }

  /** Advances by `ms` of device time. */
  advanceBy(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  /** SYSRESETREQ or a reset pin: peripherals and core reset; debug state survives. */
  systemReset(): void {
    this.#asDebugger(() => this.nvmc.stall());
    this.nvmc.reset();
    for (const p of this.#poll) p.valid = false;
    this.cpu.reset();
  }

  /** True when a debugger access to `address` must wait for the NVMC. */
  #blocked(address: number): boolean {
    if (!this.nvmc.busy) return false;
    const region = this.bus.regionAt(address);
    if (!region) return false;
    if (region.name === "flash" || region.name === "uicr") return true;
    return region.name === "nvmc" && (address & 0xfff) >= 0x508;
  }

  /** Runs `fn` as a debugger-side operation (NVMC waits are not bounded by a core burst). */
  #asDebugger<T>(fn: () => T): T {
    const was = this.#debugActive;
    this.#debugActive = true;
    try {
      return fn();
    } finally {
      this.#debugActive = was;
    }
  }

  /** ERASEALL requested through the CTRL-AP. */
  debugEraseAll(): void {
    this.#asDebugger(() => this.nvmc.eraseAll());
  }

  /** True while the NVMC still programs a word the debugger wrote to flash or UICR. */
  debugStalled(address: number): boolean {
    if (!this.nvmc.busy) return false;
    const name = this.bus.regionAt(address)?.name;
    return name === "flash" || name === "uicr";
  }

  /** AHB-AP read. */
  debugRead(address: number, size: 1 | 2 | 4): DebugAccess {
    if (this.approtect) return { ok: false, wait: false };
    if (this.#blocked(address)) return { ok: false, wait: true };
    this.#debugActive = true;
    try {
      return { ok: true, value: this.bus.read(address >>> 0, size) };
    } catch (e) {
      if (e instanceof BusFault) return { ok: false, wait: false };
      throw e;
    } finally {
      this.#debugActive = false;
    }
  }

  /** AHB-AP write. */
  debugWrite(address: number, size: 1 | 2 | 4, value: number): DebugAccess {
    if (this.approtect) return { ok: false, wait: false };
    if (this.#blocked(address)) return { ok: false, wait: true };
    this.#debugActive = true;
    try {
      this.bus.write(address >>> 0, size, value);
      return { ok: true, value: 0 };
    } catch (e) {
      if (e instanceof BusFault) return { ok: false, wait: false };
      throw e;
    } finally {
      this.#debugActive = false;
    }
  }

  /**
   * Called when the core polls a register whose value cannot change before `limit` (NVMC
   * READY while busy; an unmodelled peripheral, forever). If the core is back at the same
   * poll with identical registers and flags and nothing written since, the loop is periodic
   * and side-effect free: skip whole periods up to `limit` (what the core would have done).
   */
  #spinPoll(slot: 0 | 1, limit: number): void {
    if (this.#debugActive) return;
    const cpu = this.cpu;
    const now = this.time.cycles;
    const psr = cpu.xpsr;
    const writes = this.bus.writeCount;
    const prev = this.#poll[slot];
    if (prev.valid && prev.writes === writes && prev.psr === psr && sameRegs(prev.regs, cpu.r)) {
      const period = now - prev.cycles;
      if (period > 0 && limit > now && Number.isFinite(limit)) {
        this.time.cycles += Math.floor((limit - now) / period) * period;
      }
    } else {
      prev.regs.set(cpu.r);
      prev.psr = psr;
      prev.writes = writes;
      prev.valid = true;
    }
    prev.cycles = this.time.cycles;
  }
}

function sameRegs(a: Uint32Array, b: Uint32Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}
