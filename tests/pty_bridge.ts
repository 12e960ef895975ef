/**
 * Test support: serves a device-side port (a simulator's) on a pty master, so host code
 * reaches the simulator through a real tty path.
 *
 * @module
 */

/** Something that looks like a serial port from the device's side (a simulator's port). */
export interface DeviceSide {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly baudRate: number;
  setBaudRate(baud: number): Promise<void>;
  close(): Promise<void>;
}

/** The master side of a pty, as the bridge needs it. */
export interface PtyLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  lineSettings(): { ospeed: number };
}

/**
 * Serves a device-side port on a pty master: bytes flow both ways, and whenever whoever
 * opened the slave changes its rate, the device side follows before the next bytes reach
 * it (so a simulator's baud-mismatch model sees what a real UART would). Returns a stop
 * function that waits for both pumps.
 */
export function bridgePty(pty: PtyLike, device: DeviceSide): () => Promise<void> {
  const ac = new AbortController();
  const syncBaud = async () => {
    const baud = pty.lineSettings().ospeed;
    if (baud !== device.baudRate) await device.setBaudRate(baud);
  };
  const toDevice = (async () => {
    const w = device.writable.getWriter();
    const r = pty.readable.getReader();
    ac.signal.addEventListener("abort", () => r.cancel().catch(() => {}), { once: true });
    try {
      for (;;) {
        const { value, done } = await r.read();
        if (done || ac.signal.aborted) break;
        await syncBaud();
        await w.write(value);
      }
    } catch {
      /* stopped */
    } finally {
      r.releaseLock();
      w.releaseLock();
    }
  })();
  const toHost = device.readable.pipeTo(pty.writable, { signal: ac.signal, preventClose: true })
    .catch(() => {});
  return async () => {
    ac.abort();
    await device.close();
    await Promise.all([toDevice, toHost]);
  };
}
