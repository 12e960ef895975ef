/**
 * The CLI end to end on QEMU's micro:bit: `deltaflash flash --target microbit-v1 --probe
 * gdb://127.0.0.1:PORT file.hex`, then the same again (nothing but QEMU's reset-wiped UICR
 * is rewritten), then the whole flash read back through the GDB link.
 */
import { deepEqual, equal } from "node:assert/strict";
import { createContext } from "../kernel/mod.ts";
import { GdbCortexMDebug, openTcpStream } from "../probes/gdb/mod.ts";
import { parseIntelHex } from "../plugins/formats/ihex.ts";
import {
  DEBIAN_MICROPYTHON_HEX,
  flashFromHex,
  MICROBIT_V1_FLASH,
  qemuMissing,
  startQemuMicrobit,
} from "./qemu/harness.ts";
import { runCli } from "./support/run_cli.ts";

const HEX = new URL(
  "../../shared/firmware/microbit/makecode-universal-hex/microbit-Rock-Paper-Scissors.hex",
  import.meta.url,
).pathname;
const corpus = await Deno.stat(HEX).then(() => true, () => false);
const skip = (await qemuMissing()) ??
  (corpus ? undefined : `${HEX} is absent`) ??
  (await Deno.stat(DEBIAN_MICROPYTHON_HEX).then(
    () => undefined,
    () => `${DEBIAN_MICROPYTHON_HEX} is absent`,
  ));
if (skip) console.log(`skipping CLI --probe gdb:// test: ${skip}`);

Deno.test({
  name: "cli: flash --target microbit-v1 --probe gdb://… on QEMU, then again: no page rewritten",
  ignore: !!skip,
  async fn() {
    const base = flashFromHex(await Deno.readTextFile(DEBIAN_MICROPYTHON_HEX), "firmware.hex");
    const q = await startQemuMicrobit(base);
    try {
      const argv = ["flash", "--target", "microbit-v1", "--probe", q.address, HEX];
      const first = await runCli(argv);
      equal(first.code, 0, first.stdout + first.stderr);
      const again = await runCli([...argv, "--json"]);
      equal(again.code, 0, again.stdout + again.stderr);
      // The session reset the board on close, and QEMU's reset sets the UICR back to 0xFF:
      // only the UICR block may be written again, no flash page.
      const runs: { address: number; length: number }[] = JSON.parse(again.stdout).plan.runs;
      deepEqual(runs.filter((r) => r.address < 0x10000000), []);
      const ctx = createContext();
      const d = await GdbCortexMDebug.connect(ctx, await openTcpStream(q.address));
      try {
        const v1 = parseIntelHex(await Deno.readTextFile(HEX), HEX).sections[0].image;
        const expected = v1.slice(0, MICROBIT_V1_FLASH).read(0, MICROBIT_V1_FLASH, base);
        deepEqual(await d.readMemory(ctx, 0, MICROBIT_V1_FLASH), expected);
      } finally {
        await d.close();
      }
    } finally {
      await q.stop();
    }
  },
});
