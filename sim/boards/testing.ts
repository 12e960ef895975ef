/**
 * Test helpers that speak raw CMSIS-DAP packets to a simulated board (an independent,
 * minimal host: packets are built here from the spec, not by the product's DAP stack).
 *
 * @module
 */
import { createContext, VirtualClock } from "../../kernel/mod.ts";
import { DapSimBank } from "./bank.ts";

/** One DAP_Transfer operation. */
export interface Op {
  /** Access port (true) or debug port. */
  readonly ap?: boolean;
  /** Read (true) or write. */
  readonly read?: boolean;
  /** Register address (0x0, 0x4, 0x8, 0xC). */
  readonly reg: number;
  /** Value to write, or the match value for a read-with-match. */
  readonly value?: number;
  /** Read with value match. */
  readonly match?: boolean;
  /** Write the match mask instead of a register. */
  readonly matchMask?: boolean;
}

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** Encodes a DAP_Transfer command. */
export function transfer(ops: readonly Op[]): Uint8Array {
  const out = [0x05, 0x00, ops.length];
  for (const op of ops) {
    const req = (op.ap ? 1 : 0) | (op.read ? 2 : 0) | (op.reg & 0xc) | (op.match ? 0x10 : 0) |
      (op.matchMask ? 0x20 : 0);
    out.push(req);
    if (!op.read || op.match) out.push(...le32(op.value ?? 0));
  }
  return new Uint8Array(out);
}

/** Encodes a DAP_TransferBlock read (values omitted) or write. */
export function transferBlock(
  ap: boolean,
  reg: number,
  countOrValues: number | number[],
): Uint8Array {
  const read = typeof countOrValues === "number";
  const n = read ? countOrValues : countOrValues.length;
  const out = [0x06, 0x00, n & 0xff, n >> 8, (ap ? 1 : 0) | (read ? 2 : 0) | (reg & 0xc)];
  if (!read) { for (const v of countOrValues) out.push(...le32(v)); }
  return new Uint8Array(out);
}

/** Reads little-endian u32 `i` of the data area starting at `offset`. */
export function word(resp: Uint8Array, offset: number, i = 0): number {
  const p = offset + 4 * i;
  return (resp[p] | (resp[p + 1] << 8) | (resp[p + 2] << 16) | (resp[p + 3] << 24)) >>> 0;
}

/** Opens a board on a fresh bank and virtual clock; `cmd` sends a packet and awaits the reply. */
export async function session(address = "sim:microbit-v1") {
  const bank = new DapSimBank();
  const clock = new VirtualClock();
  const ctx = createContext({ clock });
  const link = await bank.open(ctx, address);
  const board = await bank.board(address);
  const cmd = async (packet: Uint8Array | number[]) => {
    await link.write(packet instanceof Uint8Array ? packet : new Uint8Array(packet));
    return await link.read();
  };
  return { bank, board, link, clock, ctx, cmd };
}

/** SWD bring-up as the reference describes it (§5.3), then CSW = 32-bit, auto-increment. */
export async function bringUp(cmd: (p: Uint8Array | number[]) => Promise<Uint8Array>) {
  await cmd([0x02, 0x01]);
  await cmd([0x12, 56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  await cmd([0x12, 16, 0x9e, 0xe7]);
  await cmd([0x12, 56, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  await cmd([0x12, 8, 0x00]);
  await cmd(transfer([
    { read: true, reg: 0x0 },
    { reg: 0x0, value: 0x1e },
    { reg: 0x8, value: 0 },
    { reg: 0x4, value: 0x50000000 },
    { ap: true, reg: 0x0, value: 0x23000052 },
  ]));
}
