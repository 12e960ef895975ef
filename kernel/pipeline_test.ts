import { deepEqual, equal, rejects } from "node:assert/strict";
import { md5 } from "../plugins/hash/md5.ts";
import { MemoryDevice, memoryTarget } from "../tests/support/memory_device.ts";
import {
  createContext,
  DeltaflashError,
  DeviceError,
  flash,
  type FlashRequest,
  Registry,
  VerifyError,
} from "./mod.ts";

async function setup(opts: Partial<ConstructorParameters<typeof MemoryDevice>[0]> = {}) {
  const device = new MemoryDevice({ size: 64 * 1024, blockSize: 4096, hashes: [md5], ...opts });
  const registry = new Registry();
  await registry.use((host) => {
    host.registerHash(md5);
    host.registerTarget(memoryTarget(device));
  }, "test");
  return { device, registry };
}

function image(seed: number, length: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length }, () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24);
}

const req = (
  bytes: Uint8Array,
  address: number,
  extra: Partial<FlashRequest> = {},
): FlashRequest => ({
  target: "memory",
  inputs: [{ file: "app.bin", address, bytes, format: undefined }],
  ...extra,
});

async function registryWithBin(r: Registry) {
  const { bin } = await import("../plugins/formats/bin.ts");
  await r.use((h) => h.registerFormat(bin), "bin");
}

Deno.test("flash: first write, identical reflash writes nothing, one-byte change writes one block", async () => {
  const { device, registry } = await setup();
  await registryWithBin(registry);
  const app = image(1, 5 * 4096);
  const first = await flash(registry, createContext(), req(app, 0x2000));
  equal(first.plan.totals.write, 5);
  deepEqual(device.flash.subarray(0x2000, 0x2000 + app.length), app);

  const erased = device.erasedBlocks;
  const again = await flash(registry, createContext(), req(app, 0x2000));
  equal(again.plan.totals.write, 0);
  equal(device.erasedBlocks, erased);

  const changed = app.slice();
  changed[3 * 4096 + 17] ^= 0xff;
  const third = await flash(registry, createContext(), req(changed, 0x2000));
  equal(third.plan.totals.write, 1);
  deepEqual(third.plan.runs.map((r) => r.address), [0x2000 + 3 * 4096]);
  equal(device.erasedBlocks, erased + 1);
  deepEqual(device.flash.subarray(0x2000, 0x2000 + app.length), changed);
});

Deno.test("flash: partial blocks keep device bytes by default, or fill with erased bytes", async () => {
  const { device, registry } = await setup();
  await registryWithBin(registry);
  device.flash.fill(0x5a, 0x1000, 0x2000);
  await flash(registry, createContext(), req(Uint8Array.of(1, 2, 3, 4), 0x1800));
  equal(device.flash[0x17ff], 0x5a);
  deepEqual([...device.flash.subarray(0x1800, 0x1804)], [1, 2, 3, 4]);
  equal(device.flash[0x1804], 0x5a);
  await flash(
    registry,
    createContext(),
    req(Uint8Array.of(1, 2, 3, 5), 0x1800, { partialBlocks: "fill" }),
  );
  equal(device.flash[0x17ff], 0xff);
  equal(device.flash[0x1803], 5);
});

Deno.test("flash: a device hashing pieces has only the non-erased uncovered pieces read back", async () => {
  const { device, registry } = await setup({ granularity: "block", hashPiece: 256 });
  await registryWithBin(registry);
  device.flash.fill(0x5a, 0x1000, 0x1100); // old bytes in the first piece; the rest erased
  const r = await flash(registry, createContext(), req(Uint8Array.of(1, 2, 3, 4), 0x1800));
  deepEqual(device.reads, [[0x1000, 0x100]]);
  equal(r.plan.totals.write, 1);
  deepEqual([...device.flash.subarray(0x10fe, 0x1102)], [0x5a, 0x5a, 0xff, 0xff]);
  deepEqual([...device.flash.subarray(0x1800, 0x1805)], [1, 2, 3, 4, 0xff]);
  // Again: the block differs from the image over erased bytes, so its non-erased pieces
  // (the old bytes and the piece holding the image) are read, which proves it unchanged.
  device.reads.length = 0;
  const again = await flash(registry, createContext(), req(Uint8Array.of(1, 2, 3, 4), 0x1800));
  equal(again.plan.totals.write, 0);
  deepEqual(device.reads, [[0x1000, 0x100], [0x1800, 0x100]]);
});

Deno.test("flash: keep policy without read-back is a typed error, not data loss", async () => {
  const { device, registry } = await setup({ readable: false });
  await registryWithBin(registry);
  device.flash.fill(0x5a, 0x1000, 0x2000);
  await rejects(
    flash(registry, createContext(), req(Uint8Array.of(1), 0x1800)),
    (e: unknown) => e instanceof DeltaflashError && e.code === "E_PARTIAL" && !!e.hint,
  );
  equal(device.flash[0x1000], 0x5a);
});

