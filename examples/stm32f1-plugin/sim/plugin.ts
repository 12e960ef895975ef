/**
 * The simulator side of the STM32F1 example, as a plugin: it adds a board model (a DAPLink
 * probe wired to a simulated STM32F103C8) to the DAP simulator's bank, so the one `sim:`
 * DAP transport serves `sim:stm32f103c8` (and `sim:stm32f103cb`) next to the micro:bits.
 * Host code never imports this module; a test or a project config loads it.
 *
 * @module
 */
import type { Plugin } from "../../../mod.ts";
import { dapSim, DapSimBank, sharedDapSimBank } from "../../../sim/mod.ts";
import { STM32F1_CHIPS } from "../chips.ts";
import { Stm32f1SimDevice } from "./device.ts";

export { Stm32f1SimDevice };

/**
 * Defines the STM32F1 boards in `bank` (the process-wide one by default). With a bank of its
 * own (tests), it also registers the `sim:` DAP transport for that bank.
 */
export default function stm32f1Sim(bank?: DapSimBank): Plugin {
  // Loaded from a config, the factory receives the entry's options (usually none).
  const target = bank instanceof DapSimBank ? bank : sharedDapSimBank;
  return async (host) => {
    for (const chip of STM32F1_CHIPS) {
      target.defineBoard({
        name: chip.target,
        boardId: "0000",
        vendor: "Generic",
        title: `${chip.name} board`,
        deviceVendor: "STMicroelectronics",
        deviceName: chip.name,
        create: () => new Stm32f1SimDevice(chip),
      });
    }
    if (target !== sharedDapSimBank) await dapSim(target)(host);
  };
}
