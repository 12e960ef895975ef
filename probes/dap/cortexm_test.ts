import { deepEqual as assertEquals, rejects } from "node:assert/strict";
import { createContext, DeviceError, TimeoutError, VirtualClock } from "../../kernel/mod.ts";
import { Reg } from "../cortexm/debug.ts";
import { DapCortexM, romTableBase } from "./cortexm.ts";
import { FakeDap } from "./fake_dap_test_util.ts";
import { DapProbe } from "./probe.ts";

async function setup() {
  const ctx = createContext({ clock: new VirtualClock() });
  const fake = new FakeDap();
  const core = await DapCortexM.connect(ctx, new DapProbe(fake));
  return { ctx, fake, core };
}

Deno.test("connect switches to SWD and powers up the debug domain", async () => {
  const { fake } = await setup();
  const ids = fake.requests.map((r) => r[0]);
  assertEquals(ids.slice(0, 5), [0x00, 0x00, 0x11, 0x02, 0x04]);
  assertEquals(fake.requests.some((r) => r[0] === 0x12 && r[2] === 0x9e && r[3] === 0xe7), true);
});

Deno.test("core registers go through DCRDR/DCRSR", async () => {
  const { ctx, fake, core } = await setup();
  await core.halt(ctx);
  await core.writeRegister(ctx, Reg.R3, 0xdeadbeef);
  assertEquals(fake.regs[3], 0xdeadbeef);
  fake.regs[15] = 0x1234;
  assertEquals(await core.readRegister(ctx, Reg.PC), 0x1234);
});

Deno.test("runFunction sets every register in few packets and returns r0", async () => {
  const { ctx, fake, core } = await setup();
  await core.halt(ctx);
  fake.onResume = (f) => {
    f.regs[0] = (f.regs[0] + f.regs[1] + f.regs[2] + f.regs[3]) >>> 0;
    f.halted = true;
  };
  const before = fake.requests.length;
  const r0 = await core.runFunction(ctx, {
    entry: 0x20000000,
    sp: 0x20000800,
    lr: 0x20000000,
    args: [1, 2, 3, 4],
    timeoutMs: 100,
  });
  assertEquals(r0, 10);
  assertEquals(fake.regs[15], 0x20000001);
  assertEquals(fake.regs[13], 0x20000800);
  assertEquals(fake.regs[16], 0x01000000);
  assertEquals(fake.requests.length - before <= 5, true);
});

Deno.test("a core that never halts times out with a TimeoutError", async () => {
  const { ctx, fake, core } = await setup();
  await core.halt(ctx);
  fake.onResume = () => {};
  await rejects(
    () => core.runFunction(ctx, { entry: 0, sp: 0, lr: 0, args: [], timeoutMs: 20 }),
    TimeoutError,
  );
});

Deno.test("resetAndHalt uses VC_CORERESET and SYSRESETREQ", async () => {
  const { ctx, fake, core } = await setup();
  fake.halted = false;
  await core.resetAndHalt(ctx);
  assertEquals(fake.halted, true);
  assertEquals(fake.mem.get(0xe000ed0c), 0x05fa0004);
  assertEquals(fake.mem.get(0xe000edfc), 0);
});

Deno.test("resetAndHalt is one exchange: halt, reset, S_RESET_ST then S_HALT polled in the probe", async () => {
  const { ctx, fake, core } = await setup();
  fake.halted = false;
  const before = fake.requests.length;
  await core.resetAndHalt(ctx);
  assertEquals(fake.halted, true);
  assertEquals(fake.mem.get(0xe000edfc), 0);
  assertEquals(fake.requests.slice(before).map((r) => r[0]), [0x05, 0x05]);
});

Deno.test("resetAndHalt without S_RESET_ST falls back to waiting step by step", async () => {
  const { ctx, fake, core } = await setup();
  fake.halted = false;
  fake.reportsReset = false;
  const before = fake.requests.length;
  await core.resetAndHalt(ctx);
  assertEquals(fake.halted, true);
  assertEquals(fake.mem.get(0xe000ed0c), 0x05fa0004);
  assertEquals(fake.mem.get(0xe000edfc), 0);
  assertEquals(fake.requests.length - before > 2, true);
});

