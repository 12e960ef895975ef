/**
 * The serial monitor: prints the application's console line by line; on a terminal, Ctrl-R
 * resets the chip and Ctrl-C exits.
 *
 * @module
 */
import type { SerialPortLike } from "../kernel/mod.ts";
import { type ElfSymbol, symbolize } from "../plugins/formats/elf_symbols.ts";

/**
 * The line, followed by one `  0xADDR: function+0xoff` line for each code address in it that
 * the ELF's symbols resolve (ESP panic backtraces, Cortex-M fault dumps).
 */
export function decodeAddresses(line: string, symbols: readonly ElfSymbol[]): string[] {
  const out = [line];
  const seen = new Set<number>();
  for (const m of line.matchAll(/0x([0-9a-fA-F]{8})/g)) {
    const addr = parseInt(m[1], 16);
    if (seen.has(addr)) continue;
    seen.add(addr);
    // Return addresses point after the call; look up the byte before them.
    const name = symbolize(symbols, addr) ?? symbolize(symbols, addr - 1);
    if (name) out.push(`  0x${m[1].toLowerCase()}: ${name}`);
  }
  return out;
}

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
  /** Stops the monitor when aborted (SIGINT outside a raw terminal). */
  signal?: AbortSignal;
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
  o.signal?.addEventListener("abort", stop, { once: true });
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
    o.signal?.removeEventListener("abort", stop);
    done = true;
    reader.releaseLock();
    await port.close().catch(() => {});
    await Promise.race([keys, Promise.resolve()]);
  }
}
