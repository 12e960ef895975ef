/**
 * Reset sequences that put a chip into its ROM download mode through the modem lines
 * (DTR→IO0, RTS→EN on the usual auto-reset circuit; asserted = pin low). Timings are
 * esptool's (reset.py, v5.2): see the reference notes §2.4.
 *
 * @module
 */
import type { RunContext, SerialPortLike, SerialSignals } from "../../kernel/mod.ts";

/** A named sequence of line states and waits. */
export type ResetStep = SerialSignals | { waitMs: number };

/** Classic reset: hold EN low, release it with IO0 held low, then release IO0. */
export function classicReset(extraDelay = false): ResetStep[] {
  return [
    { dataTerminalReady: false, requestToSend: true },
    { waitMs: 100 },
    { dataTerminalReady: true, requestToSend: false },
    { waitMs: extraDelay ? 550 : 50 },
    { dataTerminalReady: false },
  ];
}

/** USB-Serial-JTAG (VID 0x303A, PID 0x1001) reset, which maps the lines differently. */
export function usbJtagSerialReset(): ResetStep[] {
  return [
    { requestToSend: false, dataTerminalReady: false },
    { waitMs: 100 },
    { dataTerminalReady: true, requestToSend: false },
    { waitMs: 100 },
    { requestToSend: true, dataTerminalReady: false },
    { requestToSend: true },
    { waitMs: 100 },
    { dataTerminalReady: false, requestToSend: false },
  ];
}

/**
 * Hard reset into the application: pulse EN with IO0 released. `settle` adds esptool's wait
 * after the release, needed only when the port is used again (USB re-enumeration).
 */
export function hardReset(usb: boolean, settle = true): ResetStep[] {
  return [
    { dataTerminalReady: false, requestToSend: true },
    { waitMs: usb ? 200 : 100 },
    { requestToSend: false },
    ...(usb && settle ? [{ waitMs: 200 }] : []),
  ];
}

/** True for Espressif's built-in USB-Serial-JTAG port. */
export function isUsbJtagSerial(port: SerialPortLike): boolean {
  const info = port.getInfo();
  return info.usbVendorId === 0x303a && info.usbProductId === 0x1001;
}

/**
 * Plays a sequence. Returns false (having changed nothing further) when the port cannot
 * carry modem lines, e.g. a raw TCP bridge; the caller then just tries to sync.
 */
export async function runReset(
  ctx: RunContext,
  port: SerialPortLike,
  steps: readonly ResetStep[],
): Promise<boolean> {
  for (const step of steps) {
    if ("waitMs" in step) {
      await ctx.clock.sleep(step.waitMs, ctx.signal);
      continue;
    }
    try {
      await port.setSignals(step);
    } catch (e) {
      ctx.log.debug(`reset skipped: ${e instanceof Error ? e.message : e}`);
      return false;
    }
  }
  return true;
}
