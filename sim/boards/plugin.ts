/**
 * The `sim:` DAP transport: a simulated DAPLink probe (CMSIS-DAP v1 over HID timing) wired
 * to a simulated nRF51/nRF52 whose ARMv6-M core really runs what the host uploads.
 * Addresses: `sim:microbit-v1` (nRF51822, board id 9900), `sim:microbit-v2` (nRF52833,
 * 9903), `sim:nrf52840` (1102); chip names work too (`sim:nrf51822`), and a bare `sim:`
 * takes the board from the target name. `?state=/path.bin` persists flash ‖ UICR.
 *
 * Tests: `const bank = new DapSimBank(); registry.use(dapSim(bank))`; then
 * `await bank.board("sim:microbit-v2")` gives the {@link SimBoard}: `.device.flash`,
 * `.device.uicr`, `.device.ram`, `.device.nvmc.stats`, `.device.cpu`. Preload an image with
 * `loadHex(board, text)` (Intel HEX or micro:bit Universal Hex) or `loadSegments`.
 *
 * @module
 */
import type { Plugin, TransportProvider } from "../../kernel/mod.ts";
import { DapSimBank, sharedDapSimBank } from "./bank.ts";

export { DapSimBank, loadHex, loadSegments, parseDapSimAddress, sharedDapSimBank } from "./bank.ts";
export { parseHexForBoard } from "../dap/hex.ts";
export { type BoardSpec, SIM_BOARDS, SimBoard } from "./boards.ts";
export { DapProbe, type DapTarget, type ProbeIdentity, type VendorFlash } from "../dap/probe.ts";
export { NrfDevice, type NrfDeviceOptions } from "../nrf/device.ts";
export { SimDapLink } from "../dap/link.ts";
export {
  ModelBoard,
  type SimDapBoardModel,
  type SimDapChip,
  type SimDapLinkedBoard,
} from "../dap/model.ts";
export { type AccessPort, type ApResult, SwDp } from "../dap/dp.ts";
export { DAP_TIMING } from "../dap/timing.ts";
export { NRF_CHIPS, type NrfChip } from "../nrf/chips.ts";
export { type DebugBus, MemAp } from "../dap/mem_ap.ts";

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
