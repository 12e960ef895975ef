import { deepEqual, deepEqual as assertEquals, equal, rejects } from "node:assert/strict";
import { createContext, DeviceError } from "../../kernel/mod.ts";
import { AdiPort, CSW_WORD_INC } from "./adi.ts";
import { FakeDap } from "./fake_dap_test_util.ts";
import { DapProbe } from "./probe.ts";

const ctx = createContext();

async function setup() {
  const fake = new FakeDap();
  const probe = new DapProbe(fake);
  await probe.readCapabilities(ctx);
  return { fake, probe, port: new AdiPort(probe) };
}

Deno.test("SELECT and CSW are written once and then cached", async () => {
  const { fake, port } = await setup();
  await port.run(ctx, (b) => b.memWrite(0, 0x20000000, 1));
  await port.run(ctx, (b) => b.memWrite(0, 0x20000004, 2));
  assertEquals(fake.log.filter((l) => l === "DP W 8").length, 1);
  assertEquals(fake.log.filter((l) => l === "AP W 0").length, 1);
  assertEquals(fake.csw, CSW_WORD_INC);
  assertEquals(fake.mem.get(0x20000004), 2);
});

Deno.test("block transfers rewrite TAR at every 1 KiB boundary and pipeline", async () => {
  const { fake, port, probe } = await setup();
  const words = Uint32Array.from({ length: 700 }, (_, i) => i * 3);
  await port.run(ctx, (b) => b.memWriteBlock(0, 0x200003f0, words));
  for (let i = 0; i < words.length; i++) assertEquals(fake.mem.get(0x200003f0 + 4 * i), i * 3);
  const back = await port.run(ctx, (b) => b.memReadBlock(0, 0x200003f0, 700));
  assertEquals(back.values, [...words]);
  assertEquals(fake.maxInFlight, 4);
  assertEquals(probe.packetCount, 4);
  assertEquals(fake.requests.every((r) => r.length <= 64), true);
});

Deno.test("a FAULT is cleared with ABORT and the batch retried once", async () => {
  const { fake, port } = await setup();
  fake.faults = 1;
  await port.run(ctx, (b) => b.memWrite(0, 0x20000000, 0x55));
  assertEquals(fake.mem.get(0x20000000), 0x55);
  assertEquals(fake.log.filter((l) => l.startsWith("ABORT")), ["ABORT 1e"]);
  // The retry cannot trust the caches: SELECT and CSW are written again.
  assertEquals(fake.log.filter((l) => l === "AP W 0").length, 2);
});

Deno.test("a second FAULT is a DeviceError", async () => {
  const { fake, port } = await setup();
  fake.faults = 2;
  await rejects(
    () => port.run(ctx, (b) => b.memRead(0, 0x20000000)),
    (e) => e instanceof DeviceError && e.code === "E_SWD",
  );
});

Deno.test("stale responses with another command id are dropped", async () => {
  const { fake, probe } = await setup();
  fake.stale.push(Uint8Array.of(0x80, 0), Uint8Array.of(0x06, 0, 0, 1));
  const info = await probe.info(ctx, 0xff);
  assertEquals([...info], [64, 0]);
});

Deno.test("drain drops what an interrupted session left behind", async () => {
  const { fake, probe } = await setup();
  await fake.write(Uint8Array.of(0x05, 0, 0));
  await fake.write(Uint8Array.of(0x06, 0, 0, 0, 0x0f));
  equal(await probe.drain(), 2);
  deepEqual([...await probe.info(ctx, 0xff)], [64, 0]);
});

Deno.test("a WAIT that outlasts the probe's retries is aborted with DAPABORT and retried", async () => {
  const { fake, port } = await setup();
  fake.waits = 1;
  const r = await port.run(ctx, (b) => b.memRead(0, 0x20000000));
  deepEqual(r.values, [0]);
  deepEqual(fake.log.filter((l) => l.startsWith("ABORT")), ["ABORT 1f"]);
});

Deno.test("an unknown command answered with 0xFF is a DeviceError", async () => {
  const { probe } = await setup();
  await rejects(() => probe.command(ctx, Uint8Array.of(0x42)), DeviceError);
});

Deno.test("a batch marked once is not run again after a WAIT: a typed E_SWD error", async () => {
  const { fake, port } = await setup();
  fake.waits = 1;
  const attempts = () => fake.requests.filter((r) => r[0] === 0x05).length;
  const before = attempts();
  await rejects(port.run(ctx, (b) => b.once().memWrite(0, 0x20000000, 1)), (e) => {
    equal(e instanceof DeviceError && e.code, "E_SWD");
    return true;
  });
  equal(attempts() - before, 1, "one DAP_Transfer, no retry");
  deepEqual(fake.log.filter((l) => l.startsWith("ABORT")), ["ABORT 1f"]);
});
