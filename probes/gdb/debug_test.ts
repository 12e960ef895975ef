import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { createContext, TimeoutError } from "../../kernel/mod.ts";
import { Reg } from "../cortexm/debug.ts";
import { GdbCortexMDebug } from "./debug.ts";
import { FakeGdbServer } from "./fake_server_test_util.ts";

const ctx = createContext();
const M_PROFILE_XML = `<?xml version="1.0"?><target><architecture>arm</architecture>
<feature name="org.gnu.gdb.arm.m-profile">
${
  Array.from({ length: 13 }, (_, i) => `<reg name="r${i}" bitsize="32"/>`).join("")
}<reg name="sp" bitsize="32"/><reg name="lr" bitsize="32"/><reg name="pc" bitsize="32"/>
<reg name="xpsr" bitsize="32" regnum="25"/></feature></target>`;

Deno.test("memory reads are split to fit PacketSize and reassembled", async () => {
  const s = new FakeGdbServer({ packetSize: 0x48 });
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
  s.load(0x20000000, data);
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  deepEqual(await d.readMemory(ctx, 0x20000000, 300), data);
  const reads = s.received.filter((p) => p[0] === "m");
  ok(reads.length >= 300 / 32, `${reads.length} reads`);
  for (const r of reads) ok(parseInt(r.split(",")[1], 16) <= 32, r);
  await d.close();
});

Deno.test("memory writes use escaped X packets when supported", async () => {
  const s = new FakeGdbServer({ packetSize: 0x80 });
  const data = Uint8Array.from({ length: 400 }, (_, i) => [0x23, 0x24, 0x7d, 0x2a, i][i % 5]);
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await d.writeMemory(ctx, 0x20000100, data);
  deepEqual(s.read(0x20000100, 400), data);
  ok(s.received.some((p) => p.startsWith("X20000100,")));
  ok(!s.received.some((p) => p[0] === "M"));
  await d.writeWord(ctx, 0x20000000, 0xcafef00d);
  equal(await d.readWord(ctx, 0x20000000), 0xcafef00d);
  await d.close();
});

Deno.test("memory writes fall back to M packets", async () => {
  const s = new FakeGdbServer({ binaryWrites: false, packetSize: 0x80 });
  const data = Uint8Array.from({ length: 200 }, (_, i) => i);
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await d.writeMemory(ctx, 0x1000, data);
  deepEqual(s.read(0x1000, 200), data);
  ok(s.received.filter((p) => p[0] === "M").length >= 2);
  await d.close();
});

Deno.test("registers via p/P with target.xml numbering (xpsr = 25)", async () => {
  const s = new FakeGdbServer({ targetXml: M_PROFILE_XML, packetSize: 0x40 });
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  equal(d.layout.source, "target.xml");
  await d.writeRegister(ctx, Reg.XPSR, 0x61000000);
  equal(s.regs[25], 0x61000000);
  ok(s.received.includes("P19=00000061"));
  s.regs[13] = 0x20004000;
  equal(await d.readRegister(ctx, Reg.SP), 0x20004000);
  await d.close();
});

Deno.test("registers via g/G in the classic layout when p/P are unsupported", async () => {
  const s = new FakeGdbServer({ registerPackets: false });
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  equal(d.layout.source, "classic");
  s.regs[25] = 0x21000000;
  equal(await d.readRegister(ctx, Reg.XPSR), 0x21000000);
  await d.writeRegister(ctx, Reg.PC, 0x1234);
  equal(s.regs[15], 0x1234);
  equal(s.regs[25], 0x21000000);
  ok(s.received.some((p) => p[0] === "G"));
  await d.close();
});

