import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";
import { RealClock, VirtualClock } from "../../kernel/mod.ts";
import { BlockInflater } from "./inflate.ts";

const data = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) ^ (i >> 5));
const z = new Uint8Array(deflateSync(data, { level: 9 }));

Deno.test("block-wise inflate reproduces the input", async () => {
  for (const clock of [new RealClock(), new VirtualClock()]) {
    const inf = new BlockInflater();
    const parts: number[] = [];
    for (let o = 0; o < z.length; o += 777) {
      parts.push(...await inf.push(z.subarray(o, o + 777), clock));
    }
    inf.close();
    assert.deepEqual(Uint8Array.from(parts), data);
  }
});

Deno.test("inflate does not let a virtual clock run ahead to other sleepers", async () => {
  const clock = new VirtualClock();
  let timedOut = false;
  clock.sleep(3000).then(() => timedOut = true);
  const inf = new BlockInflater();
  await inf.push(z, clock);
  inf.close();
  assert.equal(timedOut, false);
  assert.equal(clock.now(), 0);
});

Deno.test("corrupt data and a bad Adler-32 are errors", async () => {
  const clock = new RealClock();
  const bad = new BlockInflater();
  await assert.rejects(bad.push(Uint8Array.from([1, 2, 3, 4]), clock), /header/);
  bad.close();
  const flipped = z.slice();
  flipped[flipped.length - 1] ^= 1;
  const adler = new BlockInflater();
  await assert.rejects(adler.push(flipped, clock), /check/);
  adler.close();
});
