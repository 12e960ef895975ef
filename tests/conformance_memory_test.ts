// The conformance kit run against the in-memory reference device: the kit itself must pass
// on a correct target and fail on broken ones.
import { rejects } from "node:assert/strict";
import { Registry } from "../kernel/mod.ts";
import { bin } from "../plugins/formats/bin.ts";
import { md5 } from "../plugins/hash/md5.ts";
import { type ConformanceDevice, conformanceTests } from "../testing.ts";
import { MemoryDevice, memoryTarget } from "./support/memory_device.ts";

async function setup(tweak?: (d: MemoryDevice) => void): Promise<ConformanceDevice> {
  const device = new MemoryDevice({ size: 64 * 1024, blockSize: 4096, hashes: [md5] });
  tweak?.(device);
  const registry = new Registry();
  await registry.use((h) => {
    h.registerHash(md5);
    h.registerFormat(bin);
    h.registerTarget(memoryTarget(device));
  });
  return {
    registry,
    connect: {},
    base: 0x4000,
    blockSize: 4096,
    flash: (a, n) => device.flash.slice(a, a + n),
    corrupt: (a) => void (device.flash[a] ^= 1),
    fill: (a, b) => device.flash.set(b, a),
  };
}

for (const t of conformanceTests({ target: "memory", setup: () => setup() })) {
  Deno.test(`conformance (memory device): ${t.name}`, t.fn);
}

Deno.test("conformance kit fails a target that writes wrong bytes or ignores aborts", async () => {
  const broken = conformanceTests({
    target: "memory",
    setup: () =>
      setup((d) => {
        const program = d.program.bind(d);
        d.program = async (ctx, runs) => {
          await program(ctx, runs.map((r) => ({ ...r, data: r.data.map((b) => b & 0xfe) })));
        };
      }),
  });
  await rejects(broken[0].fn(), /conformance|verify failed/);
  const deaf = conformanceTests({
    target: "memory",
    setup: () =>
      setup((d) => {
        d.program = (_ctx, runs) => {
          for (const r of runs) d.flash.set(r.data, r.address);
          return Promise.resolve();
        };
      }),
  });
  await rejects(deaf[4].fn(), /despite the abort/);
});