Deno.test("runFunction sets registers, breaks on lr and on bkpt in the code, returns r0", async () => {
  const s = new FakeGdbServer({ targetXml: M_PROFILE_XML });
  // movs r0, #1 ; bkpt #0 ; nop ; bkpt #42
  s.load(0x20000000, Uint8Array.of(0x01, 0x20, 0x00, 0xbe, 0xc0, 0x46, 0x2a, 0xbe));
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  const r0 = await d.runFunction(ctx, {
    entry: 0x20000000,
    sp: 0x20001000,
    args: [40, 2],
    lr: 0x20000401,
    timeoutMs: 1000,
  });
  equal(r0, 42); // the fake "function" adds r0 and r1
  equal(s.regs[15], 0x20000401 & ~1);
  equal(s.regs[13], 0x20001000);
  equal(s.regs[14], 0x20000401);
  equal(s.regs[25], 0x01000000);
  const z = s.received.filter((p) => p[0] === "Z").sort();
  deepEqual(z, ["Z0,20000002,2", "Z0,20000006,2", "Z0,20000400,2"]);
  equal(s.breakpoints.size, 0, "breakpoints removed");
  ok(s.received.includes("Pf=01000020"), "pc written with the Thumb bit");
  await d.close();
});

Deno.test("runFunction that never halts: interrupt, TimeoutError, core halted", async () => {
  const s = new FakeGdbServer({ onContinue: () => "run" });
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await rejects(
    () => d.runFunction(ctx, { entry: 0x100, sp: 0x20001000, args: [], lr: 0x201, timeoutMs: 50 }),
    TimeoutError,
  );
  equal(s.interrupts, 1);
  ok(await d.isHalted(ctx));
  equal(s.breakpoints.size, 0);
  await d.close();
});

Deno.test("resume, isHalted, halt; monitor commands; detach on close", async () => {
  const s = new FakeGdbServer({ onContinue: () => "run" });
  const d = await GdbCortexMDebug.connect(ctx, s.stream, { resetCommand: "reset halt" });
  await d.resume(ctx);
  equal(await d.isHalted(ctx), false);
  await d.halt(ctx);
  equal(await d.isHalted(ctx), true);
  await d.resetAndHalt(ctx);
  ok(s.received.includes("qRcmd,72657365742068616c74"));
  equal(await d.monitor(ctx, "help"), "ran help\n");
  await d.close();
  equal(s.received.at(-1), "D");
});

Deno.test("an unasked stop reply at connect is not taken as the answer to a command", async () => {
  const s = new FakeGdbServer({ stopOnConnect: true, packetSize: 0x1234 });
  s.load(0x20000000, Uint8Array.of(9, 8, 7, 6));
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  equal(d.client.packetSize, 0x1234);
  deepEqual(await d.readMemory(ctx, 0x20000000, 4), Uint8Array.of(9, 8, 7, 6));
  equal(d.client.pollStop(), undefined);
  await d.close();
});

Deno.test("close resets the core before detaching when our code ran on it", async () => {
  const s = new FakeGdbServer();
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await d.runFunction(ctx, {
    entry: 0x20000000,
    sp: 0x20001000,
    args: [],
    lr: 0x21,
    timeoutMs: 500,
  });
  await d.close();
  const aircr = s.received.findIndex((p) => p.startsWith("Xe000ed0c,4:"));
  ok(aircr > 0, "AIRCR written");
  equal(s.received.at(-1), "D");
  const s2 = new FakeGdbServer();
  const d2 = await GdbCortexMDebug.connect(ctx, s2.stream);
  await d2.close();
  ok(!s2.received.some((p) => p.startsWith("Xe000ed0c")), "no reset when nothing ran");
});

Deno.test("bkpt scan follows code rewrites at the same entry", async () => {
  const s = new FakeGdbServer();
  s.load(0x20000000, Uint8Array.of(0x00, 0xbf, 0x00, 0xbe)); // nop ; bkpt
  const d = await GdbCortexMDebug.connect(ctx, s.stream, { bkptScanBytes: 16 });
  const run = () =>
    d.runFunction(ctx, { entry: 0x20000000, sp: 0x20001000, args: [], lr: 0x101, timeoutMs: 500 });
  await run();
  ok(s.received.includes("Z0,20000002,2"));
  await d.writeMemory(ctx, 0x20000000, Uint8Array.of(0x00, 0xbf, 0x00, 0xbf, 0x01, 0xbe));
  await run();
  ok(s.received.includes("Z0,20000004,2"), "new bkpt found after the rewrite");
  await d.close();
});
