import { deepEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { DeviceError } from "../../kernel/mod.ts";
import { findCore } from "./core_check.ts";
import { componentName, RomTableMissing, walkRomTable, type WordReader } from "./coresight.ts";
import { readEachSpan } from "./spans.ts";

/** A sparse word memory with CoreSight blocks written into it, and the reads it served. */
class Bus {
  readonly words = new Map<number, number>();
  readonly reads: Array<[number, number]> = [];
  readonly faulty = new Set<number>();

  /** ID registers of a block: class, designer (JEP106 cont << 8 | id), part, PIDR4.SIZE. */
  ids(base: number, cls: number, designer: number, part: number, size = 0): this {
    const id = designer & 0x7f;
    const pidr = [
      part & 0xff,
      (part >> 8) | ((id & 0xf) << 4),
      (id >> 4) | 0x08,
      0,
      (designer >> 8) | (size << 4),
    ];
    [pidr[4], 0, 0, 0, pidr[0], pidr[1], pidr[2], pidr[3], 0x0d, cls << 4, 0x05, 0xb1]
      .forEach((b, i) => this.words.set(base + 0xfd0 + 4 * i, b));
    return this;
  }

  table(base: number, entries: number[], designer = 0x43b, part = 0x4c4): this {
    this.ids(base, 1, designer, part);
    entries.forEach((e, i) => this.words.set(base + 4 * i, e >>> 0));
    return this;
  }

  read: WordReader = (address, count) => {
    this.reads.push([address, count]);
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const a = (address + 4 * i) >>> 0;
      if (this.faulty.has((a & ~0xfff) >>> 0)) return Promise.reject(new Error("FAULT"));
      out[i] = this.words.get(a) ?? 0;
    }
    return Promise.resolve(out);
  };
}

const entry = (table: number, component: number, present = true) =>
  ((component - table) & 0xfffff000 | 2 | (present ? 1 : 0)) >>> 0;

/** The nRF51 layout: Nordic table at 0xF0000000 → Cortex-M0 table → SCS, DWT, BPU. */
function nrf51(): Bus {
  return new Bus()
    .table(0xf0000000, [entry(0xf0000000, 0xe00ff000), 0], 0x244, 0x001)
    .table(0xe00ff000, [0xfff0f003, 0xfff02003, 0xfff03003, 0], 0x43b, 0x471)
    .ids(0xe000e000, 0xe, 0x43b, 0x008)
    .ids(0xe0001000, 0xe, 0x43b, 0x00a)
    .ids(0xe0002000, 0xe, 0x43b, 0x00b);
}

Deno.test("coresight: nested class 0x1 tables lead from the Nordic table to the Cortex-M0 parts", async () => {
  const walk = await walkRomTable(readEachSpan(nrf51().read), 0xf0000000);
  assertEquals(walk.tables.map((t) => [t.address, t.designer, t.part, t.depth]), [
    [0xf0000000, 0x244, 0x001, 0],
    [0xe00ff000, 0x43b, 0x471, 1],
  ]);
  assertEquals(walk.components.map(componentName), [
    "Cortex-M0 SCS",
    "Cortex-M0 DWT",
    "Cortex-M0 BPU",
  ]);
  assertEquals(walk.components.map((c) => c.address), [0xe000e000, 0xe0001000, 0xe0002000]);
  assertEquals(walk.problems, []);
});

Deno.test("coresight: entries without the present bit are skipped, the walk goes on", async () => {
  const bus = nrf51();
  bus.table(0xe00ff000, [0xfff0f003, 0x00200002, 0xfff02002, 0xfff03003, 0]);
  const walk = await walkRomTable(readEachSpan(bus.read), 0xe00ff000);
  assertEquals(walk.components.map((c) => c.address), [0xe000e000, 0xe0002000]);
  assertEquals(walk.problems, []);
});

Deno.test("coresight: a table that leads back to itself or its parent is not followed again", async () => {
  const bus = new Bus()
    .table(0xe00ff000, [0xfff0f003, 0x00000003, entry(0xe00ff000, 0xe0100000), 0])
    .table(0xe0100000, [entry(0xe0100000, 0xe00ff000), entry(0xe0100000, 0xe000e000), 0])
    .ids(0xe000e000, 0xe, 0x43b, 0x00c);
  const walk = await walkRomTable(readEachSpan(bus.read), 0xe00ff000);
  assertEquals(walk.tables.map((t) => t.address), [0xe00ff000, 0xe0100000]);
  assertEquals(walk.components.map((c) => c.address), [0xe000e000]);
  assertEquals(walk.problems.length, 3);
  ok(walk.problems.every((p) => /overlaps the (ROM table|component)/.test(p)), walk.problems[0]);
});

Deno.test("coresight: a table with no end marker stops at offset 0xEFC", async () => {
  const bus = new Bus().table(0xe00ff000, []).ids(0xe000e000, 0xe, 0x43b, 0x00c);
  bus.words.set(0xe00ff000, 0xfff0f003);
  for (let off = 4; off <= 0xefc; off += 4) bus.words.set(0xe00ff000 + off, 0x00001002);
  bus.words.set(0xe00fff00, 0x12345678); // past the entry area: never read as an entry
  const walk = await walkRomTable(readEachSpan(bus.read), 0xe00ff000);
  assertEquals(walk.components.map((c) => c.address), [0xe000e000]);
  assertEquals(walk.problems, ["ROM table 0xe00ff000 has no end marker"]);
  const entryReads = bus.reads.filter(([a]) => a >= 0xe00ff000 && a < 0xe00fff00);
  const last = entryReads[entryReads.length - 1];
  assertEquals(last[0] + 4 * last[1], 0xe00fff00);
});

