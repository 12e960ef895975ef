import { deepEqual as assertEquals, ok, rejects } from "node:assert/strict";
import { createContext, Registry, UsageError, VirtualClock } from "../../kernel/mod.ts";
import { dapSim, DapSimBank, loadSegments } from "./plugin.ts";
import { bringUp, transfer, word } from "./testing.ts";

Deno.test("the sim: DAP transport opens boards by name; the bank keeps them across opens", async () => {
  const bank = new DapSimBank();
  const registry = new Registry();
  await registry.use(dapSim(bank));
  const ctx = createContext({ clock: new VirtualClock() });
  const link = await registry.openTransport(ctx, "dap", "sim:microbit-v1");
  assertEquals(link.packetSize, 64);
  await rejects(registry.openTransport(ctx, "dap", "sim:microbit-v1"), /already open/);
  await link.close();
  const board = await bank.board("sim:microbit-v1");
  loadSegments(board, [{ address: 0x1000, data: new Uint8Array([1, 2, 3, 4]) }]);
  const again = await registry.openTransport(ctx, "dap", "sim:microbit-v1");
  const cmd = async (p: Uint8Array | number[]) => {
    await again.write(p instanceof Uint8Array ? p : new Uint8Array(p));
    return await again.read();
  };
  await bringUp(cmd);
  const r = await cmd(transfer([
    { ap: true, reg: 0x4, value: 0x1000 },
    { ap: true, read: true, reg: 0xc },
  ]));
  assertEquals(word(r, 3), 0x04030201);
  await again.close();
  assertEquals(bank.boards().length, 1);
  await rejects(bank.board("sim:nrf99"), UsageError);
  ok((await bank.board("sim:", "nrf52833")).spec.name === "microbit-v2");
});

Deno.test("?state= persists flash and UICR across banks (separate processes)", async () => {
  const dir = await Deno.makeTempDir();
  const address = `sim:microbit-v2?state=${dir}/v2.bin`;
  try {
    const ctx = createContext({ clock: new VirtualClock() });
    const first = new DapSimBank();
    const board = await first.board(address);
    loadSegments(board, [
      { address: 0x2000, data: new Uint8Array([0xaa, 0xbb]) },
      { address: 0x10001014, data: new Uint8Array([0x00, 0x70, 0x07, 0x00]) },
    ]);
    await (await first.open(ctx, address)).close();
    const second = await new DapSimBank().board(address);
    assertEquals([...second.device.flash.subarray(0x2000, 0x2003)], [0xaa, 0xbb, 0xff]);
    assertEquals([...second.device.uicr.subarray(0x14, 0x18)], [0x00, 0x70, 0x07, 0x00]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
