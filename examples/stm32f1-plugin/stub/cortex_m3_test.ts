// The stub's hash entry on a real Cortex-M3 model: QEMU's `-M stm32vldiscovery` (STM32F100,
// Cortex-M3) runs the same bytes the ARMv6-M interpreter runs, and both CRCs equal zlib's.
// (QEMU models no STM32 flash controller, so the program entry is covered by the simulator.)
import { deepEqual, equal } from "node:assert/strict";
import { crc32 } from "node:zlib";
import { createContext } from "../../../mod.ts";
import { runProgram } from "../../../sim/mod.ts";
import { GdbCortexMDebug, openTcpStream } from "../../../probes/mod.ts";
import { STM32F1_STUB } from "./blob.ts";

const STUB = 0x20000000, OUT = 0x20000100, DATA = 0x20000400, SP = 0x20001f00;
const LR = 0x20001ff1;

async function qemuMissing(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("qemu-system-arm", { args: ["-M", "help"], stdout: "piped" })
      .output();
    return new TextDecoder().decode(out.stdout).includes("stm32vldiscovery")
      ? undefined
      : "qemu-system-arm has no stm32vldiscovery machine";
  } catch {
    return "qemu-system-arm is not installed (apt-get install qemu-system-arm)";
  }
}

const skip = await qemuMissing();
if (skip) console.log(`skipping the Cortex-M3 run of the STM32F1 stub: ${skip}`);

async function connectWhenUp(port: number, child: Deno.ChildProcess) {
  let exited = false;
  child.status.then(() => (exited = true));
  for (let i = 0; i < 400; i++) {
    if (exited) throw new Error("qemu-system-arm exited early");
    try {
      return await openTcpStream(`gdb://127.0.0.1:${port}`);
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error("QEMU's gdbstub did not open");
}

Deno.test({
  name: "stm32f1 stub: CRC-32 of two pages on QEMU's Cortex-M3 equals the interpreter and zlib",
  ignore: !!skip,
  async fn() {
    const data = Uint8Array.from({ length: 2048 }, (_, i) => (i * 131 + (i >> 7)) & 0xff);
    const want = [0, 1].map((p) => crc32(data.subarray(p * 1024, p * 1024 + 1024)) >>> 0);
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    const child = new Deno.Command("timeout", {
      args: ["--kill-after=5", "120", "qemu-system-arm", "-M", "stm32vldiscovery", "-nographic"]
        .concat(["-S", "-monitor", "none", "-serial", "null", "-gdb", `tcp:127.0.0.1:${port}`]),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const ctx = createContext();
    try {
      const core = await GdbCortexMDebug.connect(ctx, await connectWhenUp(port, child));
      try {
        await core.writeMemory(ctx, STUB, STM32F1_STUB);
        await core.writeMemory(ctx, DATA, data);
        const r0 = await core.runFunction(ctx, {
          entry: STUB,
          sp: SP,
          lr: LR,
          args: [OUT, DATA, 1024, 2],
          timeoutMs: 10_000,
        });
        equal(r0, 0);
        const got = new DataView((await core.readMemory(ctx, OUT, 8)).buffer);
        deepEqual([got.getUint32(0, true), got.getUint32(4, true)], want);
      } finally {
        await core.close();
      }
    } finally {
      try {
        Deno.kill(child.pid, "SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    }
    const sim = runProgram({
      code: STM32F1_STUB,
      loadAddress: STUB,
      registers: { r0: OUT, r1: DATA, r2: 1024, r3: 2, sp: SP, lr: LR, pc: STUB, xpsr: 0x01000000 },
      memory: [{ address: DATA, data }, { address: OUT, data: new Uint8Array(8) }],
    });
    equal(sim.stop, "bkpt");
    const out = new DataView(sim.memory[1].data.buffer);
    deepEqual([out.getUint32(0, true), out.getUint32(4, true)], want);
  },
});
