/**
 * ARM register numbering over GDB: read from the server's target description (target.xml and
 * its `xi:include`s) or, without one, the classic ARM layout (r0–r15, f0–f7, fps, cpsr=25).
 *
 * QEMU 7.2's `microbit` machine describes `org.gnu.gdb.arm.m-profile`: r0–r12, sp, lr, pc as
 * 0–15 and `xpsr` with regnum 25; its `g` packet holds exactly those 17 registers in that
 * order, and it answers `p`/`P` only after the description has been read.
 *
 * @module
 */
import type { RunContext } from "../../kernel/mod.ts";
import type { RspClient } from "./client.ts";
import { protocolError } from "./codec.ts";

/** Longest target description read (QEMU's and OpenOCD's are a few KiB). */
const MAX_XFER = 0x100000;

/** One register of the description. */
export interface RegisterInfo {
  /** Name (`r0`, `sp`, `xpsr`, …). */
  readonly name: string;
  /** GDB register number (for `p`/`P`). */
  readonly regnum: number;
  /** Width in bits. */
  readonly bitsize: number;
}

/** The registers a server exposes, in `g` packet order. */
export interface RegisterLayout {
  /** Registers in description order (the `g` packet order). */
  readonly registers: readonly RegisterInfo[];
  /** Where the layout came from. */
  readonly source: "target.xml" | "classic";
}

/** The classic ARM layout GDB assumes without a description. */
export function classicArmLayout(): RegisterLayout {
  const regs: RegisterInfo[] = [];
  for (let i = 0; i < 13; i++) regs.push({ name: `r${i}`, regnum: i, bitsize: 32 });
  regs.push({ name: "sp", regnum: 13, bitsize: 32 }, { name: "lr", regnum: 14, bitsize: 32 });
  regs.push({ name: "pc", regnum: 15, bitsize: 32 });
  for (let i = 0; i < 8; i++) regs.push({ name: `f${i}`, regnum: 16 + i, bitsize: 96 });
  regs.push({ name: "fps", regnum: 24, bitsize: 32 }, { name: "cpsr", regnum: 25, bitsize: 32 });
  return { registers: regs, source: "classic" };
}

/** Parses `<reg>` elements of one feature document, continuing numbering from `next`. */
export function parseFeatureRegisters(xml: string, next: number): RegisterInfo[] {
  const out: RegisterInfo[] = [];
  for (const m of xml.matchAll(/<reg\s([^>]*?)\/?>/g)) {
    const attr = (n: string) => new RegExp(`\\b${n}\\s*=\\s*"([^"]*)"`).exec(m[1])?.[1];
    const name = attr("name");
    if (!name) continue;
    const regnum = attr("regnum") !== undefined ? decimal(attr("regnum")!, "regnum") : next;
    const bitsize = decimal(attr("bitsize") ?? "32", "bitsize");
    if (bitsize % 8 !== 0) throw protocolError(`register '${name}' has bitsize ${bitsize}`);
    next = regnum + 1;
    out.push({ name, regnum, bitsize });
  }
  return out;
}

function decimal(text: string, what: string): number {
  if (!/^\d{1,6}$/.test(text)) throw protocolError(`target description ${what} '${text}'`);
  return Number(text);
}

/** Reads a whole qXfer object (`qXfer:features:read:<annex>:off,len`). */
export async function readXfer(ctx: RunContext, client: RspClient, annex: string): Promise<string> {
  let text = "";
  const chunk = Math.max(64, client.packetSize - 16);
  for (;;) {
    const reply = await client.command(
      ctx,
      `qXfer:features:read:${annex}:${text.length.toString(16)},${chunk.toString(16)}`,
    );
    if (reply === "") throw protocolError("qXfer:features:read not supported");
    if (reply[0] !== "m" && reply[0] !== "l") {
      throw protocolError(`bad qXfer reply '${JSON.stringify(reply.slice(0, 16)).slice(1, -1)}'`);
    }
    text += reply.slice(1);
    if (reply[0] === "l") return text;
    // Each `m` reply must move the offset on, and the description must end.
    if (reply.length === 1) throw protocolError(`qXfer of ${annex} returned no data`);
    if (text.length > MAX_XFER) throw protocolError(`${annex} is longer than ${MAX_XFER} bytes`);
  }
}

/** The server's layout from target.xml, or the classic layout when it has none. */
export async function readRegisterLayout(
  ctx: RunContext,
  client: RspClient,
): Promise<RegisterLayout> {
  if (!client.supports("qXfer:features:read")) return classicArmLayout();
  const regs: RegisterInfo[] = [];
  const visit = async (annex: string, depth: number) => {
    const xml = await readXfer(ctx, client, annex);
    // Registers inline in this document and in included documents, in document order.
    const parts = xml.split(/(<xi:include\s[^>]*>)/);
    for (const part of parts) {
      const inc = /<xi:include\s[^>]*href\s*=\s*"([^"]+)"/.exec(part);
      if (inc && depth < 4) await visit(inc[1], depth + 1);
      else {
        regs.push(
          ...parseFeatureRegisters(part, regs.length ? regs[regs.length - 1].regnum + 1 : 0),
        );
      }
    }
  };
  await visit("target.xml", 0);
  return regs.length ? { registers: regs, source: "target.xml" } : classicArmLayout();
}

/** GDB names of the DCRSR register selectors the Cortex-M interface uses. */
const DCRSR_NAMES: Record<number, readonly string[]> = {
  13: ["sp", "r13"],
  14: ["lr", "r14"],
  15: ["pc", "r15"],
  16: ["xpsr", "cpsr"],
  17: ["msp"],
  18: ["psp"],
};

/** The layout entry for a DCRSR register selector (0–12 r0–r12, 13 sp, …, 16 xPSR). */
export function registerFor(layout: RegisterLayout, dcrsr: number): RegisterInfo | undefined {
  const names = dcrsr <= 12 ? [`r${dcrsr}`] : DCRSR_NAMES[dcrsr] ?? [];
  for (const n of names) {
    const r = layout.registers.find((x) => x.name === n);
    if (r) return r;
  }
  return undefined;
}

/** Byte offset and width of a register in the `g` packet. */
export function gOffset(layout: RegisterLayout, reg: RegisterInfo): number {
  let off = 0;
  for (const r of layout.registers) {
    if (r === reg) return off;
    off += r.bitsize / 8;
  }
  return -1;
}
