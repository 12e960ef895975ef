/**
 * Transport contracts. Targets talk to these interfaces only, so a real port, a network
 * port and a simulator are interchangeable.
 *
 * @module
 */
import type { RunContext } from "./context.ts";

/** Modem-control lines, as in WebSerial's `SerialOutputSignals`. */
export interface SerialSignals {
  /** Data Terminal Ready (asserted = true). */
  dataTerminalReady?: boolean;
  /** Request To Send (asserted = true). */
  requestToSend?: boolean;
  /** Break condition. */
  break?: boolean;
}

/** Identity of a serial port (WebSerial's `SerialPortInfo` plus a path). */
export interface SerialPortInfo {
  /** USB vendor id, if USB. */
  usbVendorId?: number;
  /** USB product id, if USB. */
  usbProductId?: number;
  /** Device path or address the port was opened with. */
  path?: string;
}

/**
 * A WebSerial-shaped, already-open byte port. Implemented by the FFI serial port, network
 * ports (RFC2217, raw TCP) and the in-process simulators.
 */
export interface SerialPortLike {
  /** Bytes from the device. One reader at a time. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the device. One writer at a time. */
  readonly writable: WritableStream<Uint8Array>;
  /** Sets modem lines; throws a DeviceError where the port cannot carry them. */
  setSignals(signals: SerialSignals): Promise<void>;
  /** Changes the line rate (the host side of a CHANGE_BAUDRATE). */
  setBaudRate(baudRate: number): Promise<void>;
  /** Current line rate. */
  readonly baudRate: number;
  /** Port identity. */
  getInfo(): SerialPortInfo;
  /** Releases the port; pending reads end. */
  close(): Promise<void>;
}

/** A CMSIS-DAP v1 packet link (HID reports, a WebSocket proxy, or the simulator). */
export interface DapPacketLink {
  /** Report size in bytes (64 for full-speed HID). */
  readonly packetSize: number;
  /** Sends one command packet (without a HID report id). */
  write(packet: Uint8Array): Promise<void>;
  /** Receives the next response packet. */
  read(timeoutMs?: number): Promise<Uint8Array>;
  /** Releases the link. */
  close(): Promise<void>;
}

/** A plain bidirectional byte stream (a TCP socket, or a serial port used as one). */
export interface ByteStream {
  /** Bytes from the peer. One reader at a time. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. One writer at a time. */
  readonly writable: WritableStream<Uint8Array>;
  /** Releases the stream; pending reads end. */
  close(): Promise<void>;
}

/** The kinds of link a transport provider can open. */
export interface TransportKinds {
  /** Byte stream with modem lines. */
  serial: SerialPortLike;
  /** CMSIS-DAP packets. */
  dap: DapPacketLink;
  /** GDB remote serial protocol byte stream (gdbserver over TCP, Black Magic Probe port). */
  gdb: ByteStream;
}

/** Name of a transport kind. */
export type TransportKind = keyof TransportKinds;

/** Options passed when opening a transport. */
export interface OpenOptions {
  /** Initial baud rate for serial links. */
  baudRate?: number;
  /** Target name the link is for, when known (a simulator picks its chip from it). */
  target?: string;
}

/**
 * Opens links for addresses of one scheme, e.g. `sim:` or `rfc2217://`. Plain device
 * paths use the scheme `file`.
 */
export interface TransportProvider<K extends TransportKind = TransportKind> {
  /** URL-like scheme without the colon: `sim`, `rfc2217`, `socket`, `file`, `hid`, `ws`. */
  readonly scheme: string;
  /** Link kind this provider opens. */
  readonly kind: K;
  /** One-line description. */
  readonly description?: string;
  /** Opens `address` (the whole string the user gave, scheme included). */
  open(ctx: RunContext, address: string, options: OpenOptions): Promise<TransportKinds[K]>;
}

/** Scheme of a port/probe address: `sim:esp32` → `sim`; `/dev/ttyUSB0` → `file`. */
export function schemeOf(address: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(address);
  if (!m || address.startsWith("/") || /^[a-z]:\\/i.test(address)) return "file";
  return m[1].toLowerCase();
}
