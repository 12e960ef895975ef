import { deepEqual as assertEquals } from "node:assert/strict";
import { bringUp, session, transfer, word } from "../boards/testing.ts";
import { NRF_CHIPS } from "./chips.ts";
import { NrfDevice } from "./device.ts";

const read = (d: NrfDevice, a: number) => {
  const r = d.debugRead(a, 4);
  return r.ok ? r.value : -1;
};
/** CIDR0–3 bytes as one word, as hosts assemble them. */
const cidr = (d: NrfDevice, base: number) =>
  [0, 1, 2, 3].reduce((v, i) => v | (read(d, base + 0xff0 + 4 * i) << (8 * i)), 0) >>> 0;
/** PIDR0–4 as a 40-bit number. */
const pidr = (d: NrfDevice, base: number) =>
  [0xfe0, 0xfe4, 0xfe8, 0xfec].reduce((v, o, i) => v + read(d, base + o) * 2 ** (8 * i), 0) +
  read(d, base + 0xfd0) * 2 ** 32;

Deno.test("nrf51 sim: Nordic table → Cortex-M0 table → SCS, DWT, BPU with their IDs", () => {
  const d = new NrfDevice(NRF_CHIPS.nrf51822);
  assertEquals([read(d, 0xf0000000), read(d, 0xf0000004)], [0xf00ff003, 0]);
  assertEquals([cidr(d, 0xf0000000), pidr(d, 0xf0000000)], [0xb105100d, 0x02007c4001]);
  assertEquals([0, 4, 8, 12].map((o) => read(d, 0xe00ff000 + o)), [
    0xfff0f003,
    0xfff02003,
    0xfff03003,
    0,
  ]);
  assertEquals([cidr(d, 0xe00ff000), pidr(d, 0xe00ff000)], [0xb105100d, 0x04000bb471]);
  assertEquals(read(d, 0xe00fffcc), 1); // MEMTYPE.SYSMEM
  for (const [base, id] of [[0xe000e000, 0x008], [0xe0001000, 0x00a], [0xe0002000, 0x00b]]) {
    assertEquals([cidr(d, base), pidr(d, base)], [0xb105e00d, 0x04000bb000 + id]);
  }
});

Deno.test("nrf52 sim: M4 table with Nordic IDs; DWT/ITM/TPIU identify only with TRCENA", () => {
  for (const [name, part] of [["nrf52833", 0x0d], ["nrf52840", 0x08]] as const) {
    const d = new NrfDevice(NRF_CHIPS[name]);
    // What the nRF52 MDK errata checks compare at 0xF0000FE0/0xF0000FE4.
    assertEquals([read(d, 0xf0000fe0), read(d, 0xf0000fe4) & 0xf], [part, 0]);
    assertEquals(read(d, 0xe00fffe0), part);
    assertEquals(cidr(d, 0xe00ff000), 0xb105100d);
    assertEquals([0, 4, 8, 12, 16, 20, 24].map((o) => read(d, 0xe00ff000 + o)), [
      0xfff0f003,
      0xfff02003,
      0xfff03003,
      0xfff01003,
      0xfff41003,
      0xfff42003,
      0,
    ]);
    const gated = [0xe0001000, 0xe0000000, 0xe0040000];
    assertEquals(gated.map((b) => cidr(d, b)), [0, 0, 0]);
    assertEquals(cidr(d, 0xe0002000), 0xb105e00d);
    assertEquals([cidr(d, 0xe0041000), pidr(d, 0xe0041000)], [0xb105900d, 0x04000bb925]);
    assertEquals(read(d, 0xe0041fcc), 0x13); // DEVTYPE: trace source, processor
    d.debugWrite(0xe000edfc, 4, 0x01000000); // DEMCR.TRCENA
    assertEquals(gated.map((b) => cidr(d, b)), [0xb105e00d, 0xb105e00d, 0xb105900d]);
    assertEquals(gated.map((b) => pidr(d, b)), [0x04003bb002, 0x04003bb001, 0x04000bb9a1]);
    assertEquals(pidr(d, 0xe000e000), 0x04000bb00c);
  }
});

Deno.test("sim boards: the AHB-AP BASE register points at each chip's first ROM table", async () => {
  for (
    const [address, base] of [["sim:microbit-v1", 0xf0000003], ["sim:microbit-v2", 0xe00ff003]]
  ) {
    const { cmd } = await session(address as string);
    await bringUp(cmd);
    const r = await cmd(transfer([
      { reg: 0x8, value: 0xf0 }, // SELECT AP 0, bank 0xF
      { ap: true, read: true, reg: 0x8 }, // BASE
    ]));
    assertEquals(word(r, 3), base);
  }
});
