// The host's CoreSight walk against the simulated nRF boards: the MEM-AP BASE register leads
// to the real ROM tables, and the connect check finds each chip's core in them.
import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { createContext, type RunContext, VirtualClock } from "../kernel/mod.ts";
import { DapSimBank } from "../sim/boards/bank.ts";
import { findCore } from "../probes/cortexm/core_check.ts";
import { componentName } from "../probes/cortexm/coresight.ts";
import { readEachSpan } from "../probes/cortexm/spans.ts";
import { DapCortexM } from "../probes/dap/cortexm.ts";
import { DapProbe } from "../probes/dap/probe.ts";

/** A probe that counts its exchanges (each waits for the replies before the next starts). */
class CountingProbe extends DapProbe {
  exchanges = 0;
  override exchange(ctx: RunContext, packets: readonly Uint8Array[]): Promise<Uint8Array[]> {
    this.exchanges++;
    return super.exchange(ctx, packets);
  }
}

async function connect(address: string, options: { checkCore?: boolean } = {}) {
  const bank = new DapSimBank();
  const ctx = createContext({ clock: new VirtualClock() });
  const link = await bank.open(ctx, address);
  const board = await bank.board(address);
  const probe = new CountingProbe(link);
  const core = await DapCortexM.connect(ctx, probe, options);
  return { ctx, core, board, link, probe };
}

const M4_PARTS = [
  "Cortex-M4 SCS",
  "DWT",
  "FPB",
  "ITM",
  "Cortex-M4 TPIU",
  "Cortex-M4 ETM",
];

Deno.test("coresight: micro:bit V1 — Nordic table at 0xF0000000, then the Cortex-M0 table", async () => {
  const { core } = await connect("sim:microbit-v1");
  const r = core.coreSight!;
  assertEquals(r.base, 0xf0000000);
  assertEquals(r.tables.map((t) => [t.address, t.designer, t.part]), [
    [0xf0000000, 0x244, 0x001],
    [0xe00ff000, 0x43b, 0x471],
  ]);
  assertEquals(r.components.map(componentName), [
    "Cortex-M0 SCS",
    "Cortex-M0 DWT",
    "Cortex-M0 BPU",
  ]);
  assertEquals([r.scs.address, r.romTable, r.problems], [0xe000e000, true, []]);
});

for (const [address, part] of [["sim:microbit-v2", 0x00d], ["sim:nrf52840", 0x008]] as const) {
  Deno.test(`coresight: ${address} — Nordic-identified Cortex-M4 table with its six parts`, async () => {
    const { core, board } = await connect(address);
    const r = core.coreSight!;
    assertEquals(r.tables.map((t) => [t.address, t.designer, t.part]), [[0xe00ff000, 0x244, part]]);
    assertEquals(r.components.map(componentName), M4_PARTS);
    assertEquals(r.components.map((c) => c.address), [
      0xe000e000,
      0xe0001000,
      0xe0002000,
      0xe0000000,
      0xe0040000,
      0xe0041000,
    ]);
    assertEquals(r.problems, []);
    // TRCENA was set only for the walk: DEMCR is as the chip had it.
    assertEquals(board.device.scs.traceEnabled, false);
  });
}

Deno.test("coresight: nRF52 trace blocks read as zero without TRCENA (the walk says so)", async () => {
  const { ctx, core } = await connect("sim:microbit-v2");
  const read = async (a: number, n: number) =>
    new Uint32Array((await core.readMemory(ctx, a, n * 4)).slice().buffer);
  const r = await findCore(readEachSpan(read), 0xe00ff000);
  assertEquals(r.components.map(componentName), ["Cortex-M4 SCS", "FPB", "Cortex-M4 ETM"]);
  assertEquals(r.problems.length, 3);
  ok(r.problems.every((p) => p.includes("(CIDR 0x00000000)")));
});

// The walk reads a whole level of a table per exchange, the short ID spans as single reads
// packed into shared DAP_Transfer packets. Reading each component on its own (TAR, then a
// block) took 21 packets in 11 exchanges on the V2 and 20 in 11 on the V1.
for (
  const [address, packets, exchanges, components] of [
    ["sim:microbit-v2", 8, 4, 6],
    ["sim:microbit-v1", 8, 5, 3],
  ] as const
) {
  Deno.test(`coresight: ${address} walk costs ${packets} DAP packets in ${exchanges} exchanges`, async () => {
    const { ctx, core, link, probe } = await connect(address, { checkCore: false });
    const [out, inn, before] = [link.stats.packetsOut, link.stats.packetsIn, probe.exchanges];
    const r = await core.checkCore(ctx);
    assertEquals(r.components.length, components);
    assertEquals(r.problems, []);
    // Every packet is a DAP_Transfer of at most 64 bytes each way, answered once.
    assertEquals(link.stats.packetsOut - out, packets);
    assertEquals(link.stats.packetsIn - inn, packets);
    assertEquals(probe.exchanges - before, exchanges);
  });
}
