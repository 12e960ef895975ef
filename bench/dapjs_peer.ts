/**
 * The real peer on the DAP side: npm dapjs 2.3.0 writes target RAM through the simulated
 * probe (its `CortexM.writeBlock`, one command per packet, in 1 KiB pieces because dapjs sets
 * TAR once per block). dapjs has no nRF flash algorithm, so what it gives is the memory-write
 * throughput a dapjs-based flasher could not exceed on this link.
 *
 * @module
 */
import { createContext, VirtualClock } from "../kernel/mod.ts";
import { DapSimBank } from "../sim/boards/plugin.ts";
import { dapjs, dapjsTransport as transport } from "../sim/dap/dapjs_transport.ts";

/** dapjs throughput on one simulated board. */
export interface DapjsThroughput {
  /** Modelled connect time, ms. */
  readonly connectMs: number;
  /** Bytes written. */
  readonly bytes: number;
  /** Modelled time of the writes, ms. */
  readonly ms: number;
  /** HID reports sent during the writes. */
  readonly packets: number;
}

/** Connects dapjs to `sim:<board>` and writes `bytes` of RAM in 1 KiB blocks. */
export async function dapjsThroughput(board: string, bytes = 16 * 1024): Promise<DapjsThroughput> {
  const bank = new DapSimBank();
  const clock = new VirtualClock();
  const link = await bank.open(createContext({ clock }), `sim:${board}`);
  const core = new dapjs.CortexM(transport(link));
  await core.connect();
  await core.halt();
  const connectMs = clock.now();
  const before = link.stats.packetsOut;
  const words = new Uint32Array(256).map((_, i) => (i * 0x9e3779b9) >>> 0);
  for (let o = 0; o < bytes; o += 1024) await core.writeBlock(0x20002000 + (o % 0x2000), words);
  const ms = clock.now() - connectMs;
  const packets = link.stats.packetsOut - before;
  await link.close();
  return { connectMs, bytes, ms, packets };
}
