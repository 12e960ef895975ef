/**
 * The target's SW-DP (ADIv5 B2/B4): DPIDR, ABORT, CTRL/STAT (power-up request/ack), SELECT,
 * RDBUFF, sticky error flags, posted AP reads, and the reset state after a line reset. One
 * call of {@link SwDp.transfer} is one SWD packet: request in, ACK and data out.
 *
 * AP transactions are posted: an AP access the target's bus cannot take yet is accepted (OK)
 * and completes later; until then every AP access and RDBUFF read answers WAIT (ADIv5 B4.2.x),
 * and DAPABORT abandons it.
 *
 * Modelling choices: an AP access while debug power is down is not performed and sets
 * STICKYERR; with any sticky flag set every access except DPIDR/CTRL-STAT reads and ABORT
 * writes answers FAULT; after a line reset only a DPIDR read is answered (others see no ACK).
 *
 * @module
 */

/** ACK values as CMSIS-DAP reports them. */
export const ACK = { OK: 1, WAIT: 2, FAULT: 4, NONE: 7 } as const;

/** Transfer request bits (CMSIS-DAP DAP_Transfer request byte). */
export const REQ = { APnDP: 1, RnW: 2, A2: 4, A3: 8, MATCH_VALUE: 16, MATCH_MASK: 32 } as const;

/** Result of an AP register access. */
export type ApResult = { status: "ok"; value: number } | { status: "wait" | "fault" };

/**
 * An access port behind the DP. `reg` is the byte address within the AP (0x00–0xFC).
 * "wait" means the AP cannot start the access yet (its bus is stalled); the DP keeps it
 * pending and retries it. `busy` reports a started transaction that has not finished.
 */
export interface AccessPort {
  read(reg: number): ApResult;
  write(reg: number, value: number): ApResult;
  busy?(): boolean;
  abort?(): void;
}

/** CTRL/STAT bits. */
export const CTRL_STAT = {
  ORUNDETECT: 1 << 0,
  STICKYORUN: 1 << 1,
  STICKYCMP: 1 << 4,
  STICKYERR: 1 << 5,
  READOK: 1 << 6,
  WDATAERR: 1 << 7,
  CDBGRSTREQ: 1 << 26,
  CDBGRSTACK: 1 << 27,
  CDBGPWRUPREQ: 1 << 28,
  CDBGPWRUPACK: 1 << 29,
  CSYSPWRUPREQ: 1 << 30,
  CSYSPWRUPACK: 1 << 31,
} as const;

const STICKY = CTRL_STAT.STICKYORUN | CTRL_STAT.STICKYCMP | CTRL_STAT.STICKYERR |
  CTRL_STAT.WDATAERR;

/** One SW-DP with its APs. */
export class SwDp {
  /** Writable CTRL/STAT bits plus sticky flags. */
  ctrlStat = 0;
  /** DP SELECT. */
  select = 0;
  /** DP RDBUFF: the result of the last AP read. */
  rdbuff = 0;
  /** True after a line reset until DPIDR is read. */
  resetState = true;
  #lastRead = 0;
  #pending: { retry: () => ApResult; read: boolean } | null = null;

  /** A DP reporting `dpidr`, with APs by APSEL. */
  constructor(readonly dpidr: number, readonly aps: Map<number, AccessPort>) {}

  /** Line reset (≥ 50 SWCLK cycles with SWDIO high). */
  lineReset(): void {
    this.resetState = true;
  }

  /** True when both power-up acknowledges are set. */
  get powered(): boolean {
    const req = CTRL_STAT.CDBGPWRUPREQ | CTRL_STAT.CSYSPWRUPREQ;
    return (this.ctrlStat & req) === req;
  }

