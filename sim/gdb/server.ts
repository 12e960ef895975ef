/**
 * A gdbserver for a simulated nRF (as OpenOCD or pyOCD would serve a real one over SWD):
 * memory through the debugger's bus accesses (flash writes go through the NVMC), core
 * registers through DCRSR/DCRDR semantics, halt/resume through DHCSR, software breakpoints
 * as `bkpt` halfwords patched into RAM, and `c`/`vCont;c` running the core on the run's
 * clock until it halts. The m-profile target description numbers xPSR 25, as QEMU does.
 *
 * @module
 */
import type { NrfDevice } from "../nrf/device.ts";
import { ClientParser, frame, fromHex, toHex, unescape } from "./rsp.ts";

/** What the server needs of a clock (the run's, so device time follows virtual time). */
export interface ServerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The byte stream a host connects to. */
export interface ServerStream {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  close(): Promise<void>;
}

const DHCSR = 0xe000edf0;
const DBGKEY = 0xa05f0000, C_DEBUGEN = 1, C_HALT = 2;
const XPSR_REGNUM = 25;
const REG_ORDER = [...Array(16).keys(), XPSR_REGNUM];
const PACKET_SIZE = 0x1000;
/** Device time the core runs per step of the run's clock while continuing, ms. */
const RUN_STEP_MS = 1;

const TARGET_XML = '<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd">' +
  '<target><architecture>arm</architecture><feature name="org.gnu.gdb.arm.m-profile">' +
  Array.from({ length: 13 }, (_, i) => `<reg name="r${i}" bitsize="32"/>`).join("") +
  '<reg name="sp" bitsize="32" type="data_ptr"/><reg name="lr" bitsize="32"/>' +
  '<reg name="pc" bitsize="32" type="code_ptr"/>' +
  `<reg name="xpsr" bitsize="32" regnum="${XPSR_REGNUM}"/></feature></target>`;

/** One client connection to the simulated core. */
export class SimGdbServer {
  /** The host's end of the connection. */
  readonly stream: ServerStream;
  /** Packets received (for tests). */
  readonly received: string[] = [];
  readonly #parser = new ClientParser();
  readonly #breakpoints = new Map<number, number>();
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #ackMode = true;
  #running = false;
  #closed = false;

