/**
 * `monitor`: reset into the application and show its serial console.
 *
 * @module
 */
import { DeltaflashError, readInput } from "../../kernel/mod.ts";
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
    });
  } finally {
    if (interactive) Deno.stdin.setRaw(false);
  }
  return 0;
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
      const timeout = o.timeout !== undefined ? Number(o.timeout) : undefined;
      const elf = o.elf as string | undefined;
      return await withDevice(s, (d, ctx) => monitorDevice(io, d, ctx, timeout, elf));
    },
  };
}
