/**
 * Simulated ESP32-family chips behind the `sim:` serial transport: the plugin, the bank that
 * keeps devices alive across opens, and the device model for tests that inspect flash.
 *
 * @module
 */
export { espSim, EspSimBank, parseSimAddress, sharedEspSimBank } from "./plugin.ts";
export { type EspSimAddress } from "./plugin.ts";
export { type ChipMode, type CommandRecord, EspDevice, ROM_BAUD } from "./device.ts";
export { ESP_CHIPS, type EspChip, findChip, jedecId } from "./chips.ts";
export { NorFlash, PAGE_SIZE, SECTOR_SIZE } from "./flash.ts";
export { ESP_TIMING } from "./timing.ts";
export { SimSerialPort } from "./port.ts";
export { WebSerialSimPort } from "./webserial.ts";
export { servePty } from "./serve_pty.ts";
