/**
 * micro:bit flashing end to end on the simulated DAPLink + nRF: MakeCode Universal Hex
 * Dice → Flashing-Heart writes only the pages the firmware README counts as different, the
 * simulated flash then equals the image, and an identical reflash writes nothing.
 */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import {
  createContext,
  DeviceError,
  flash,
  type FlashImage,
  Registry,
  UsageError,
  VirtualClock,
} from "../kernel/mod.ts";
import { formats } from "../plugins/formats/mod.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { dapSim, DapSimBank } from "../sim/boards/plugin.ts";
import { nrfTargets } from "../targets/nrf/plugin.ts";

const DIR = new URL("../../shared/firmware/microbit/makecode-universal-hex/", import.meta.url);
const corpus = await Deno.stat(DIR).then(() => true, () => false);
if (!corpus) console.log(`skipping micro:bit flash tests: ${DIR.pathname} is absent`);

async function setup() {
  const registry = new Registry();
  const bank = new DapSimBank();
  for (const p of [hashes(), formats(), dapSim(bank), nrfTargets()]) await registry.use(p);
  return { registry, bank };
}

function ctx() {
  return createContext({ clock: new VirtualClock() });
}

function assertFlashHolds(flashBytes: Uint8Array, uicr: Uint8Array, image: FlashImage): void {
  for (const s of image.segments) {
    const here = s.address >= 0x10001000
      ? uicr.subarray(s.address - 0x10001000, s.address - 0x10001000 + s.data.length)
      : flashBytes.subarray(s.address, s.address + s.data.length);
    ok(here.every((b, i) => b === s.data[i]), `bytes at 0x${s.address.toString(16)} differ`);
  }
}

// README table (4K pages for V2, 1K pages for V1): Dice → Flashing-Heart differs in 1 / 3.
for (const [target, changed] of [["microbit-v2", 1], ["microbit-v1", 3]] as const) {
  Deno.test({
    name: `${target}: Dice → Flashing-Heart writes ${changed} page(s), reflash writes none`,
    ignore: !corpus,
    async fn() {
      const { registry, bank } = await setup();
      const probe = `sim:${target}`;
      const run = (file: string) =>
        flash(registry, ctx(), {
          target,
          inputs: [{ file: new URL(file, DIR).pathname }],
          connect: { probe },
        });
      const first = await run("microbit-Dice.hex");
      equal(first.plan.totals.skip, 0);
      const second = await run("microbit-Flashing-Heart.hex");
      const flashWrites = second.plan.blocks.filter((b) =>
        b.action === "write" && b.address < 0x10000000
      );
      equal(flashWrites.length, changed);
      equal(second.plan.totals.write, changed); // the UICR is the same in both
      const board = bank.boards()[0];
      assertFlashHolds(board.device.flash, board.device.uicr, second.image);
      const third = await run("microbit-Flashing-Heart.hex");
      equal(third.plan.totals.write, 0);
      equal(third.written?.blocks, 0);
    },
  });
}

Deno.test({
  name: "a micro:bit V1 probe refuses the microbit-v2 target with a typed error",
  ignore: !corpus,
  async fn() {
    const { registry } = await setup();
    await rejects(
      () =>
        flash(registry, ctx(), {
          target: "microbit-v2",
          inputs: [{ file: new URL("microbit-Dice.hex", DIR).pathname }],
          connect: { probe: "sim:microbit-v1" },
        }),
      (e) => e instanceof UsageError && /microbit-v1/.test(e.hint ?? ""),
    );
  },
});

Deno.test("UICR words needing 0→1 bits are erased and rewritten, never skipped", async () => {
  const { registry, bank } = await setup();
  const hex = (word: number) => {
    const bytes = [
      0x04,
      0x10,
      0x14,
      0x00,
      word & 0xff,
      (word >> 8) & 0xff,
      (word >> 16) & 0xff,
      word >>> 24,
    ];
    const sum = (0x100 - (bytes.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    const rec = bytes.map((b) => b.toString(16).padStart(2, "0")).join("") +
      sum.toString(16).padStart(2, "0");
    return new TextEncoder().encode(`:020000041000EA\n:${rec.toUpperCase()}\n:00000001FF\n`);
  };
  const run = (word: number) =>
    flash(registry, ctx(), {
      target: "microbit-v2",
      inputs: [{ file: `uicr-${word.toString(16)}.hex`, bytes: hex(word) }],
      connect: { probe: "sim:microbit-v2" },
    });
  await run(0x0007f000);
  const uicr = () => new DataView(bank.boards()[0].device.uicr.buffer).getUint32(0x14, true);
  equal(uicr(), 0x0007f000);
  const r = await run(0x00077000); // only 1→0: written without an erase
  equal(r.plan.totals.write, 1);
  equal(uicr(), 0x00077000);
  await run(0x0007f000); // bit 15 must go back to 1: erase, then write
  equal(uicr(), 0x0007f000);
  deepEqual((await run(0x0007f000)).plan.totals.write, 0);
});

const NRF52 = new URL(
  "../../shared/firmware/nrf52/adafruit-feather-nrf52840-bootloader/",
  import.meta.url,
);
const nrf52Corpus = await Deno.stat(NRF52).then(() => true, () => false);
if (!nrf52Corpus) console.log(`skipping nRF52840 flash test: ${NRF52.pathname} is absent`);

Deno.test({
  name: "nrf52840: bootloader 0.8.1 → 0.8.2 writes the README's 4 pages",
  ignore: !nrf52Corpus,
  async fn() {
    const { registry, bank } = await setup();
    const run = (version: string) =>
      flash(registry, ctx(), {
        target: "nrf52840",
        inputs: [{
          file: new URL(`feather_nrf52840_express_bootloader-${version}_s140_6.1.1.hex`, NRF52)
            .pathname,
        }],
        connect: { probe: "sim:nrf52840", options: { reset: false } },
      });
    await run("0.8.1");
    const second = await run("0.8.2");
    equal(second.plan.totals.write, 4);
    const board = bank.boards()[0];
    assertFlashHolds(board.device.flash, board.device.uicr, second.image);
  },
});

Deno.test("microbit-v2 with APPROTECT on: a DeviceError naming it and the recovery, flash untouched", async () => {
  const { registry, bank } = await setup();
  const board = await bank.board("sim:microbit-v2");
  board.device.approtect = true;
  board.device.flash.fill(0x5a, 0, 4096);
  await rejects(
    flash(registry, ctx(), {
      target: "microbit-v2",
      inputs: [{ file: "app.bin", address: 0, bytes: new Uint8Array(4096), format: "bin" }],
      connect: { probe: "sim:microbit-v2" },
    }),
    (e: unknown) => {
      ok(e instanceof DeviceError, String(e));
      ok(e.message.includes("APPROTECT enabled"), e.message);
      ok(e.hint?.includes("ERASEALL"), e.hint);
      return true;
    },
  );
  ok(board.device.flash.subarray(0, 4096).every((b) => b === 0x5a));
});