Deno.test("readSpans: one exchange for all spans; a fault stays with the span that met it", async () => {
  const { ctx, fake, core } = await setup();
  [1, 2, 3, 4].forEach((v, i) => fake.mem.set(0x20000000 + 4 * i, v));
  const spans = [{ address: 0x20000000, count: 2 }, { address: 0x20000008, count: 2 }];
  const before = fake.requests.length;
  const words = await core.readSpans(ctx, spans, [{ address: 0x20000100, value: 7 }]);
  assertEquals(words, [Uint32Array.of(1, 2), Uint32Array.of(3, 4)]);
  assertEquals(fake.mem.get(0x20000100), 7);
  assertEquals(fake.requests.length - before, 1); // one DAP_Transfer packet
  fake.faulting.add(0x3000000c);
  const mixed = await core.readSpans(ctx, [spans[0], { address: 0x30000008, count: 2 }, spans[1]]);
  assertEquals([mixed[0], mixed[2]], [Uint32Array.of(1, 2), Uint32Array.of(3, 4)]);
  assertEquals(mixed[1] instanceof DeviceError, true);
});

Deno.test("memory round trip", async () => {
  const { ctx, core } = await setup();
  const data = Uint8Array.from({ length: 4096 }, (_, i) => i * 7);
  await core.writeMemory(ctx, 0x20001000, data);
  assertEquals(await core.readMemory(ctx, 0x20001000, 4096), data);
  await core.writeWord(ctx, 0x20000000, 42);
  assertEquals(await core.readWord(ctx, 0x20000000), 42);
});

Deno.test("connect reads MEM-AP BASE and refuses a link with no Cortex-M core (E_NO_CORE)", async () => {
  const ctx = createContext({ clock: new VirtualClock() });
  const fake = new FakeDap();
  fake.mem.clear(); // no SCS identification anywhere
  fake.apBase = 0xe00ff003;
  await rejects(DapCortexM.connect(ctx, new DapProbe(fake)), (e: unknown) => {
    assertEquals(e instanceof DeviceError && e.code, "E_NO_CORE");
    assertEquals((e as Error).message.includes("no CoreSight component at 0xe00ff000"), true);
    return true;
  });
  assertEquals(fake.log.includes("AP R f8"), true);
});

Deno.test("romTableBase decodes BASE: legacy none, ADIv5 present/absent", () => {
  assertEquals(romTableBase(0xffffffff), null);
  assertEquals(romTableBase(0xe00ff002), null);
  assertEquals(romTableBase(0xe00ff003), 0xe00ff000);
  assertEquals(romTableBase(0xf0000003), 0xf0000000);
  assertEquals(romTableBase(0xe00ff000), 0xe00ff000);
});

/** The fake probe behind a link that reports `size`-byte packets (as a probe server may). */
function smallPackets(size: number): { fake: FakeDap; probe: DapProbe } {
  const fake = new FakeDap();
  const link = {
    packetSize: size,
    write: (p: Uint8Array) => fake.write(p),
    read: () => fake.read(),
    close: () => fake.close(),
  };
  return { fake, probe: new DapProbe(link) };
}

Deno.test("packets too small for a command: a typed DeviceError, not a RangeError", async () => {
  const ctx = createContext({ clock: new VirtualClock() });
  await rejects(DapCortexM.connect(ctx, smallPackets(8).probe), (e) => {
    assertEquals(
      e instanceof DeviceError && /does not fit the probe's 8-byte/.test(e.message),
      true,
    );
    return true;
  });
});

Deno.test("9-byte packets: one word per block, and block writes still finish", async () => {
  const ctx = createContext({ clock: new VirtualClock() });
  const { fake, probe } = smallPackets(9);
  const core = await DapCortexM.connect(ctx, probe);
  await core.writeMemory(ctx, 0x20000000, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  assertEquals(await core.readMemory(ctx, 0x20000000, 8), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  assertEquals(fake.requests.filter((r) => r[0] === 0x06).length >= 4, true);
});

Deno.test("a WAIT while starting a function is an E_SWD error, never a second resume", async () => {
  const { ctx, fake, core } = await setup();
  let resumes = 0;
  fake.onResume = () => void resumes++;
  fake.waits = 1;
  const request = {
    entry: 0x20000001,
    sp: 0x20001000,
    lr: 0x20000001,
    args: [1, 2, 3, 4],
    timeoutMs: 100,
  };
  await rejects(core.startFunction(ctx, request), (e) => {
    assertEquals(e instanceof DeviceError && e.code, "E_SWD");
    return true;
  });
  assertEquals(resumes <= 1, true);
});
