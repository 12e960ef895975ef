/**
 * The probe firmware: decodes one CMSIS-DAP v1 command packet and produces its response,
 * accounting the time the firmware and the SWD wire take and letting the target run for
 * that long (between SWD packets, so polling in the probe sees the core make progress).
 *
 * Commands: DAP_Info (0x00), HostStatus (0x01), Connect (0x02), Disconnect (0x03),
 * TransferConfigure (0x04), Transfer (0x05), TransferBlock (0x06), TransferAbort (0x07, no
 * response), WriteABORT (0x08), Delay (0x09), ResetTarget (0x0A), SWJ_Pins (0x10),
 * SWJ_Clock (0x11), SWJ_Sequence (0x12), SWD_Configure (0x13), ExecuteCommands (0x7F), and
 * the DAPLink vendor commands (`DAP_vendor.c`): 0x80 unique id, 0x81/0x82 UART line coding,
 * 0x83/0x84 UART read/write (no serial data is modelled), 0x89 reset, 0x8A–0x8D
 * drag-and-drop programming. Other vendor ids echo just the id, as DAPLink does; anything
 * else answers ID_DAP_Invalid (0xFF).
 *
 * @module
 */
import type { SwDp } from "./dp.ts";
import { DAP_TIMING } from "./timing.ts";
import { swdTransfer, swdTransferBlock, type TransferSettings } from "./transfer.ts";

/** What the probe is wired to. */
export interface DapTarget {
  /** The target's debug port. */
  readonly dp: SwDp;
  /** Lets target time pass (the core runs). */
  advanceUs(us: number): void;
  /** Pulses the reset pin. */
  resetPin(): void;
  /** Reset and run regardless of vector catch (DAPLink RESET_RUN); defaults to resetPin. */
  resetRun?(): void;
  /** DAPLink drag-and-drop programming (vendor 0x8A–0x8D), where the board supports it. */
  readonly vendorFlash?: VendorFlash;
}

/** The DAPLink stream-programming commands a board may support. */
export interface VendorFlash {
  open(type: number, charge: (us: number) => void): number;
  write(data: Uint8Array, charge: (us: number) => void): number;
  close(charge: (us: number) => void): number;
  selectEraseMode(pageErase: boolean): void;
}

/** Strings the probe reports. */
export interface ProbeIdentity {
  /** DAPLink unique id (vendor 0x80, DAP_Info serial); starts with the board id. */
  readonly uniqueId: string;
  /** DAP_Info 0x05 … 0x08. */
  readonly deviceVendor: string;
  readonly deviceName: string;
  readonly boardVendor: string;
  readonly boardName: string;
}

const DAP_OK = 0x00;
const DAP_ERROR = 0xff;

/** The CMSIS-DAP command processor of one probe. */
export class DapProbe {
  port = 0;
  clockHz: number = DAP_TIMING.defaultSwjClockHz;
  readonly settings: TransferSettings = { idleCycles: 0, retry: 100, matchRetry: 0, matchMask: 0 };
  baudRate = 115200;
  #us = 0;
  #ones = 0;
  #resetHeld = false;
  /** Commands processed (statistics). */
  commands = 0;

  constructor(readonly target: DapTarget, readonly identity: ProbeIdentity) {}

