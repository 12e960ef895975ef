import { deepEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { TimeoutError } from "../../kernel/mod.ts";
import { session } from "../boards/testing.ts";

const near = (a: number, b: number) => ok(Math.abs(a - b) < 1e-6, `${a} ≈ ${b}`);

Deno.test("one command costs an OUT frame, the probe's time and an IN frame", async () => {
  const { link, clock } = await session();
  await link.write(new Uint8Array([0x00, 0xfe]));
  near(clock.now(), 1);
  const r = await link.read();
  assertEquals([r[0], r[2]], [0x00, 5]);
  near(clock.now(), 2.01); // 1 ms out, 10 µs firmware, 1 ms in
  await link.close();
});

Deno.test("five packets in flight overlap USB frames; responses keep their order", async () => {
  const { link, clock } = await session();
  for (let i = 1; i <= 5; i++) await link.write(new Uint8Array([0x00, i]));
  const ids: number[] = [];
  for (let i = 1; i <= 5; i++) ids.push((await link.read())[0]);
  assertEquals(ids, [0, 0, 0, 0, 0]);
  near(clock.now(), 6.01); // not 5 × 2.01
  await link.close();
});

Deno.test("a sixth outstanding command waits for a free probe buffer", async () => {
  const { link, clock } = await session();
  const delay = new Uint8Array([0x09, 0xff, 0xff]); // DAP_Delay 65535 µs
  for (let i = 0; i < 5; i++) await link.write(delay);
  near(clock.now(), 5);
  await link.write(new Uint8Array([0x00, 0xfe]));
  // the first delay ends at 1 + 0.01 + 65.535 ms, its response leaves one frame later,
  // then the sixth packet needs its own OUT frame
  near(clock.now(), 1 + 0.01 + 65.535 + 1 + 1);
  await link.close();
});

Deno.test("reading with nothing in flight times out on the run's clock", async () => {
  const { link, clock } = await session();
  await rejects(link.read(250), TimeoutError);
  near(clock.now(), 250);
  await link.close();
});

Deno.test("DAP_TransferAbort gets no response", async () => {
  const { link } = await session();
  await link.write(new Uint8Array([0x07]));
  await link.write(new Uint8Array([0x00, 0xff]));
  const r = await link.read();
  assertEquals([r[0], r[1], r[2]], [0x00, 2, 64]);
  await link.close();
});

Deno.test("the bank's frameMs option changes the USB frame time", async () => {
  const { DapSimBank } = await import("../boards/bank.ts");
  const { createContext, VirtualClock } = await import("../../kernel/mod.ts");
  const clock = new VirtualClock();
  const link = await new DapSimBank({ frameMs: 0.125 }).open(
    createContext({ clock }),
    "sim:microbit-v2",
  );
  await link.write(new Uint8Array([0x00, 0xfe]));
  await link.read();
  near(clock.now(), 0.125 + 0.01 + 0.125);
  await link.close();
});
