import { equal, ok, rejects, throws } from "node:assert/strict";
import { createContext, DeviceError } from "../../kernel/mod.ts";
import { decodeRle, latin1, RspParser, unhex } from "./codec.ts";
import { GdbCortexMDebug } from "./debug.ts";
import { FakeGdbServer } from "./fake_server_test_util.ts";
import { parseStopReply } from "./stop_reply.ts";

const ctx = createContext();
// Replies are corrupted only for the test's own address: connecting reads the core's ROM table.
const protocolError = (e: unknown) => e instanceof DeviceError && e.code === "E_GDB_PROTOCOL";

/** A server that gives up with E99 after `max` packets, so a client stuck in a loop ends. */
function bounded(max: number, answer: (p: string) => string | Uint8Array | undefined) {
  let n = 0;
  return (p: string) => ++n > max ? "E99" : answer(p);
}

Deno.test("a tiny PacketSize fails typed instead of sending empty X or M packets forever", async () => {
  for (const binaryWrites of [true, false]) {
    const s = new FakeGdbServer({
      packetSize: 0x10,
      binaryWrites,
      override: bounded(200, () => undefined),
    });
    const d = await GdbCortexMDebug.connect(ctx, s.stream);
    await rejects(d.writeMemory(ctx, 0x20000000, new Uint8Array(64)), protocolError);
    const writes = s.received.filter((p) => p[0] === "X" || p[0] === "M");
    ok(writes.length <= 1, `${writes.length} write packets`);
    await d.close();
  }
});

Deno.test("PacketSize=zz is a typed protocol error at connect", async () => {
  const s = new FakeGdbServer({
    override: (p) => p.startsWith("qSupported") ? "PacketSize=zz;qXfer:features:read-" : undefined,
  });
  await rejects(GdbCortexMDebug.connect(ctx, s.stream), protocolError);
});

Deno.test("non-hex memory and register replies are typed protocol errors", async () => {
  const s = new FakeGdbServer({
    override: (p) => p.startsWith("m20000000") ? "zz12" : p[0] === "p" ? "0g000000" : undefined,
  });
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await rejects(d.readMemory(ctx, 0x20000000, 2), protocolError);
  await rejects(d.readRegister(ctx, 0), protocolError);
  await d.close();
});

Deno.test("a packet with no end is cut off at the cap with a typed error", async () => {
  const endless = new Uint8Array(200_000).fill(0x61);
  endless[0] = 0x24; // '$', then never '#'
  const s = new FakeGdbServer({ override: (p) => p.startsWith("m20000000") ? endless : undefined });
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await rejects(d.readMemory(ctx, 0x20000000, 4), protocolError);
  await d.close();
});

Deno.test("a run-length bomb is refused before it expands", async () => {
  // Each "0*~" stands for 98 zeros: 10,000 of them would be ~1 MB from a 30 kB packet.
  const bomb = "00" + "0*~".repeat(10_000);
  const s = new FakeGdbServer({
    packetSize: 0x4000,
    override: (p) => p.startsWith("m20000000") ? bomb : undefined,
  });
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await rejects(d.readMemory(ctx, 0x20000000, 4), protocolError);
  await d.close();
  throws(() => decodeRle(latin1("a*~a*~"), 100), protocolError);
  equal(decodeRle(latin1("a*~"), 100).length, 98);
  throws(() => decodeRle(latin1("*a")), protocolError);
});

Deno.test("codec: parser cap and non-hex input throw typed errors", () => {
  const parser = new RspParser(8);
  equal(parser.push(latin1("$12345678#a4")).length, 1);
  throws(() => parser.push(latin1("$123456789")), protocolError);
  throws(() => unhex("0x12"), protocolError);
  throws(() => unhex("123"), protocolError);
});

Deno.test("a target description that never ends, or with bad numbers, is a typed error", async () => {
  const endless = new FakeGdbServer({
    targetXml: "<target/>",
    override: bounded(500, (p) => p.startsWith("qXfer:features:read:target.xml") ? "m" : undefined),
  });
  await rejects(GdbCortexMDebug.connect(ctx, endless.stream), protocolError);
  ok(endless.received.filter((p) => p.startsWith("qXfer")).length < 5);
  const bad = new FakeGdbServer({ targetXml: `<target><reg name="r0" bitsize="zz"/></target>` });
  await rejects(GdbCortexMDebug.connect(ctx, bad.stream), protocolError);
});

Deno.test("garbage stop replies: prototype keys stay own fields, non-replies are undefined", () => {
  const stop = parseStopReply("T05__proto__:1;constructor:2;hasOwnProperty:3;");
  equal(Object.getPrototypeOf(stop!.fields), Object.prototype);
  equal(stop!.fields["hasOwnProperty"], "3");
  ok(Object.hasOwn(stop!.fields, "__proto__"));
  for (const g of ["T", "Tzz", "S5", "W", "\u0000", "T05;;;:::"]) {
    const r = parseStopReply(g);
    ok(r === undefined || r.kind === "stopped", g);
  }
});

Deno.test("an unasked stop reply while a function runs is an error, not its result", async () => {
  // The server answers `continue` at once with a stop at the entry point, not a breakpoint.
  const s = new FakeGdbServer({ override: (p) => p === "vCont;c" ? "T05thread:01;" : undefined });
  const d = await GdbCortexMDebug.connect(ctx, s.stream);
  await rejects(
    d.runFunction(ctx, {
      entry: 0x20000000,
      sp: 0x20001000,
      args: [1, 2],
      lr: 0x20000401,
      timeoutMs: 1000,
    }),
    (e: unknown) =>
      e instanceof DeviceError && /not at its return address/.test(e.message) &&
      !/APPROTECT/.test(`${e.message} ${e.hint}`),
  );
  await d.close();
});
