/**
 * The simulated gdbserver on the wire: raw RSP packets in, replies out (an independent
 * minimal client built here from the GDB manual, not the product's).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { NRF_CHIPS } from "../nrf/chips.ts";
import { NrfDevice } from "../nrf/device.ts";
import { frame } from "./rsp.ts";
import { SimGdbServer } from "./server.ts";

function connect() {
  const dev = new NrfDevice(NRF_CHIPS.nrf51822);
  dev.flash.set([1, 2, 3, 4, 5, 6, 7, 8], 0x100);
  let now = 0;
  const server = new SimGdbServer(dev, {
    now: () => now,
    sleep: (ms) => new Promise((r) => setTimeout(() => r(void (now += ms)), 0)),
  });
  const writer = server.stream.writable.getWriter();
  const reader = server.stream.readable.getReader();
  let buf = "";
  const ask = async (payload: string): Promise<string> => {
    await writer.write(frame(payload));
    for (;;) {
      const m = /\$([^#]*)#[0-9a-f]{2}/.exec(buf);
      if (m) {
        buf = buf.slice(m.index + m[0].length);
        return m[1];
      }
      const { value } = await reader.read();
      buf += String.fromCharCode(...value!);
    }
  };
  return { dev, server, ask };
}

Deno.test("sim gdbserver: features, memory, registers, breakpoints, run to bkpt", async () => {
  const { dev, server, ask } = connect();
  ok((await ask("qSupported:xmlRegisters=arm")).includes("PacketSize=1000"));
  equal(await ask("?"), "S05", "attaching halts the core");
  ok((await ask("qXfer:features:read:target.xml:0,fff")).startsWith("l<?xml"));
  equal(await ask("m100,8"), "0102030405060708");
  equal(await ask("M20000000,4:aabbccdd"), "OK");
  deepEqual([...dev.ram.subarray(0, 4)], [0xaa, 0xbb, 0xcc, 0xdd]);
  // A tiny program in RAM: movs r0, #42; nop; then the breakpoint's halfword.
  equal(await ask("M20000100,6:2a2000bf00bf"), "OK");
  equal(await ask("Z0,20000104,2"), "OK");
  deepEqual([...dev.ram.subarray(0x104, 0x106)], [0x00, 0xbe], "bkpt patched in");
  equal(await ask(`P19=00000001`), "OK"); // xPSR: Thumb
  equal(await ask(`Pf=01010020`), "OK"); // pc = 0x20000101
  equal(await ask("vCont;c"), "T05swbreak:;");
  equal(await ask("p0"), "2a000000");
  equal(await ask("pf"), "04010020");
  equal(await ask("z0,20000104,2"), "OK");
  deepEqual([...dev.ram.subarray(0x104, 0x106)], [0x00, 0xbf], "original restored");
  equal(await ask("vMustReplyEmpty"), "");
  server.disconnect();
});
