/**
 * A small in-memory CMSIS-DAP probe + MEM-AP + Cortex-M debug block for unit tests. It
 * wraps TAR within 1 KiB like real AHB-APs, so a host that forgets to split blocks fails.
 *
 * @module
 */
import type { DapPacketLink } from "../../kernel/mod.ts";

const le = (b: Uint8Array, i: number) =>
  (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;

/** The fake probe and target. */
export class FakeDap implements DapPacketLink {
  readonly packetSize = 64;
  /** Word memory (address → value); the SCS's CIDR identifies a Cortex-M core. */
  readonly mem = new Map<number, number>([
    [0xe000eff0, 0x0d],
    [0xe000eff4, 0xe0],
    [0xe000eff8, 0x05],
    [0xe000effc, 0xb1],
  ]);
  /** MEM-AP BASE (default: legacy "no ROM table"). */
  apBase = 0xffffffff;
  /** Core registers by DCRSR index. */
  readonly regs = new Array<number>(21).fill(0);
  /** Every request packet, in order. */
  readonly requests: Uint8Array[] = [];
  /** Every register transfer: `DP`/`AP`, R/W, address. */
  readonly log: string[] = [];
  /** Number of next AP transfers that answer FAULT (setting the sticky flag). */
  faults = 0;
  /** Number of next AP transfers that answer WAIT (after the probe's own retries). */
  waits = 0;
  /** Extra packets answered before the real one (stale responses). */
  readonly stale: Uint8Array[] = [];
  /** Called when the core is resumed; may halt it again. */
  onResume: (fake: FakeDap) => void = (f) => {
    f.halted = true;
  };
  halted = false;
  /** DHCSR.S_RESET_ST: set by a reset, cleared when DHCSR is read. */
  resetSeen = false;
  /** Whether a reset sets S_RESET_ST (false: a core that never reports it). */
  reportsReset = true;
  /** Memory addresses whose access answers FAULT. */
  readonly faulting = new Set<number>();
  maxInFlight = 0;
  select = 0;
  sticky = false;
  csw = 0;
  tar = 0;
  matchMask = 0xffffffff;
  readonly #queue: Uint8Array[] = [];

  write(p: Uint8Array): Promise<void> {
    this.requests.push(p.slice());
    this.#queue.push(...this.stale.splice(0), this.#handle(p));
    this.maxInFlight = Math.max(this.maxInFlight, this.#queue.length);
    return Promise.resolve();
  }

  read(): Promise<Uint8Array> {
    const r = this.#queue.shift();
    return r ? Promise.resolve(r) : Promise.reject(new Error("no response pending"));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #handle(p: Uint8Array): Uint8Array {
    switch (p[0]) {
      case 0x00:
        if (p[1] === 0xff) return Uint8Array.of(0, 2, 64, 0);
        if (p[1] === 0xfe) return Uint8Array.of(0, 1, 4);
        return Uint8Array.of(0, 0);
      case 0x02:
        return Uint8Array.of(2, 1);
      case 0x08:
        this.sticky = (le(p, 2) & 0x04) ? false : this.sticky;
        this.log.push(`ABORT ${le(p, 2).toString(16)}`);
        return Uint8Array.of(8, 0);
      case 0x80:
        return Uint8Array.of(0x80, 8, ...new TextEncoder().encode("99040000"));
      case 0x05:
        return this.#transfer(p);
      case 0x06:
        return this.#block(p);
      case 0x04:
      case 0x11:
      case 0x12:
        return Uint8Array.of(p[0], 0);
      default:
        return Uint8Array.of(0xff);
    }
  }

  #transfer(p: Uint8Array): Uint8Array {
    const out: number[] = [5, 0, 1];
    let i = 3, done = 0;
    for (let n = 0; n < p[2]; n++) {
      const req = p[i++];
      const read = (req & 2) !== 0, match = (req & 0x10) !== 0;
      const v = !read || match ? le(p, i) : 0;
      if (!read || match) i += 4;
      if (!read && (req & 0x20)) {
        this.matchMask = v;
        done++;
        continue;
      }
      const ack = this.#access(req, v);
      if (ack.ack !== 1) {
        out[2] = ack.ack;
        break;
      }
      if (match) {
        if (((ack.value! & this.matchMask) >>> 0) !== v) {
          out[2] = 0x11;
          break;
        }
      } else if (read) out.push(...u32(ack.value!));
      done++;
    }
    out[1] = done;
    return Uint8Array.from(out);
  }

  #block(p: Uint8Array): Uint8Array {
    const count = p[2] | (p[3] << 8), req = p[4];
    const out: number[] = [6, 0, 0, 1];
    let done = 0;
    for (let n = 0; n < count; n++) {
      const r = this.#access(req, (req & 2) ? 0 : le(p, 5 + 4 * n));
      if (r.ack !== 1) {
        out[3] = r.ack;
        break;
      }
      if (req & 2) out.push(...u32(r.value!));
      done++;
    }
    out[1] = done & 0xff;
    out[2] = done >> 8;
    return Uint8Array.from(out);
  }

  #access(req: number, value: number): { ack: number; value?: number } {
    const read = (req & 2) !== 0, a = req & 0xc;
    if (!(req & 1)) {
      this.log.push(`DP ${read ? "R" : "W"} ${a}`);
      if (read) return { ack: 1, value: a === 4 ? 0xf0000000 : 0x0bb11477 };
      if (a === 8) this.select = value;
      if (a === 0 && (value & 0x04)) this.sticky = false; // ABORT.STKERRCLR
      return { ack: 1 };
    }
    const reg = (this.select & 0xf0) | a;
    this.log.push(`AP ${read ? "R" : "W"} ${reg.toString(16)}`);
    if (this.sticky) return { ack: 4 };
    if (this.waits > 0) {
      this.waits--;
      return { ack: 2 };
    }
    if (this.faults > 0) {
      this.faults--;
      this.sticky = true;
      return { ack: 4 };
    }
    if (reg === 0x00) this.csw = read ? this.csw : value;
    else if (reg === 0x04) this.tar = read ? this.tar : value >>> 0;
    else if (reg === 0x0c) {
      const addr = this.tar;
      this.tar = ((this.tar & ~0x3ff) | ((this.tar + 4) & 0x3ff)) >>> 0; // 1 KiB wrap
      return this.#mem(addr, read, value);
    } else if (reg >= 0x10 && reg < 0x20) {
      return this.#mem(((this.tar & ~0xf) >>> 0) + (reg - 0x10), read, value);
    }
    if (reg === 0xf8) return { ack: 1, value: this.apBase };
    return { ack: 1, value: reg === 0x00 ? this.csw : this.tar };
  }

  #mem(addr: number, read: boolean, value: number): { ack: number; value?: number } {
    if (this.faulting.has(addr)) {
      this.sticky = true;
      return { ack: 4 };
    }
    if (addr === 0xe000edf0) {
      if (read) {
        const reset = this.resetSeen ? 1 << 25 : 0; // S_RESET_ST, cleared by the read
        this.resetSeen = false;
        return { ack: 1, value: (1 << 16) | (this.halted ? 1 << 17 : 0) | reset };
      }
      if ((value >>> 16) === 0xa05f) {
        const wasHalted = this.halted;
        this.halted = (value & 2) !== 0;
        if (wasHalted && !this.halted) this.onResume(this);
      }
      return { ack: 1 };
    }
    if (addr === 0xe000edf4 && !read) {
      const r = value & 0x1f;
      if (value & 0x10000) this.regs[r] = this.mem.get(0xe000edf8) ?? 0;
      else this.mem.set(0xe000edf8, this.regs[r]);
      return { ack: 1 };
    }
    if (read) return { ack: 1, value: this.mem.get(addr) ?? 0 };
    this.mem.set(addr, value >>> 0);
    if (addr === 0xe000ed0c && value === 0x05fa0004) {
      this.halted = ((this.mem.get(0xe000edfc) ?? 0) & 1) === 1;
      this.resetSeen = this.reportsReset;
    }
    return { ack: 1 };
  }
}

function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
