/**
 * Peer check: npm dapjs 2.3.0 (an independent CMSIS-DAP host) drives the simulated probe
 * through a dapjs Transport wrapped around our DapPacketLink.
 */
import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { createContext, VirtualClock } from "../../kernel/mod.ts";
import { DapSimBank } from "./bank.ts";
import { dapjs, dapjsTransport } from "../dap/dapjs_transport.ts";

const { ADI, CortexM } = dapjs;

async function setup(address: string) {
  const bank = new DapSimBank();
  const ctx = createContext({ clock: new VirtualClock() });
  const link = await bank.open(ctx, address);
  const board = await bank.board(address);
  const core = new CortexM(dapjsTransport(link));
  await core.connect();
  return { bank, board, link, core };
}

const sanitize = { sanitizeOps: false, sanitizeResources: false };

for (const address of ["sim:microbit-v1", "sim:microbit-v2"]) {
  Deno.test({
    name: `dapjs: connect, memory word and blocks across 1 KiB boundaries (${address})`,
    ...sanitize,
    fn: async () => {
      const { core, link, board } = await setup(address);
      assertEquals(await core.readMem32(0x10000010), address.endsWith("v1") ? 1024 : 4096);
      await core.writeMem32(0x20000100, 0xdeadbeef);
      assertEquals(await core.readMem32(0x20000100), 0xdeadbeef);
      // 600 words from 0x20000380 span the 1 KiB boundaries at 0x400, 0x800 and 0xC00. ADIv5 (IHI
      // 0031, C2.2.2) only guarantees TAR auto-increment within 1 KiB and dapjs 2.3.0's
      // writeBlock/readBlock set TAR once, so the caller splits at the boundaries.
      const words = new Uint32Array(600).map((_, i) => (i * 0x01010101 + 7) >>> 0);
      const pieces = [[0x380, 32], [0x400, 256], [0x800, 256], [0xc00, 56]] as const;
      let at = 0;
      for (const [offset, n] of pieces) {
        await core.writeBlock(0x20000000 + offset, words.subarray(at, at + n));
        at += n;
      }
      const ram = new Uint32Array(board.device.ram.buffer, 0x380, 600);
      assertEquals(ram, words);
      const back: number[] = [];
      for (const [offset, n] of pieces) back.push(...await core.readBlock(0x20000000 + offset, n));
      assertEquals(new Uint32Array(back), words);
      await link.close();
    },
  });
}

Deno.test({
  name: "dapjs: an unsplit block write wraps TAR at the nRF51's 1 KiB boundary (ADIv5 C2.2.2)",
  ...sanitize,
  fn: async () => {
    const { core, link, board } = await setup("sim:microbit-v1");
    await core.writeBlock(0x200003f8, new Uint32Array([1, 2, 3, 4]));
    const ram = new Uint32Array(board.device.ram.buffer);
    assertEquals([ram[0xfe], ram[0xff], ram[0x000], ram[0x001], ram[0x100]], [1, 2, 3, 4, 0]);
    await link.close();
  },
});

Deno.test({
  name: "dapjs: halt, core registers, run a Thumb function from RAM",
  ...sanitize,
  fn: async () => {
    const { core, board, link } = await setup("sim:microbit-v1");
    await core.halt();
    assertEquals(await core.isHalted(), true);
    await core.writeCoreRegister(4, 0x11223344);
    assertEquals(await core.readCoreRegister(4), 0x11223344);
    // adds r0,r0,r1; adds r0,r0,r2; adds r0,r0,r3; bkpt #42; movs r0,r0
    // (the last word is already BKPT_INSTRUCTION 0xBE2A, so dapjs appends nothing)
    const code = new Uint32Array([0x18801840, 0x0000bee0 & 0, 0]);
    code[0] = 0x1880_1840; // 0x1840 adds r0,r0,r1 ; 0x1880 adds r0,r0,r2
    code[1] = 0xbe2a_18c0; // 0x18c0 adds r0,r0,r3 ; 0xbe2a bkpt #42
    code[2] = 0x0000_be2a;
    await core.execute(0x20000000, code, 0x20001000, 0x20000001, 0x20000001, 1, 2, 3, 4);
    assertEquals(await core.isHalted(), true);
    assertEquals(await core.readCoreRegister(0), 10);
    assertEquals(await core.readCoreRegister(15), 0x20000006);
    ok(board.device.cpu.instructions >= 3);
    await link.close();
  },
});

Deno.test({
  name: "dapjs: ADI reads DPIDR and CSW; its AP bank-F reads hit the spec's match bits",
  ...sanitize,
  fn: async () => {
    const bank = new DapSimBank();
    const ctx = createContext({ clock: new VirtualClock() });
    const link = await bank.open(ctx, "sim:microbit-v2");
    const adi = new ADI(dapjsTransport(link));
    await adi.connect();
    assertEquals(await adi.readDP(0x0), 0x2ba01477);
    await adi.readMem32(0x20000000);
    assertEquals(await adi.readAP(0x00), 0x23000052); // CSW as written, DeviceEn set
    // dapjs ORs the whole AP register offset into the DAP_Transfer request byte, so IDR (0xFC)
    // sets bits 4, 5 and 7, which the CMSIS-DAP spec defines as "match value", "match mask"
    // and "timestamp" (DAP_Transfer request, bits 4..7). A read-with-match returns no data,
    // so dapjs reports 0: a dapjs bug, not the probe's.
    assertEquals(await adi.readAP(0xfc), 0);
    await link.close();
  },
});
