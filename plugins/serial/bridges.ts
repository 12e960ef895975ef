/**
 * USB-serial bridges and on-chip USB serial units seen on development boards, with the
 * target families each is used with. Ids from the vendors' datasheets and the Linux drivers'
 * id tables (cp210x.c, ch341.c, ftdi_sio_ids.h, cdc-acm; DAPLink's board list).
 *
 * @module
 */

/** One known bridge. */
export interface Bridge {
  /** USB vendor id. */
  readonly vendorId: number;
  /** USB product id. */
  readonly productId: number;
  /** Human name. */
  readonly name: string;
  /** Target families this bridge is found on (`esp`, `nrf`). */
  readonly families: readonly string[];
  /** What to know about it. */
  readonly note?: string;
}

/** Known bridges. */
export const BRIDGES: readonly Bridge[] = [
  { vendorId: 0x10c4, productId: 0xea60, name: "Silicon Labs CP210x", families: ["esp"] },
  { vendorId: 0x1a86, productId: 0x7523, name: "WCH CH340", families: ["esp"] },
  { vendorId: 0x1a86, productId: 0x55d3, name: "WCH CH343", families: ["esp"] },
  { vendorId: 0x0403, productId: 0x6001, name: "FTDI FT232R", families: ["esp"] },
  {
    vendorId: 0x0403,
    productId: 0x6010,
    name: "FTDI FT2232H",
    families: ["esp"],
    note: "interface A is often JTAG; the UART is usually the second port",
  },
  { vendorId: 0x0403, productId: 0x6014, name: "FTDI FT232H", families: ["esp"] },
  { vendorId: 0x0403, productId: 0x6015, name: "FTDI FT-X", families: ["esp"] },
  {
    vendorId: 0x303a,
    productId: 0x1001,
    name: "Espressif USB-JTAG-Serial",
    families: ["esp"],
    note: "built into ESP32-C3/C6/H2/S3; the port re-enumerates when the chip resets",
  },
  {
    vendorId: 0x0d28,
    productId: 0x0204,
    name: "Arm DAPLink (micro:bit)",
    families: ["nrf"],
    note: "serial console only; flashing goes through the CMSIS-DAP probe",
  },
];

/** The bridge with these ids, if known. */
export function findBridge(vendorId: number, productId: number): Bridge | undefined {
  return BRIDGES.find((b) => b.vendorId === vendorId && b.productId === productId);
}

/** `vvvv:pppp` in lower-case hex. */
export function usbId(vendorId: number, productId: number): string {
  const h = (n: number) => n.toString(16).padStart(4, "0");
  return `${h(vendorId)}:${h(productId)}`;
}

/** The family a target name belongs to, for bridge matching (`esp32c3` → `esp`). */
export function familyOfTarget(target: string): string {
  const t = target.toLowerCase();
  if (t.startsWith("esp")) return "esp";
  if (t.startsWith("nrf") || t.startsWith("microbit")) return "nrf";
  return t;
}
