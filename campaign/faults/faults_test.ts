/**
 * The fault harness itself: the serial and DAP wrappers change exactly the chosen chunk or
 * transfer, the verdicts are classified as documented (a run that exits 0 with the wrong
 * flash is silently wrong, a plain Error is untyped, a run that never settles is stuck), and
 * a real power cut mid-erase on the simulated ESP is reported and then repaired by the rerun.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { createContext, DeviceError, VirtualClock } from "../../kernel/mod.ts";
import { DapSimBank } from "../../sim/boards/bank.ts";
import { Rng } from "../rng.ts";
import { FaultyDapLink } from "./dap_link.ts";
import { espFamily } from "./esp.ts";
import { gdbFamily } from "./gdb.ts";
import { nrfFamily } from "./nrf.ts";
import { tally, trialRng } from "./runner.ts";
import { FaultySerialPort } from "./serial_port.ts";
import { runTrial, type TrialSteps } from "./trial.ts";
import type { SerialPortLike } from "../../kernel/mod.ts";

/** A loopback port: what the host writes comes back. */
function loopback(): SerialPortLike {
  const t = new TransformStream<Uint8Array, Uint8Array>();
  return {
    readable: t.readable,
    writable: t.writable,
    baudRate: 115200,
    setSignals: () => Promise.resolve(),
    setBaudRate: () => Promise.resolve(),
    getInfo: () => ({}),
    close: () => Promise.resolve(),
  };
}

async function through(fault: "drop" | "corrupt", at: number): Promise<Uint8Array[]> {
  const port = new FaultySerialPort(loopback(), new VirtualClock(), {
    fault,
    at,
    rng: new Rng(5),
    resetChip: () => {},
  });
  const w = port.writable.getWriter();
  const r = port.readable.getReader();
  const got: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    await w.write(new Uint8Array(8).fill(i + 1));
    got.push((await r.read()).value!);
  }
  ok(port.fired);
  return got;
}

Deno.test("serial faults touch exactly the chosen chunk (counted both directions)", async () => {
  // Chunks: write 0, echo 1, write 2, echo 3, … — chunk 2 is the second write.
  const dropped = await through("drop", 2);
  deepEqual(dropped[0], new Uint8Array(8).fill(1));
  ok(dropped[1].length < 8 && dropped[1].every((b) => b === 2));
  deepEqual(dropped[2], new Uint8Array(8).fill(3));
  const flipped = await through("corrupt", 3);
  equal(flipped[1].length, 8);
  ok(flipped[1].some((b) => b !== 2), "the echoed chunk has flipped bits");
  deepEqual(flipped[2], new Uint8Array(8).fill(3));
});

Deno.test("DAP WAIT: the transfer is cut short and its response says WAIT", async () => {
  const bank = new DapSimBank();
  const clock = new VirtualClock();
  const inner = await bank.open(createContext({ clock }), "sim:microbit-v1");
  const link = new FaultyDapLink(inner, clock, {
    fault: "wait",
    at: 0,
    rng: new Rng(2),
    resetTarget: () => {},
  });
  // DAP_Transfer with three DP reads of DPIDR (no SWD connection: each answers something).
  await link.write(Uint8Array.of(0x02, 0x01)); // DAP_Connect is not a transfer: passes
  deepEqual([...(await link.read()).subarray(0, 2)], [0x02, 0x01]);
  await link.write(Uint8Array.of(0x05, 0, 3, 0x02, 0x02, 0x02));
  const r = await link.read();
  equal(r[0], 0x05);
  ok(r[1] < 3, "fewer transfers done than asked");
  equal(r[2], 2, "ACK = WAIT");
  ok(link.fired);
  await link.close();
});

function steps(over: Partial<TrialSteps>): TrialSteps {
  return {
    faulted: () => Promise.resolve(),
    fired: () => true,
    flashMatches: () => Promise.resolve(true),
    restore: () => Promise.resolve(),
    rerun: () => Promise.resolve(),
    ...over,
  };
}

Deno.test("verdicts: held, clear error, untyped, silently wrong, stuck, not repaired", async () => {
  equal((await runTrial(steps({}))).first, "held");
  const typed = await runTrial(steps({ faulted: () => Promise.reject(new DeviceError("x")) }));
  deepEqual([typed.first, typed.detail, typed.repaired], ["clear-error", "E_DEVICE", true]);
  equal(
    (await runTrial(steps({ faulted: () => Promise.reject(new TypeError("y")) }))).first,
    "untyped",
  );
  let good = false;
  const silent = await runTrial(steps({
    flashMatches: () => Promise.resolve(good),
    restore: () => Promise.resolve(void (good = true)),
  }));
  deepEqual([silent.first, silent.repaired], ["silently-wrong", true]);
  const stuck = await runTrial(steps({ faulted: () => new Promise(() => {}) }), 50);
  equal(stuck.first, "stuck");
  const broken = await runTrial(steps({ rerun: () => Promise.reject(new DeviceError("z")) }));
  deepEqual([broken.repaired, broken.rerunDetail], [false, "E_DEVICE"]);
  const stats = {
    trials: 0,
    missed: 0,
    held: 0,
    clearError: 0,
    untyped: 0,
    silentlyWrong: 0,
    stuck: 0,
    repaired: 0,
    codes: {},
    findings: [],
  };
  tally(stats, 0, silent);
  tally(stats, 1, broken);
  tally(stats, 2, { ...silent, fired: false });
  deepEqual([stats.trials, stats.missed, stats.silentlyWrong, stats.held, stats.repaired], [
    2,
    1,
    1,
    1,
    1,
  ]);
  equal(stats.findings.length, 2);
});

Deno.test("ESP: power lost mid-erase is a clear error, and the rerun repairs the flash", async () => {
  const family = espFamily();
  await family.prepare();
  const s = await family.trial("power-erase", trialRng(1, "esp", "power-erase", 0));
  ok(s);
  const r = await runTrial(s);
  ok(r.fired);
  deepEqual([r.first, r.repaired], ["clear-error", true]);
});

Deno.test("GDB: a dropped gdbserver connection is a clear error, and the rerun repairs", async () => {
  const family = gdbFamily();
  await family.prepare();
  const s = await family.trial("disconnect", trialRng(1, "gdb", "disconnect", 0));
  ok(s);
  const r = await runTrial(s);
  ok(r.fired);
  deepEqual([r.first, r.repaired], ["clear-error", true]);
});

Deno.test("nRF: a WAIT while the program stub starts is never silently wrong", async () => {
  // Trial 2 of seed 1 left a page beyond the written ones corrupted with exit 0: the probe ran
  // the packets queued behind the failed one, resuming the stub with registers half set.
  const family = nrfFamily();
  await family.prepare();
  const s = await family.trial("wait", trialRng(1, "nrf", "wait", 2));
  ok(s);
  const r = await runTrial(s);
  ok(r.first !== "silently-wrong" && r.first !== "untyped", r.first);
  ok(r.repaired);
});
