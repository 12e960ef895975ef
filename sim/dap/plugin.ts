/**
 * The `sim:` DAP transport: a simulated DAPLink probe (CMSIS-DAP v1 over HID timing) wired
 * to a simulated nRF51/nRF52 whose ARMv6-M core really runs what the host uploads.
 * Addresses: `sim:microbit-v1`, `sim:microbit-v2`, `sim:nrf52840`, optional `?state=/path.bin`.
 *
 * @module
 */
import type { Plugin, TransportProvider } from "../../kernel/mod.ts";
import { DapSimBank, sharedDapSimBank } from "./bank.ts";

export { DapSimBank, loadHex, loadSegments, parseDapSimAddress, sharedDapSimBank } from "./bank.ts";
export { parseHexForBoard } from "./hex.ts";
export { SIM_BOARDS, SimBoard } from "./boards.ts";
export { SimDapLink } from "./link.ts";
export {
  ModelBoard,
  type SimDapBoardModel,
  type SimDapChip,
  type SimDapLinkedBoard,
} from "./model.ts";
export { SwDp } from "./dp.ts";
export { DAP_TIMING } from "./timing.ts";
export { NRF_CHIPS, type NrfChip } from "../nrf/chips.ts";
export { MemAp } from "./mem_ap.ts";

/** Registers the `sim:` DAP transport; pass a bank to keep a test's boards apart. */
export function dapSim(bank: DapSimBank = sharedDapSimBank): Plugin {
  return (host) => {
    const provider: TransportProvider<"dap"> = {
      scheme: "sim",
      kind: "dap",
      description: "simulated DAPLink probe with an nRF51/nRF52 (micro:bit) target",
      open: (ctx, address, options) => bank.open(ctx, address, options),
    };
    host.registerTransport(provider);
  };
}
