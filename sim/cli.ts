/**
 * Serves a simulated chip on a pseudo-terminal until killed:
 *
 *   deno run -A sim/cli.ts esp32c3 [--state flash.bin] [--flash 4MB] [--verbose]
 *
 * Prints the tty path (e.g. /dev/pts/5) on stdout; point any flasher at it. A pty carries no
 * DTR/RTS, so the chip starts (and stays, across reboots) reachable in download mode: use the
 * client's "no reset" option.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ESP_CHIPS } from "./esp/chips.ts";
import { Op } from "./esp/protocol.ts";
import { EspSimBank } from "./esp/plugin.ts";
import { servePty } from "./esp/serve_pty.ts";
import { PtyMaster } from "./pty.ts";

const USAGE = `usage: sim/cli.ts <chip> [--state FILE] [--flash SIZE] [--verbose]
chips: ${Object.keys(ESP_CHIPS).join(", ")}`;

const OP_NAMES = new Map(Object.entries(Op).map(([k, v]) => [v as number, k]));

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      state: { type: "string" },
      flash: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const q = new URLSearchParams({ usb: "uart" });
  if (values.state) q.set("state", values.state);
  if (values.flash) q.set("flash", values.flash);
  const bank = new EspSimBank();
  let device;
  try {
    device = await bank.device(`sim:${positionals[0]}?${q}`);
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  // Listen before the path is printed: whoever reads it may stop us at once, and the flash
  // must still be saved.
  const stop = new Promise<void>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(sig, () => resolve());
  });
  const master = PtyMaster.open();
  const server = servePty(device, master);
  console.log(master.path);
  console.error(
    `${device.chip.name} (${device.flash.size >> 20} MB flash) in download mode on ${master.path}` +
      " (no DTR/RTS on a pty: use the flasher's no-reset option)",
  );
  let logged = device.history.length;
  const timer = setInterval(() => {
    bank.save(device);
    if (values.verbose) {
      for (const r of device.history.slice(logged)) {
        const name = OP_NAMES.get(r.op) ?? `0x${r.op.toString(16)}`;
        console.error(
          `${r.loader} ${name}${r.status ? ` → status 0x${r.status.toString(16)}` : ""}`,
        );
      }
    }
    logged = device.history.length;
  }, 500);
  await stop;
  clearInterval(timer);
  await server.stop();
  bank.save(device);
  master.close();
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
