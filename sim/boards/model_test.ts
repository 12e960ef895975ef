import { equal, rejects, throws } from "node:assert/strict";
import { createContext, UsageError, VirtualClock } from "../../kernel/mod.ts";
import { DapSimBank } from "./bank.ts";
import { SwDp } from "../dap/dp.ts";
import { ModelBoard, type SimDapBoardModel, type SimDapChip } from "../dap/model.ts";

function model(name: string, tag: number): SimDapBoardModel {
  return {
    name,
    boardId: "0000",
    vendor: "Test",
    title: "test board",
    deviceVendor: "Test",
    deviceName: `chip ${tag}`,
    create(): SimDapChip {
      const flash = new Uint8Array(16).fill(tag);
      return {
        dp: new SwDp(0x0bb11477, new Map()),
        nowMs: 0,
        advanceTo() {},
        systemReset() {},
        saveState: () => flash.slice(),
        loadState: (b) => flash.set(b.subarray(0, 16)),
      };
    },
  };
}

Deno.test("dap sim bank: plugin board models are reached by name, built-in names are kept", async () => {
  const bank = new DapSimBank();
  throws(() => bank.defineBoard(model("microbit-v2", 1)), UsageError);
  bank.defineBoard(model("my-chip", 1));
  bank.defineBoard(model("my-chip", 2)); // loaded again: the newer model wins for new boards
  const board = await bank.modelBoard("sim:my-chip");
  equal(board instanceof ModelBoard, true);
  equal(board!.device.saveState()[0], 2);
  equal(await bank.modelBoard("sim:microbit-v2"), undefined);
  const ctx = createContext({ clock: new VirtualClock() });
  const link = await bank.open(ctx, "sim:my-chip");
  equal(link.board, board);
  await rejects(bank.open(ctx, "sim:my-chip"), /already open/);
  await link.close();
  await rejects(bank.open(ctx, "sim:nonesuch"), UsageError);
});
