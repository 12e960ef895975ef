/**
 * The nRF flashing code on a real CPU model: our hash and program stubs run on QEMU's
 * micro:bit (nRF51822) through the GDB link; page hashes are checked against the host hash
 * of the flash read back, and MakeCode images are partial-flashed and read back whole.
 * Skips with a reason when QEMU, the MicroPython image or the firmware corpus is absent.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { createContext, flash, type FlashImage, Registry } from "../kernel/mod.ts";
import { murmur3x2 } from "../plugins/hash/murmur3x2.ts";
import { builtinPlugins } from "../plugins/builtin.ts";
import { CHIPS } from "../targets/nrf/chips.ts";
import { NrfDevice } from "../targets/nrf/device.ts";
import { GdbCortexMDebug, openTcpStream } from "../probes/gdb/mod.ts";
import {
  DEBIAN_MICROPYTHON_HEX,
  flashFromHex,
  MICROBIT_V1_FLASH,
  type QemuMicrobit,
  qemuMissing,
  startQemuMicrobit,
} from "./qemu/harness.ts";

const MAKECODE = new URL("../../shared/firmware/microbit/makecode-universal-hex/", import.meta.url);
const PAGE = 1024;

async function firmware(): Promise<Uint8Array | undefined> {
  try {
    return flashFromHex(await Deno.readTextFile(DEBIAN_MICROPYTHON_HEX), "firmware.hex");
  } catch {
    return undefined;
  }
}

const base = await firmware();
const corpus = await Deno.stat(MAKECODE).then(() => true, () => false);
const skip = (await qemuMissing()) ?? (base ? undefined : `${DEBIAN_MICROPYTHON_HEX} is absent`);
if (skip) console.log(`skipping QEMU nRF tests: ${skip}`);
if (!skip && !corpus) console.log(`skipping MakeCode flash test: ${MAKECODE.pathname} is absent`);

async function withDevice(fn: (q: QemuMicrobit, dev: NrfDevice) => Promise<void>) {
  const q = await startQemuMicrobit(base);
  const ctx = createContext();
  let dev: NrfDevice | undefined;
  try {
    const core = await GdbCortexMDebug.connect(ctx, await openTcpStream(q.address), {
      description: `GDB ${q.address}`,
    });
    dev = await NrfDevice.open(ctx, core, CHIPS.nrf51822, { probe: q.address });
    await fn(q, dev);
  } finally {
    await dev?.close();
    await q.stop();
  }
}

Deno.test({
  name: "qemu nRF51: hash stub digests of all 256 pages equal host murmur3x2 of the flash",
  ignore: !!skip,
  fn: () =>
    withDevice(async (q, dev) => {
      const ctx = createContext();
      const ranges = Array.from({ length: 256 }, (_, i) => ({
        start: i * PAGE,
        end: (i + 1) * PAGE,
      }));
      const digests = await dev.hash(ctx, "murmur3x2", ranges);
      const readBack = await dev.read(ctx, 0, MICROBIT_V1_FLASH);
      deepEqual(readBack, q.flash);
      for (let i = 0; i < 256; i++) {
        deepEqual(
          digests[i],
          murmur3x2.digest(readBack.subarray(i * PAGE, (i + 1) * PAGE)),
          `page ${i}`,
        );
      }
      // Blank pages really hash as blank (the vector from the reference notes).
      const blank = murmur3x2.digest(new Uint8Array(PAGE).fill(0xff));
      ok(digests.some((d) => d.every((b, k) => b === blank[k])));
    }),
});

/** The flash range of `image` over `flashBefore` (what the device must hold afterwards). */
function expectedFlash(flashBefore: Uint8Array, image: FlashImage): Uint8Array {
  return image.slice(0, MICROBIT_V1_FLASH).read(0, MICROBIT_V1_FLASH, flashBefore);
}

Deno.test({
  name: "qemu nRF51: partial flash of MakeCode V1 sections, read back whole; re-flash is minimal",
  ignore: !!skip || !corpus,
  fn: () =>
    withDevice(async (q, dev) => {
      const ctx = createContext();
      const registry = new Registry();
      for (const p of builtinPlugins()) await registry.use(p.plugin, p.specifier);
      const run = (file: string) =>
        flash(registry, ctx, {
          target: "microbit-v1",
          inputs: [{ file: new URL(file, MAKECODE).pathname }],
          device: dev,
        });
      const first = await run("microbit-Dice.hex");
      ok(first.plan.totals.write > 0);
      let flashNow = await dev.read(ctx, 0, MICROBIT_V1_FLASH);
      deepEqual(flashNow, expectedFlash(q.flash, first.image));

      const second = await run("microbit-Flashing-Heart.hex");
      const expected = expectedFlash(flashNow, second.image);
      // Only pages whose final bytes differ from what the device held were written.
      let changed = 0;
      for (const b of second.plan.blocks) {
        if (b.address >= MICROBIT_V1_FLASH) continue;
        const before = flashNow.subarray(b.address, b.address + b.size);
        const after = expected.subarray(b.address, b.address + b.size);
        const differs = before.some((x, k) => x !== after[k]);
        equal(b.action, differs ? "write" : "skip", `page 0x${b.address.toString(16)}`);
        if (differs) changed++;
      }
      ok(changed > 0 && changed < second.plan.blocks.length, `${changed} changed pages`);
      flashNow = await dev.read(ctx, 0, MICROBIT_V1_FLASH);
      deepEqual(flashNow, expected);

      const third = await run("microbit-Flashing-Heart.hex");
      equal(third.plan.totals.write, 0, "flashing the same image again writes nothing");
    }),
});

Deno.test({
  name: "qemu nRF51: flash through the microbit-v1 target with --probe gdb://127.0.0.1:PORT",
  ignore: !!skip || !corpus,
  async fn() {
    const q = await startQemuMicrobit(base);
    try {
      const ctx = createContext();
      const registry = new Registry();
      for (const p of builtinPlugins()) await registry.use(p.plugin, p.specifier);
      const file = new URL("microbit-Tug-of-LED.hex", MAKECODE).pathname;
      const request = {
        target: "microbit-v1",
        inputs: [{ file }],
        connect: { probe: q.address },
      };
      const result = await flash(registry, ctx, request);
      ok(result.plan.totals.write > 0);
      equal(result.device.details?.probe, q.address);
      // The session reset the board on close; QEMU's reset wipes the UICR (nrf51_nvm sets it
      // to 0xFF), so only the UICR block may be written again.
      const again = await flash(registry, ctx, request);
      deepEqual(
        again.plan.blocks.filter((b) => b.action === "write").map((b) => b.address),
        result.image.end > 0x10001000 ? [0x10001000] : [],
      );
      const ctx2 = createContext();
      const core = await GdbCortexMDebug.connect(ctx2, await openTcpStream(q.address));
      try {
        const now = await core.readMemory(ctx2, 0, MICROBIT_V1_FLASH);
        deepEqual(now, expectedFlash(q.flash, result.image));
      } finally {
        await core.close();
      }
    } finally {
      await q.stop();
    }
  },
});
