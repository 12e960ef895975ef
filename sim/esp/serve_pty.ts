/**
 * Serves a simulated chip on the master side of a pty in real time. The slave's line rate (as
 * the client set it) stands in for the host UART rate, so a client that forgets to follow a
 * CHANGE_BAUDRATE gets noise, as with a real chip. There are no modem lines on a pty: the
 * chip is put in download mode when serving starts.
 *
 * @module
 */
import { type Clock, RealClock } from "../../kernel/mod.ts";
import type { PtyMaster } from "../pty.ts";
import { type EspDevice, garble } from "./device.ts";
import { TimedPipe } from "./link.ts";

/** A running pty server. */
export interface PtyServer {
  /** Stops serving (the pty stays open; the caller closes it). */
  stop(): Promise<void>;
}

/** Connects `device` to `master` and pumps bytes both ways until stopped. */
export function servePty(
  device: EspDevice,
  master: PtyMaster,
  clock: Clock = new RealClock(),
): PtyServer {
  let running = true;
  device.useClock(clock);
  const toDevice = new TimedPipe(clock, (b, baud) => device.receive(b, baud));
  const toHost = new TimedPipe(clock, (b, baud) => {
    const hostBaud = master.baudRate();
    void master.write(hostBaud === 0 || hostBaud === baud ? b : garble(b));
  });
  device.attachTx((b, baud) => toHost.send(b, baud));
  device.bootDownload();
  const loop = (async () => {
    while (running) {
      const bytes = await master.read(100);
      if (bytes.length && running) toDevice.send(bytes, master.baudRate() || device.baud());
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      device.attachTx(undefined);
      toDevice.close();
      toHost.close();
    },
  };
}
