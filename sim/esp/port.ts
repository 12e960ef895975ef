/**
 * The host end of the simulated serial line: a `SerialPortLike` whose streams carry the
 * chip's bytes, whose modem lines drive the chip's reset circuit, and whose baud rate must
 * match the chip's or the bytes turn to noise.
 *
 * @module
 */
import {
  type Clock,
  DeviceError,
  type SerialPortInfo,
  type SerialPortLike,
  type SerialSignals,
} from "../../kernel/mod.ts";
import { type EspDevice, garble } from "./device.ts";
import { TimedPipe } from "./link.ts";

/** Espressif USB VID and the USB-Serial-JTAG PID (esptool-js picks its reset from these). */
export const USB_JTAG_IDS = { usbVendorId: 0x303a, usbProductId: 0x1001 } as const;
/** A CP2102N-style USB-UART bridge, for chips wired through the classic circuit. */
export const BRIDGE_IDS = { usbVendorId: 0x10c4, usbProductId: 0xea60 } as const;

/** Options for {@link SimSerialPort}. */
export interface SimPortOptions {
  /** Initial host baud rate. */
  baudRate?: number;
  /** Address shown by getInfo(). */
  path?: string;
  /** Called once when the port closes. */
  onClose?: () => void;
  /** USB bridge latency per direction, ms (default: the timing table's). */
  latencyMs?: number;
}

/** An open port onto a simulated chip. */
export class SimSerialPort implements SerialPortLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  #baud: number;
  #toDevice: TimedPipe;
  #toHost: TimedPipe;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;

  constructor(
    readonly device: EspDevice,
    readonly clock: Clock,
    readonly options: SimPortOptions = {},
  ) {
    this.#baud = options.baudRate ?? 115200;
    device.useClock(clock);
    const latency = options.latencyMs;
    this.#toDevice = new TimedPipe(clock, (b, baud) => device.receive(b, baud), latency);
    this.#toHost = new TimedPipe(clock, (b, baud) => this.#deliver(b, baud), latency);
    device.attachTx((b, baud) => this.#toHost.send(b, baud));
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
      },
      cancel: () => {
        this.#toHost.close();
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (this.#closed) throw new DeviceError("write on a closed simulated port");
        this.#toDevice.send(chunk, this.#baud);
      },
    });
  }

  get baudRate(): number {
    return this.#baud;
  }

  setSignals(signals: SerialSignals): Promise<void> {
    if (!this.#closed) this.device.setLines(signals.dataTerminalReady, signals.requestToSend);
    return Promise.resolve();
  }

  setBaudRate(baudRate: number): Promise<void> {
    this.#baud = baudRate;
    return Promise.resolve();
  }

  getInfo(): SerialPortInfo {
    const ids = this.device.resetCircuit === "usb-jtag" ? USB_JTAG_IDS : BRIDGE_IDS;
    return { ...ids, path: this.options.path };
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.device.attachTx(undefined);
    this.#toDevice.close();
    this.#toHost.close();
    try {
      this.#controller.close();
    } catch {
      // already cancelled by the reader
    }
    this.options.onClose?.();
    return Promise.resolve();
  }

  #deliver(bytes: Uint8Array, baud: number): void {
    if (this.#closed) return;
    const data = baud === this.#baud ? bytes : garble(bytes);
    try {
      this.#controller.enqueue(data);
    } catch {
      // reader cancelled
    }
  }
}