Deno.test("flash: verify catches a corrupted block and a rerun repairs it", async () => {
  for (const granularity of ["any", "block"] as const) {
    const { device, registry } = await setup({ granularity });
    await registryWithBin(registry);
    const app = image(2, 3 * 4096);
    device.corruptAt = 0x4000 + 4096;
    await rejects(
      flash(registry, createContext(), req(app, 0x4000)),
      // Both ways the error names exactly the bad block (a failing run is re-hashed per block).
      (e: unknown) => e instanceof VerifyError && e.addresses.join() === String(0x5000),
    );
    device.corruptAt = undefined;
    const again = await flash(registry, createContext(), req(app, 0x4000));
    equal(again.plan.totals.write, 1);
    deepEqual(device.flash.subarray(0x4000, 0x4000 + app.length), app);
  }
});

Deno.test("flash: a failure mid-write leaves a state that a rerun repairs", async () => {
  const { device, registry } = await setup();
  await registryWithBin(registry);
  const app = image(3, 8 * 4096);
  device.failAfterBlocks = 3;
  await rejects(flash(registry, createContext(), req(app, 0)), DeviceError);
  device.failAfterBlocks = undefined;
  const again = await flash(registry, createContext(), req(app, 0));
  equal(again.plan.totals.write, 5);
  deepEqual(device.flash.subarray(0, app.length), app);
});

Deno.test("flash: plugin stage wrappers run around the target's stages", async () => {
  const { registry } = await setup();
  await registryWithBin(registry);
  const seen: string[] = [];
  await registry.use((host) => {
    host.wrapStage("plan", (next) => async (ctx, args) => {
      seen.push("before");
      const plan = await next(ctx, args);
      seen.push(`after:${plan.totals.write}`);
      return plan;
    }, { targets: ["memory"] });
  }, "wrapper");
  await flash(registry, createContext(), req(image(4, 4096), 0, { dryRun: true }));
  deepEqual(seen, ["before", "after:1"]);
});

Deno.test("registry: a broken plugin registers nothing and is reported", async () => {
  const { registry } = await setup();
  await registry.use(
    (host) => {
      host.registerHash({ ...md5, name: "other" });
      throw new Error("boom");
    },
    "./broken.ts",
    false,
  );
  equal(registry.failures.length, 1);
  equal(registry.failures[0].error.message, "plugin ./broken.ts: boom");
  await rejects(Promise.resolve().then(() => registry.hash("other")), /unknown hash algorithm/);
  await registry.use(
    (host) =>
      host.registerTarget(
        memoryTarget(new MemoryDevice({ size: 4096, blockSize: 4096, hashes: [md5] })),
      ),
    "dup",
    false,
  );
  equal(
    registry.failures[1].error.message,
    "plugin dup: target name 'memory' is already registered",
  );
});

Deno.test("flash --mode full writes every block without asking the device for hashes", async () => {
  const { device, registry } = await setup();
  await registryWithBin(registry);
  const app = image(9, 3 * 4096);
  await flash(registry, createContext(), req(app, 0));
  const calls = device.hashCalls, erased = device.erasedBlocks;
  const r = await flash(registry, createContext(), req(app, 0, { mode: "full", verify: false }));
  equal(r.plan.totals.write, 3);
  equal(device.hashCalls, calls);
  equal(device.erasedBlocks, erased + 3);
});

Deno.test("flash --mode full still runs queryHashes wrappers, which see the mode", async () => {
  const { device, registry } = await setup();
  await registryWithBin(registry);
  const modes: string[] = [];
  await registry.use((host) => {
    host.wrapStage("queryHashes", (next) => (ctx, args) => {
      modes.push(args.mode);
      return next(ctx, args);
    });
  }, "./check-image.ts");
  const app = image(10, 2 * 4096);
  await flash(registry, createContext(), req(app, 0));
  const calls = device.hashCalls;
  const r = await flash(registry, createContext(), req(app, 0, { mode: "full", verify: false }));
  deepEqual(modes, ["diff", "full"]);
  equal(r.plan.totals.write, 2);
  equal(device.hashCalls, calls, "the default stage asks for no hashes in full mode");
});

Deno.test("registry: a target naming an unknown hash or format is reported by specifier at load", async () => {
  const { registry } = await setup();
  const dev = () => new MemoryDevice({ size: 4096, blockSize: 4096, hashes: [md5] });
  await registry.use(
    (host) => host.registerTarget({ ...memoryTarget(dev()), name: "typo", hash: "crc33" }),
    "./typo-plugin.ts",
    false,
  );
  equal(registry.failures.length, 1);
  equal(registry.failures[0].specifier, "./typo-plugin.ts");
  equal(
    registry.failures[0].error.message,
    "plugin ./typo-plugin.ts: target 'typo' hashes with unknown hash algorithm 'crc33'",
  );
  await rejects(Promise.resolve().then(() => registry.target("typo")), /unknown target/);
  await registry.use(
    (host) => host.registerTarget({ ...memoryTarget(dev()), name: "fmt", formats: ["uf2"] }),
    "./fmt-plugin.ts",
    false,
  );
  equal(
    registry.failures[1].error.message,
    "plugin ./fmt-plugin.ts: target 'fmt' reads unknown image format 'uf2'",
  );
});
