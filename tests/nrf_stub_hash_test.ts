/**
 * The hash stub, run by the simulator's ARMv6-M interpreter through the whole CMSIS-DAP
 * stack, gives the same digest as the host's murmur3x2 for every page of every micro:bit
 * image in the firmware corpus (both sections of each Universal Hex).
 */
import { deepEqual, ok } from "node:assert/strict";
import { createContext, type FlashImage, Registry, toHex, VirtualClock } from "../kernel/mod.ts";
import { parseIntelHex } from "../plugins/formats/ihex.ts";
import { hashes } from "../plugins/hash/mod.ts";
import { murmur3x2 } from "../plugins/hash/murmur3x2.ts";
import { dapSim, DapSimBank, loadSegments } from "../sim/boards/plugin.ts";
import { nrfTargets } from "../targets/nrf/plugin.ts";

const ROOT = new URL("../../shared/firmware/microbit/", import.meta.url);
const present = await Deno.stat(ROOT).then(() => true, () => false);
if (!present) console.log(`skipping stub hash corpus test: ${ROOT.pathname} is absent`);

interface Case {
  name: string;
  target: "microbit-v1" | "microbit-v2";
  image: FlashImage;
}

async function corpus(): Promise<Case[]> {
  const out: Case[] = [];
  for (const dir of ["makecode-universal-hex", "micropython", "universal-hex-format"]) {
    for await (const e of Deno.readDir(new URL(`${dir}/`, ROOT))) {
      if (!e.name.endsWith(".hex")) continue;
      const text = await Deno.readTextFile(new URL(`${dir}/${e.name}`, ROOT));
      for (const s of parseIntelHex(text, e.name).sections) {
        const v1 = s.boardId !== undefined ? s.boardId < 0x9903 : /-v1_/.test(e.name);
        const name = `${e.name}${s.boardId ? `[${s.boardId.toString(16)}]` : ""}`;
        out.push({ name, target: v1 ? "microbit-v1" : "microbit-v2", image: s.image });
      }
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

Deno.test({
  name: "hash stub digests equal host murmur3x2 for every page of every micro:bit image",
  ignore: !present,
  async fn(t) {
    const cases = await corpus();
    ok(cases.length >= 20, `expected the whole corpus, found ${cases.length} images`);
    for (const c of cases) {
      await t.step(c.name, async () => {
        const registry = new Registry();
        const bank = new DapSimBank();
        await registry.use(hashes());
        await registry.use(dapSim(bank));
        await registry.use(nrfTargets());
        const probe = `sim:${c.target}`;
        const flashOnly = c.image.slice(0, 0x10000000);
        loadSegments(await bank.board(probe), flashOnly.segments);
        const target = registry.target(c.target);
        const page = target.layout.regions[0].blockSize;
        const ctx = createContext({ clock: new VirtualClock() });
        const device = await target.connect(ctx, { probe });
        try {
          const blocks = flashOnly.blocks(page);
          const ranges = blocks.map((b) => ({ start: b.address, end: b.address + page }));
          const got = (await device.hash(ctx, "murmur3x2", ranges)).map(toHex);
          const want = blocks.map((b) => toHex(murmur3x2.digest(flashOnly.read(b.address, page))));
          deepEqual(got, want);
        } finally {
          await device.close();
        }
      });
    }
  },
});