  #readCtrlStat(): number {
    let v = this.ctrlStat;
    if (v & CTRL_STAT.CDBGPWRUPREQ) v |= CTRL_STAT.CDBGPWRUPACK;
    if (v & CTRL_STAT.CSYSPWRUPREQ) v |= CTRL_STAT.CSYSPWRUPACK;
    if (v & CTRL_STAT.CDBGRSTREQ) v |= CTRL_STAT.CDBGRSTACK;
    return v >>> 0;
  }

  /** One SWD packet. `request` uses bits APnDP, RnW, A2, A3. */
  transfer(request: number, wdata = 0): { ack: number; data: number } {
    const ap = (request & REQ.APnDP) !== 0;
    const read = (request & REQ.RnW) !== 0;
    const addr = request & 0xc;
    if (this.resetState) {
      if (!ap && read && addr === 0) {
        this.resetState = false;
        return { ack: ACK.OK, data: this.dpidr };
      }
      return { ack: ACK.NONE, data: 0 };
    }
    const exempt = !ap && ((read && (addr === 0 || addr === 4)) || (!read && addr === 0));
    if (this.ctrlStat & STICKY && !exempt) return { ack: ACK.FAULT, data: 0 };
    if (ap || (read && addr === 0xc)) {
      if (!this.#settle()) return { ack: ACK.WAIT, data: 0 };
      if (this.ctrlStat & STICKY) return { ack: ACK.FAULT, data: 0 };
    }
    if (!ap) return read ? this.#readDp(addr) : this.#writeDp(addr, wdata >>> 0);
    return read ? this.#readAp(addr) : this.#writeAp(addr, wdata >>> 0);
  }

  #readDp(addr: number): { ack: number; data: number } {
    let data = 0;
    switch (addr) {
      case 0:
        data = this.dpidr;
        break;
      case 4:
        data = (this.select & 0xf) === 0 ? this.#readCtrlStat() : 0;
        break;
      case 8: // RESEND
        data = this.#lastRead;
        break;
      default: // RDBUFF
        data = this.rdbuff;
    }
    this.#lastRead = data;
    return { ack: ACK.OK, data };
  }

  #writeDp(addr: number, value: number): { ack: number; data: number } {
    switch (addr) {
      case 0: // ABORT
        if (value & 0x01) {
          this.#pending = null;
          for (const port of this.aps.values()) port.abort?.();
        }
        if (value & 0x02) this.ctrlStat &= ~CTRL_STAT.STICKYCMP;
        if (value & 0x04) this.ctrlStat &= ~CTRL_STAT.STICKYERR;
        if (value & 0x08) this.ctrlStat &= ~CTRL_STAT.WDATAERR;
        if (value & 0x10) this.ctrlStat &= ~CTRL_STAT.STICKYORUN;
        break;
      case 4:
        if ((this.select & 0xf) === 0) {
          const writable = 0x50000000 | CTRL_STAT.CDBGRSTREQ | CTRL_STAT.ORUNDETECT | 0x00000f0c;
          this.ctrlStat = ((this.ctrlStat & STICKY) | (value & writable)) >>> 0;
        }
        break;
      case 8:
        this.select = value;
        break;
    }
    return { ack: ACK.OK, data: 0 };
  }

  #ap(addr: number): { port: AccessPort | undefined; reg: number } {
    const port = this.aps.get(this.select >>> 24);
    return { port, reg: (this.select & 0xf0) | addr };
  }

  /** Finishes a pending AP transaction if the target lets it; false while still busy. */
  #settle(): boolean {
    const p = this.#pending;
    if (p) {
      const r = p.retry();
      if (r.status === "wait") return false;
      this.#pending = null;
      this.#apply(r, p.read);
    }
    for (const port of this.aps.values()) if (port.busy?.()) return false;
    return true;
  }

  #apply(r: ApResult, read: boolean): void {
    if (r.status === "fault") {
      this.ctrlStat |= CTRL_STAT.STICKYERR;
      if (read) this.rdbuff = 0;
    } else if (r.status === "ok" && read) this.rdbuff = r.value >>> 0;
  }

  #readAp(addr: number): { ack: number; data: number } {
    const posted = this.rdbuff;
    this.#lastRead = posted;
    if (!this.powered) {
      this.ctrlStat |= CTRL_STAT.STICKYERR;
      return { ack: ACK.OK, data: posted };
    }
    const { port, reg } = this.#ap(addr);
    if (!port) {
      this.rdbuff = 0;
      return { ack: ACK.OK, data: posted };
    }
    const r = port.read(reg);
    if (r.status === "wait") this.#pending = { retry: () => port.read(reg), read: true };
    else this.#apply(r, true);
    return { ack: ACK.OK, data: posted };
  }

  #writeAp(addr: number, value: number): { ack: number; data: number } {
    if (!this.powered) {
      this.ctrlStat |= CTRL_STAT.STICKYERR;
      return { ack: ACK.OK, data: 0 };
    }
    const { port, reg } = this.#ap(addr);
    if (!port) return { ack: ACK.OK, data: 0 };
    const r = port.write(reg, value);
    if (r.status === "wait") this.#pending = { retry: () => port.write(reg, value), read: false };
    else this.#apply(r, false);
    return { ack: ACK.OK, data: 0 };
  }
}