Deno.test("coresight: a component with a bad CIDR is reported, the others still found", async () => {
  const bus = nrf51();
  bus.words.set(0xe0001ffc, 0xb2); // DWT's CIDR3
  bus.faulty.add(0xe0002000); // BPU faults
  const walk = await walkRomTable(readEachSpan(bus.read), 0xe00ff000);
  assertEquals(walk.components.map(componentName), ["Cortex-M0 SCS"]);
  assertEquals(walk.problems.length, 2);
  ok(walk.problems[0].includes("entry 1: no CoreSight component at 0xe0001000 (CIDR 0xb205e00d)"));
  ok(walk.problems[1].includes("entry 2: cannot read 0xe0002000: FAULT"));
});

Deno.test("coresight: 4 KiB blocks may not be claimed twice (PIDR4.SIZE counts blocks)", async () => {
  const bus = new Bus()
    .table(0xe00ff000, [0xfff0f003, 0xfff0f003, 0, 0xfff03003, 0])
    .ids(0xe000e000, 0xe, 0x43b, 0x00c)
    .ids(0xe0003000, 0x9, 0x43b, 0x925, 1) // two blocks: 0xE0002000–0xE0003FFF
    .ids(0xe0002000, 0xe, 0x43b, 0x003);
  bus.words.set(0xe00ff008, entry(0xe00ff000, 0xe0003000));
  const walk = await walkRomTable(readEachSpan(bus.read), 0xe00ff000);
  assertEquals(walk.components.map((c) => [c.address, c.start]), [
    [0xe000e000, 0xe000e000],
    [0xe0003000, 0xe0002000],
  ]);
  assertEquals(walk.problems.length, 2);
  ok(walk.problems[0].includes("entry 1: 0xe000e000 overlaps the component at 0xe000e000"));
  ok(walk.problems[1].includes("entry 3: 0xe0002000 overlaps the component at 0xe0003000"));
});

Deno.test("coresight: 8-bit format entries are refused", async () => {
  const bus = nrf51();
  bus.words.set(0xe00ff004, 0xfff02001);
  const walk = await walkRomTable(readEachSpan(bus.read), 0xe00ff000);
  assertEquals(walk.components.length, 2);
  assertEquals(walk.problems, [
    "ROM table 0xe00ff000 entry 1: 8-bit entry format (0xfff02001), skipped",
  ]);
});

Deno.test("coresight: no component at the base is RomTableMissing; a bad root CIDR too", async () => {
  await rejects(walkRomTable(readEachSpan(new Bus().read), 0xe00ff000), RomTableMissing);
  const bus = nrf51();
  bus.words.set(0xe00ffff0, 0x0c);
  await rejects(walkRomTable(readEachSpan(bus.read), 0xe00ff000), /CIDR 0xb105100c/);
});

Deno.test("core check: the SCS in the table is the core", async () => {
  const report = await findCore(readEachSpan(nrf51().read), 0xf0000000);
  assertEquals([report.scs.address, report.scs.part, report.romTable], [0xe000e000, 0x008, true]);
});

Deno.test("core check: without a ROM table, an SCS that identifies itself is accepted", async () => {
  const bus = new Bus().ids(0xe000e000, 0xe, 0x43b, 0x000); // QEMU: no table, an M3 SCS
  const report = await findCore(readEachSpan(bus.read), 0xe00ff000);
  assertEquals([report.romTable, report.scs.part], [false, 0x000]);
  ok(report.problems[0].startsWith("no ROM table (no CoreSight component at 0xe00ff000"));
  assertEquals((await findCore(readEachSpan(bus.read), null)).romTable, false);
});

Deno.test("core check: no SCS anywhere is a DeviceError E_NO_CORE that says what was found", async () => {
  const bus = nrf51();
  bus.words.set(0xe00ff000, 0); // the SCS entry becomes the end marker
  await rejects(findCore(readEachSpan(bus.read), 0xf0000000), (e: unknown) => {
    ok(e instanceof DeviceError);
    assertEquals(e.code, "E_NO_CORE");
    ok(e.message.includes("no Cortex-M core in the ROM table at 0xf0000000"), e.message);
    ok(e.message.includes("Cortex-M0 ROM table"), e.message);
    ok(e.hint);
    return true;
  });
  await rejects(findCore(readEachSpan(new Bus().read), 0xe00ff000), (e: unknown) => {
    ok(e instanceof DeviceError);
    assertEquals(e.code, "E_NO_CORE");
    ok(e.message.startsWith("no Cortex-M core found: no CoreSight component at 0xe00ff000"));
    return true;
  });
});

Deno.test("coresight: ROM tables nested deeper than 8 levels are not followed", async () => {
  const bus = new Bus().ids(0xe000e000, 0xe, 0x43b, 0x00c);
  // A chain of tables 0x10000000, 0x10001000, …, each leading to the next.
  for (let i = 0; i < 12; i++) {
    const at = 0x10000000 + i * 0x1000;
    bus.table(at, [entry(at, at + 0x1000), 0]);
  }
  bus.words.set(0x10000004, entry(0x10000000, 0xe000e000)); // the root also lists the SCS
  bus.words.set(0x10000008, 0);
  const walk = await walkRomTable(readEachSpan(bus.read), 0x10000000);
  assertEquals(walk.tables.length, 9); // depth 0 through 8
  assertEquals(walk.components.map(componentName), ["Cortex-M4 SCS"]);
  assertEquals(walk.problems.length, 1);
  ok(walk.problems[0].includes("nested deeper than 8"), walk.problems[0]);
});
