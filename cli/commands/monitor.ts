/**
 * `monitor`: reset into the application and show its serial console.
 *
 * @module
 */
import { AbortedError, DeltaflashError, readInput, UsageError } from "../../kernel/mod.ts";
import type { CommandSpec } from "../commander.ts";
import { decodeAddresses, runMonitor } from "../monitor.ts";
import { elfFunctionSymbols } from "../../plugins/formats/elf_symbols.ts";
import { type CliIO, type GlobalOptions, openSession } from "../session.ts";
import { withDevice } from "./device.ts";
import type { FlashDevice, RunContext, SerialPortLike } from "../../kernel/mod.ts";

/**
 * Hands the device's console to the monitor (used by `monitor` and `flash --monitor`). A
 * device without one (a core behind a debug probe) uses `console`, the board's own serial
 * port, when given.
 */
export async function monitorDevice(
  io: CliIO,
  device: FlashDevice,
  ctx: RunContext,
  timeoutSeconds?: number,
  elf?: string,
  console?: () => Promise<SerialPortLike>,
): Promise<number> {
  const symbols = elf ? elfFunctionSymbols(await readInput({ file: elf }), elf) : [];
  if (!device.monitor && !console) {
    throw new DeltaflashError(
      "E_UNSUPPORTED",
      `${device.info.chip}: no serial console on this link`,
      {
        hint: "give the board's serial port too: --port /dev/ttyACM0",
      },
    );
  }
  const port = device.monitor ? await device.monitor(ctx) : await console!();
  const interactive = io.isTerminal && Deno.stdin.isTerminal();
  if (interactive) {
    Deno.stdin.setRaw(true);
    io.err("monitor: Ctrl-R resets, Ctrl-C exits");
  }
  try {
    await runMonitor(port, {
      line: (l) => decodeAddresses(l, symbols).forEach((x) => io.out(x)),
      note: (t) => io.err(`monitor: ${t}`),
      timeoutMs: timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined,
      keys: interactive ? Deno.stdin.readable : undefined,
      signal: ctx.signal,
    });
  } finally {
    if (interactive) Deno.stdin.setRaw(false);
  }
  // Ctrl-C as a key is how a monitor ends (exit 0); SIGINT interrupts it (exit 130).
  if (ctx.signal.aborted) throw new AbortedError({ cause: ctx.signal.reason });
  return 0;
}

/** `--timeout` in seconds: a positive number, or a usage error. */
export function parseTimeout(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`bad timeout '${String(v)}'`, { hint: "seconds, e.g. --timeout 10" });
  }
  return n;
}

/** The `monitor` command. */
export function monitorCommand(io: CliIO): CommandSpec {
  return {
    name: "monitor",
    description: "reset into the application and show its serial console",
    options: [
      { flags: "--timeout <seconds>", description: "stop after this many seconds" },
      {
        flags: "--elf <file>",
        description: "decode code addresses (panic backtraces) with this ELF",
      },
    ],
    examples: ["deltaflash monitor --target esp32c3 --port /dev/ttyUSB0"],
    async run(_args, o) {
      const s = await openSession(o as GlobalOptions, io);
      const timeout = parseTimeout(o.timeout);
      const elf = o.elf as string | undefined;
      return await withDevice(s, (d, ctx) => monitorDevice(io, d, ctx, timeout, elf));
    },
  };
}
