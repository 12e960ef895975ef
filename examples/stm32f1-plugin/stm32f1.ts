/**
 * A target family plugin: STM32F1 (medium density) over CMSIS-DAP or a GDB server. It reuses
 * the built-in probe layers (CMSIS-DAP, GDB remote, Cortex-M debug) through the package's
 * `probes` export and brings its own flash stub for the FPEC, which differs from the nRF
 * NVMC: key unlock, half-word programming, page erase through PER/AR/STRT, BSY/EOP status.
 *
 * Target options (`-O key=value`): `swdClockHz` (default 4 MHz).
 *
 * @module
 */
import {
  type ConnectOptions,
  type CostModel,
  defineOptions,
  defineTarget,
  option,
  type OptionsOf,
  type Plugin,
  type PluginHost,
  type RunContext,
  type TargetDefinition,
} from "../../mod.ts";
import { openCortexM } from "../../probes/mod.ts";
import { FLASH_BASE, STM32F1_CHIPS, type Stm32f1Chip } from "./chips.ts";
import { Stm32f1Device, stm32f1Layout } from "./device.ts";

/**
 * Modelled costs: 64-byte HID reports, one per 1 ms frame each way, pipelined (about 56
 * payload bytes per ms); erase and half-word times from the datasheet; CRC-32 in the stub
 * at about 70 cycles a byte.
 */
export function stm32f1Cost(chip: Stm32f1Chip): CostModel {
  return {
    transferMs: (bytes) => bytes / 56,
    eraseMs: (blocks) => blocks * chip.pageEraseMs,
    programMs: (bytes) => (bytes / 2) * chip.halfWordUs / 1000,
    hashMs: (bytes) => (bytes * 70 * 1000) / chip.clockHz,
    roundTripMs: 2,
  };
}

/** The STM32F1 targets' options. */
export const stm32f1Options = defineOptions({
  swdClockHz: option.number({
    min: 1,
    default: 4_000_000,
    description: "SWD clock of a CMSIS-DAP probe, Hz",
  }),
});

/** Parsed STM32F1 target options. */
export type Stm32f1Options = OptionsOf<typeof stm32f1Options>;

async function connect(
  host: PluginHost,
  ctx: RunContext,
  chip: Stm32f1Chip,
  options: ConnectOptions<Stm32f1Options>,
): Promise<Stm32f1Device> {
  const address = options.probe ?? "hid:";
  const core = await openCortexM(ctx, host, address, {
    target: chip.target,
    clockHz: options.options.swdClockHz,
  });
  try {
    return await Stm32f1Device.open(ctx, core, chip, { probe: address });
  } catch (e) {
    await core.close().catch(() => {});
    throw e;
  }
}

/** The target definition of one part. */
export function stm32f1Target(
  host: PluginHost,
  chip: Stm32f1Chip,
): TargetDefinition<Stm32f1Device, Stm32f1Options> {
  return defineTarget({
    name: chip.target,
    family: "stm32f1",
    description: `${chip.name} (${chip.flashSize / 1024} KiB flash at 0x${
      FLASH_BASE.toString(16)
    }) over CMSIS-DAP`,
    link: "probe",
    layout: stm32f1Layout(chip),
    hash: "crc32",
    partialBlocks: "keep",
    cost: stm32f1Cost(chip),
    options: stm32f1Options,
    connect: (ctx, options) => connect(host, ctx, chip, options),
  });
}

/** The plugin: registers every STM32F1 part in the chip table. */
export default function stm32f1(): Plugin {
  return (host) => {
    for (const chip of STM32F1_CHIPS) host.registerTarget(stm32f1Target(host, chip));
  };
}