  #charge(us: number): void {
    this.#us += us;
    this.target.advanceUs(us);
  }

  #swdUs(): number {
    const hz = Math.min(this.clockHz, DAP_TIMING.maxSwjClockHz);
    const bits = DAP_TIMING.swdTransferBits + this.settings.idleCycles;
    return (bits * 1e6) / hz + DAP_TIMING.transferOverheadUs;
  }

  readonly #swd = (request: number, data = 0) => {
    this.#charge(this.#swdUs());
    return this.target.dp.transfer(request & 0xf, data);
  };

  /** Runs one command packet; `response` is null for DAP_TransferAbort. */
  execute(
    packet: Uint8Array,
  ): { response: Uint8Array | null; us: number; overflow?: number } {
    this.#us = 0;
    this.commands++;
    this.#charge(DAP_TIMING.commandOverheadUs);
    if (packet[0] === 0x07) return { response: null, us: this.#us };
    const out = packet[0] === 0x7f ? this.#executeCommands(packet) : this.#command(packet).out;
    const response = new Uint8Array(DAP_TIMING.packetSize);
    response.set(out.slice(0, response.length));
    // The firmware does not bound responses: a request whose answer exceeds the report
    // overruns its buffer on real hardware. Report it so host bugs surface here.
    const overflow = out.length > response.length ? out.length : undefined;
    return { response, us: this.#us, overflow };
  }

  #executeCommands(req: Uint8Array): number[] {
    const n = req[1];
    const out = [0x7f, n];
    let p = 2;
    for (let i = 0; i < n && p < req.length; i++) {
      const r = this.#command(req.subarray(p));
      out.push(...r.out);
      p += r.consumed;
    }
    return out;
  }

  #info(id: number): number[] {
    const text = (s: string) => [...new TextEncoder().encode(s), 0];
    const ident = this.identity;
    switch (id) {
      case 0x01:
        return text("ARM");
      case 0x02:
        return text("DAPLink CMSIS-DAP");
      case 0x03:
        return text(ident.uniqueId);
      case 0x04:
        return text("2.1.0");
      case 0x05:
        return text(ident.deviceVendor);
      case 0x06:
        return text(ident.deviceName);
      case 0x07:
        return text(ident.boardVendor);
      case 0x08:
        return text(ident.boardName);
      case 0x09:
        return text("0257");
      case 0xf0:
        return [0x11, 0x00]; // SWD, atomic commands
      case 0xfe:
        return [DAP_TIMING.packetCount];
      case 0xff:
        return [DAP_TIMING.packetSize & 0xff, DAP_TIMING.packetSize >> 8];
      default:
        return [];
    }
  }

  #sequence(count: number, data: Uint8Array): void {
    for (let i = 0; i < count; i++) {
      if ((data[i >> 3] >> (i & 7)) & 1) {
        if (++this.#ones === 50) this.target.dp.lineReset();
      } else this.#ones = 0;
    }
    this.#charge((count * 1e6) / Math.min(this.clockHz, DAP_TIMING.maxSwjClockHz));
  }

  #command(req: Uint8Array): { out: number[]; consumed: number } {
    const id = req[0];
    const u32 = (at: number) =>
      (req[at] | (req[at + 1] << 8) | (req[at + 2] << 16) | (req[at + 3] << 24)) >>> 0;
    switch (id) {
      case 0x00: {
        const info = this.#info(req[1]);
        return { out: [0x00, info.length, ...info], consumed: 2 };
      }
      case 0x01:
        return { out: [0x01, req[1] <= 1 ? DAP_OK : DAP_ERROR], consumed: 3 };
      case 0x02: {
        const port = req[1] === 0 || req[1] === 1 ? 1 : 0;
        if (port) this.port = port;
        return { out: [0x02, port], consumed: 2 };
      }
      case 0x03:
        this.port = 0;
        return { out: [0x03, DAP_OK], consumed: 1 };
      case 0x04:
        this.settings.idleCycles = req[1];
        this.settings.retry = req[2] | (req[3] << 8);
        this.settings.matchRetry = req[4] | (req[5] << 8);
        return { out: [0x04, DAP_OK], consumed: 6 };
      case 0x05:
        return this.#transfer(req);
      case 0x06:
        return this.#transferBlock(req);
      case 0x08:
        if (this.port !== 1) return { out: [0x08, DAP_ERROR], consumed: 6 };
        this.#swd(0x00, u32(2)); // DP ABORT write
        return { out: [0x08, DAP_OK], consumed: 6 };
      case 0x09:
        this.#charge(req[1] | (req[2] << 8));
        return { out: [0x09, DAP_OK], consumed: 3 };
      case 0x0a:
        this.target.resetPin();
        this.#charge(DAP_TIMING.resetTargetUs);
        return { out: [0x0a, DAP_OK, 0x01], consumed: 1 };
      case 0x10:
        return { out: [0x10, this.#pins(req[1], req[2])], consumed: 7 };
      case 0x11: {
        const hz = u32(1);
        if (hz === 0) return { out: [0x11, DAP_ERROR], consumed: 5 };
        this.clockHz = hz;
        return { out: [0x11, DAP_OK], consumed: 5 };
      }
      case 0x12: {
        const count = req[1] === 0 ? 256 : req[1];
        this.#sequence(count, req.subarray(2));
        return { out: [0x12, DAP_OK], consumed: 2 + ((count + 7) >> 3) };
      }
      case 0x13:
        return { out: [0x13, DAP_OK], consumed: 2 };
      case 0x80: {
        const idBytes = [...new TextEncoder().encode(this.identity.uniqueId)];
        return { out: [0x80, idBytes.length, ...idBytes], consumed: 1 };
      }
      case 0x81: { // UART line coding: dwDTERate, bCharFormat, bParityType, bDataBits
        const b = this.baudRate;
        return {
          out: [0x81, b & 0xff, (b >> 8) & 0xff, (b >> 16) & 0xff, b >>> 24, 0, 0, 8],
          consumed: 1,
        };
      }
      case 0x82:
        this.baudRate = u32(1);
        return { out: [0x82, 0x01], consumed: 5 };
      case 0x83: // UART read: nothing received
        return { out: [0x83, 0], consumed: 1 };
      case 0x84: // UART write
        return { out: [0x84, 0x01], consumed: 2 + req[1] };
      case 0x89: // reset the target if auto-reset is off (it is)
        (this.target.resetRun ?? this.target.resetPin).call(this.target);
        this.#charge(DAP_TIMING.resetTargetUs);
        return { out: [0x89, 0x01], consumed: 1 };
      case 0x8a:
      case 0x8b:
      case 0x8c:
      case 0x8d:
        return this.#vendorFlash(req);
      default: // DAPLink answers unimplemented vendor commands with just their id
        return { out: [id >= 0x80 && id <= 0x9f ? id : 0xff], consumed: 1 };
    }
  }

  #vendorFlash(req: Uint8Array): { out: number[]; consumed: number } {
    const id = req[0];
    const flash = this.target.vendorFlash;
    const charge = (us: number) => this.#charge(us);
    const consumed = id === 0x8c ? 2 + req[1] : id === 0x8b ? 1 : 2;
    if (id === 0x8d) {
      flash?.selectEraseMode(req[1] !== 0);
      return { out: [0x8d, 0x00], consumed };
    }
    if (!flash) return { out: [id, 2], consumed }; // ERROR_INTERNAL: no drag-and-drop here
    const status = id === 0x8a
      ? flash.open(req[1], charge)
      : id === 0x8c
      ? flash.write(req.slice(2, 2 + req[1]), charge)
      : flash.close(charge);
    return { out: [id, status], consumed };
  }

  #pins(value: number, select: number): number {
    if (select & 0x80) {
      const assert = (value & 0x80) === 0;
      if (this.#resetHeld && !assert) this.target.resetPin();
      this.#resetHeld = assert;
    }
    return 0x03 | (this.#resetHeld ? 0 : 0x80);
  }

  #transfer(req: Uint8Array): { out: number[]; consumed: number } {
    let p = 2;
    for (let n = req[2] ?? 0, i = 0; i < n; i++) {
      const rq = req[++p];
      if (!(rq & 0x02) || rq & 0x10) p += 4;
    }
    const consumed = p + 1;
    if (this.port !== 1) return { out: [0x05, 0, 0], consumed };
    const r = swdTransfer(this.#swd, this.settings, req.subarray(1));
    return { out: [0x05, r.count, r.response, ...r.data], consumed };
  }

  #transferBlock(req: Uint8Array): { out: number[]; consumed: number } {
    const n = req[2] | (req[3] << 8);
    const consumed = req[4] & 0x02 ? 5 : 5 + 4 * n;
    if (this.port !== 1) return { out: [0x06, 0, 0, 0], consumed };
    const r = swdTransferBlock(this.#swd, this.settings, req.subarray(1));
    return { out: [0x06, r.count & 0xff, r.count >> 8, r.response, ...r.data], consumed };
  }
}
