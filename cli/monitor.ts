/**
 * The serial monitor: prints the application's console line by line; on a terminal, Ctrl-R
 * resets the chip and Ctrl-C exits.
 *
 * @module
 */
import type { SerialPortLike } from "../kernel/mod.ts";

/** Options for {@link runMonitor}. */
export interface MonitorOptions {
  /** Writes one decoded line. */
  line(text: string): void;
  /** Stops after this many ms of real time (non-interactive use). */
  timeoutMs?: number;
  /** Keys from the user (raw stdin on a terminal). */
  keys?: ReadableStream<Uint8Array>;
  /** Notes for the user (reset, exit). */
  note(text: string): void;
}

/** Pulses EN through RTS (classic USB-UART auto-reset wiring: RTS → EN, DTR → IO0). */
async function resetChip(port: SerialPortLike): Promise<void> {
  await port.setSignals({ dataTerminalReady: false, requestToSend: true });
  await new Promise((r) => setTimeout(r, 100));
  await port.setSignals({ requestToSend: false });
}

/** Runs until the port ends, the timeout passes or the user presses Ctrl-C. */
export async function runMonitor(port: SerialPortLike, o: MonitorOptions): Promise<void> {
  const reader = port.readable.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  let done = false;
  const stop = () => {
    done = true;
    reader.cancel().catch(() => {});
  };
  const timer = o.timeoutMs !== undefined ? setTimeout(stop, o.timeoutMs) : undefined;
  const keys = (async () => {
    if (!o.keys) return;
    const kr = o.keys.getReader();
    try {
      while (!done) {
        const { value, done: end } = await kr.read();
        if (end || !value) break;
        if (value.includes(0x03)) {
          o.note("exit (Ctrl-C)");
          stop();
        } else if (value.includes(0x12)) {
          o.note("reset (Ctrl-R)");
          await resetChip(port).catch((e) => o.note(`reset failed: ${(e as Error).message}`));
        }
      }
    } finally {
      kr.releaseLock();
    }
  })();
  try {
    while (!done) {
      const { value, done: end } = await reader.read().catch(() => ({
        value: undefined,
        done: true,
      }));
      if (end) break;
      pending += decoder.decode(value, { stream: true });
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const l of lines) o.line(l);
    }
  } finally {
    if (pending) o.line(pending);
    clearTimeout(timer);
    done = true;
    reader.releaseLock();
    await port.close().catch(() => {});
    await Promise.race([keys, Promise.resolve()]);
  }
}
