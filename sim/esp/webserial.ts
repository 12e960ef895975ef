/**
 * A WebSerial `SerialPort`-shaped adapter over the simulator, for clients written against
 * the browser API (esptool-js's `Transport`). `open()` makes a fresh connection each time,
 * as a browser port does after `close()`.
 *
 * @module
 */
import type { RunContext } from "../../kernel/mod.ts";
import type { EspSimBank } from "./plugin.ts";
import type { SimSerialPort } from "./port.ts";

/** WebSerial open options (only the rate matters here). */
export interface WebSerialOpenOptions {
  /** Line rate. */
  baudRate: number;
}

/** WebSerial-shaped port onto one simulated chip. */
export class WebSerialSimPort {
  #port: SimSerialPort | undefined;
  #info: { usbVendorId?: number; usbProductId?: number } = {};

  constructor(readonly bank: EspSimBank, readonly ctx: RunContext, readonly address: string) {}

  /** Looks the device up early so getInfo() works before open(), as in a browser. */
  async init(): Promise<this> {
    const dev = await this.bank.device(this.address);
    this.#info = dev.resetCircuit === "usb-jtag"
      ? { usbVendorId: 0x303a, usbProductId: 0x1001 }
      : { usbVendorId: 0x10c4, usbProductId: 0xea60 };
    return this;
  }

  /** Opens the line at `baudRate`. */
  async open(options: WebSerialOpenOptions): Promise<void> {
    if (this.#port) throw new DOMException("port already open", "InvalidStateError");
    this.#port = await this.bank.open(this.ctx, this.address, { baudRate: options.baudRate });
  }

  /** Bytes from the chip, or null when closed. */
  get readable(): ReadableStream<Uint8Array> | null {
    return this.#port?.readable ?? null;
  }

  /** Bytes to the chip, or null when closed. */
  get writable(): WritableStream<Uint8Array> | null {
    return this.#port?.writable ?? null;
  }

  /** Sets DTR/RTS. */
  async setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean }): Promise<void> {
    await this.#port?.setSignals(s);
  }

  /** USB ids of the (simulated) bridge. */
  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return this.#info;
  }

  /** Closes the line. */
  async close(): Promise<void> {
    const p = this.#port;
    this.#port = undefined;
    await p?.close();
  }
}
