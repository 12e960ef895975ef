/**
 * Factory Information Configuration Registers (read-only, 0x10000000). Offsets from the
 * nRF51 and nRF52 reference manuals: CODEPAGESIZE 0x010, CODESIZE 0x014, DEVICEID 0x060/0x064;
 * nRF51 NUMRAMBLOCK 0x034, SIZERAMBLOCKS 0x038, CONFIGID 0x05C; nRF52 INFO.PART 0x100,
 * INFO.VARIANT 0x104, INFO.RAM 0x10C (KiB), INFO.FLASH 0x110 (KiB). Unlisted words read
 * 0xFFFFFFFF (unprogrammed).
 *
 * @module
 */
import { RamRegion } from "../armv6m/bus.ts";
import type { NrfChip } from "./chips.ts";

/** FICR base address. */
export const FICR_BASE = 0x10000000;

/** Builds the FICR contents for a chip and a 64-bit device id. */
export function ficrRegion(chip: NrfChip, deviceId: [number, number]): RamRegion {
  const bytes = new Uint8Array(0x1000).fill(0xff);
  const view = new DataView(bytes.buffer);
  const set = (offset: number, value: number) => view.setUint32(offset, value >>> 0, true);
  set(0x010, chip.pageSize);
  set(0x014, chip.flashSize / chip.pageSize);
  set(0x060, deviceId[0]);
  set(0x064, deviceId[1]);
  if (chip.family === "nrf51") {
    set(0x034, chip.ramSize / 0x2000);
    set(0x038, 0x2000);
    set(0x05c, 0xffff0000 | chip.part);
  } else {
    set(0x100, chip.part);
    set(0x104, 0x41414141); // "AAAA"
    set(0x10c, chip.ramSize / 1024);
    set(0x110, chip.flashSize / 1024);
  }
  return new RamRegion("ficr", FICR_BASE, bytes.length, bytes, true);
}