  constructor(readonly device: NrfDevice, readonly clock: ServerClock) {
    this.stream = {
      readable: new ReadableStream<Uint8Array>({ start: (c) => void (this.#controller = c) }),
      writable: new WritableStream<Uint8Array>({ write: (chunk) => this.#receive(chunk) }),
      close: () => {
        this.disconnect();
        return Promise.resolve();
      },
    };
    // Attaching halts the core with debug enabled, as a gdbserver does on connect.
    this.#debugWrite(DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
  }

  /** Drops the connection (the target keeps its state; breakpoints are removed). */
  disconnect(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#running = false;
    for (const a of [...this.#breakpoints.keys()]) this.#removeBreakpoint(a);
    try {
      this.#controller.close();
    } catch { /* reader gone */ }
  }

  #send(bytes: Uint8Array): void {
    if (this.#closed) return;
    try {
      this.#controller.enqueue(bytes);
    } catch { /* reader gone */ }
  }

  #reply(payload: string): void {
    this.#send(frame(payload));
  }

  #receive(chunk: Uint8Array): void {
    for (const ev of this.#parser.push(chunk)) {
      if (ev.kind === "interrupt") {
        if (this.#running) this.#halt("T02");
        continue;
      }
      if (ev.kind !== "packet") continue;
      if (this.#ackMode) this.#send(Uint8Array.of(ev.valid ? 0x2b : 0x2d));
      if (!ev.valid) continue;
      let text = "";
      for (const b of ev.payload) text += String.fromCharCode(b);
      this.received.push(text.length > 40 ? text.slice(0, 40) : text);
      const reply = this.#handle(text, ev.payload);
      if (reply !== undefined) this.#reply(reply);
    }
  }

  #handle(p: string, raw: Uint8Array): string | undefined {
    if (p.startsWith("qSupported")) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+`;
    }
    if (p === "QStartNoAckMode") {
      this.#reply("OK");
      this.#ackMode = false;
      return undefined;
    }
    if (p.startsWith("qXfer:features:read:target.xml:")) {
      const [off, len] = p.slice(31).split(",").map((x) => parseInt(x, 16));
      const part = TARGET_XML.slice(off, off + len);
      return (off + len >= TARGET_XML.length ? "l" : "m") + part;
    }
    if (p === "vCont?") return "vCont;c;C;s;S";
    if (p === "?") return this.device.cpu.halted ? "S05" : "S00";
    if (p === "qAttached") return "1";
    if (p.startsWith("H")) return "OK";
    if (p.startsWith("qRcmd,")) return "OK";
    if (p === "D") {
      this.#reply("OK");
      this.disconnect();
      return undefined;
    }
    if (p === "k") {
      this.disconnect();
      return undefined;
    }
    if (p === "c" || p.startsWith("vCont;c")) {
      this.#resume();
      return undefined;
    }
    if (p === "g") return REG_ORDER.map((n) => toHex(le32(this.#readReg(n)))).join("");
    if (p[0] === "p") return this.#regOrError(parseInt(p.slice(1), 16), undefined);
    if (p[0] === "P") {
      const [n, v] = p.slice(1).split("=");
      const bytes = fromHex(v ?? "");
      if (!bytes || bytes.length !== 4) return "E01";
      return this.#regOrError(
        parseInt(n, 16),
        bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24,
      );
    }
    if (p[0] === "m") {
      const [a, n] = p.slice(1).split(",").map((x) => parseInt(x, 16));
      const bytes = this.#readMemory(a, Math.min(n, PACKET_SIZE / 2));
      return bytes ? toHex(bytes) : "E01";
    }
    if (p[0] === "M" || p[0] === "X") {
      const colon = raw.indexOf(0x3a);
      const [a, n] = p.slice(1, colon).split(",").map((x) => parseInt(x, 16));
      const body = raw.subarray(colon + 1);
      const data = p[0] === "X" ? unescape(body) : fromHex(p.slice(colon + 1));
      if (!data || data.length !== n) return "E02";
      return this.#writeMemory(a, data) ? "OK" : "E01";
    }
    if (p.startsWith("Z0,") || p.startsWith("z0,")) {
      const a = parseInt(p.slice(3).split(",")[0], 16);
      if (p[0] === "Z") return this.#insertBreakpoint(a) ? "OK" : "E01";
      this.#removeBreakpoint(a);
      return "OK";
    }
    return ""; // not supported
  }

  #regOrError(n: number, value: number | undefined): string {
    const core = n === XPSR_REGNUM ? 16 : n;
    if (!(core >= 0 && core <= 16)) return "E00";
    if (value === undefined) return toHex(le32(this.#readReg(n)));
    this.device.cpu.writeCoreRegister(core, value >>> 0);
    return "OK";
  }

  #readReg(n: number): number {
    return this.device.cpu.readCoreRegister(n === XPSR_REGNUM ? 16 : n) >>> 0;
  }

  /** A debugger access, waiting out the NVMC when it is busy (the SWD WAIT loop). */
  #access(
    fn: () => { ok: true; value: number } | { ok: false; wait: boolean },
  ): number | undefined {
    for (let k = 0; k < 100_000; k++) {
      const r = fn();
      if (r.ok) return r.value;
      if (!r.wait) return undefined;
      this.device.advanceBy(0.01);
    }
    return undefined;
  }

  #debugWrite(address: number, value: number): boolean {
    return this.#access(() => this.device.debugWrite(address, 4, value >>> 0)) !== undefined;
  }

  #readMemory(address: number, length: number): Uint8Array | undefined {
    const out = new Uint8Array(length);
    for (let i = 0; i < length;) {
      const a = address + i;
      if (a % 4 === 0 && i + 4 <= length) {
        const v = this.#access(() => this.device.debugRead(a, 4));
        if (v === undefined) return undefined;
        out.set(le32(v), i);
        i += 4;
      } else {
        const v = this.#access(() => this.device.debugRead(a, 1));
        if (v === undefined) return undefined;
        out[i++] = v;
      }
    }
    return out;
  }

  #writeMemory(address: number, data: Uint8Array): boolean {
    for (let i = 0; i < data.length;) {
      const a = address + i;
      if (a % 4 === 0 && i + 4 <= data.length) {
        const v = data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24;
        if (!this.#debugWrite(a, v)) return false;
        i += 4;
      } else {
        const b = data[i];
        if (this.#access(() => this.device.debugWrite(a, 1, b)) === undefined) return false;
        i++;
      }
    }
    return true;
  }

  #insertBreakpoint(address: number): boolean {
    if (this.#breakpoints.has(address)) return true;
    const old = this.#access(() => this.device.debugRead(address, 2));
    if (old === undefined) return false;
    if (this.#access(() => this.device.debugWrite(address, 2, 0xbe00)) === undefined) return false;
    // Flash cannot take a patched halfword: only RAM breakpoints are software ones.
    if (this.#access(() => this.device.debugRead(address, 2)) !== 0xbe00) return false;
    this.#breakpoints.set(address, old);
    return true;
  }

  #removeBreakpoint(address: number): void {
    const old = this.#breakpoints.get(address);
    if (old === undefined) return;
    this.#breakpoints.delete(address);
    this.#access(() => this.device.debugWrite(address, 2, old));
  }

  #resume(): void {
    this.#debugWrite(DHCSR, DBGKEY | C_DEBUGEN);
    this.#running = true;
    void this.#run();
  }

  #halt(stop: string): void {
    this.#debugWrite(DHCSR, DBGKEY | C_DEBUGEN | C_HALT);
    this.#running = false;
    this.#reply(stop);
  }

  async #run(): Promise<void> {
    const cpu = this.device.cpu;
    while (this.#running && !this.#closed) {
      await this.clock.sleep(RUN_STEP_MS);
      if (!this.#running || this.#closed) return;
      this.device.advanceBy(RUN_STEP_MS);
      if (cpu.halted) {
        this.#running = false;
        this.#reply("T05swbreak:;");
      }
    }
  }
}

function le32(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
}
