/**
 * One simulated ESP chip: reset circuit, boot, UART, and the loader loop that turns request
 * frames into replies with modelled timing.
 *
 * Modelling shortcut (the only one): we do not emulate Xtensa or RISC-V. When MEM_END asks
 * the ROM to jump to an entry point that lies inside RAM uploaded with MEM_DATA, the chip
 * switches to flasher-stub protocol semantics and sends the stub's "OHAI" greeting, whatever
 * the uploaded bytes were. A jump anywhere else crashes the chip until the next reset.
 *
 * @module
 */
import { type Clock, RealClock } from "../../kernel/mod.ts";
import { type EspChip, jedecId } from "./chips.ts";
import { NorFlash } from "./flash.ts";
import { dispatch } from "./loader.ts";
import { type LoaderHost, type LoaderState, romState } from "./loader_host.ts";
import { faultCode, type Outcome } from "./outcome.ts";
import { parseRequest, responsePacket, statusBytes } from "./protocol.ts";
import { readAck } from "./flashops.ts";
import { RegisterFile } from "./registers.ts";
import { SlipDecoder, slipEncode } from "./slip.ts";
import { ESP_TIMING, lineMs } from "./timing.ts";

/** What the chip is doing. */
export type ChipMode = "reset" | "booting" | "app" | "rom" | "stub" | "crashed";

/** Receives bytes the chip transmits, with the UART rate they were sent at. */
export type TxSink = (bytes: Uint8Array, baud: number) => void;

/** Options for {@link EspDevice}. */
export interface EspDeviceOptions {
  /** Flash size in bytes (default: the chip's). */
  flashSize?: number;
  /** Initial flash contents. */
  flashImage?: Uint8Array;
  /** Reset wiring: the classic two-transistor DTR/RTS circuit or USB-Serial-JTAG. */
  resetCircuit?: "classic" | "usb-jtag";
  /** Secure Download Mode eFuse burnt (ESP32-S2 and later). */
  secureDownload?: boolean;
}

/** ROM UART rate after reset. */
export const ROM_BAUD = 115200;

/** A record of one handled command, for tests and diagnostics. */
export interface CommandRecord {
  /** Opcode. */
  op: number;
  /** Loader that handled it. */
  loader: "rom" | "stub";
  /** Status code sent (0 = success). */
  status: number;
}

/** A simulated ESP chip with its flash. */
export class EspDevice implements LoaderHost {
  readonly flash: NorFlash;
  readonly regs: RegisterFile;
  /** Clock for modelled durations; a connection sets its own. */
  clock: Clock = new RealClock();
  /** Current state. */
  mode: ChipMode = "app";
  /** Commands handled since creation (most recent last, capped). */
  readonly history: CommandRecord[] = [];
  /** Failure injection: this many upcoming replies are lost on the way to the host. */
  dropReplies = 0;
  readonly resetCircuit: "classic" | "usb-jtag";
  readonly secureDownload: boolean;
  #baud = ROM_BAUD;
  #autobaud = true;
  #synced = false;
  #state: LoaderState = romState();
  #decoder = new SlipDecoder();
  #queue: Uint8Array[] = [];
  #running = false;
  #busyUntil = 0;
  #gen = 0;
  #sink: TxSink | undefined;
  #dtr = false;
  #rts = false;
  #usbDownloadLatch = false;
  #strapHeld = false;
  #lastReplyBytes = 0;
  #stubEntry: number | undefined;

  constructor(readonly chip: EspChip, options: EspDeviceOptions = {}) {
    this.flash = new NorFlash(options.flashSize ?? chip.flashSize, options.flashImage);
    this.flash.dirty = false;
    this.regs = new RegisterFile(chip, () => jedecId(this.flash.size), () => this.#baud);
    this.resetCircuit = options.resetCircuit ?? "classic";
    this.secureDownload = options.secureDownload ?? false;
    if (this.secureDownload && chip.romSecurityInfo === "unsupported") {
      throw new RangeError(`${chip.name} has no Secure Download Mode`);
    }
  }

  /**
   * Makes `clock` the chip's time source (each connection brings its run's clock). Work
   * scheduled on a previous clock cannot carry over: its times mean nothing on the new one.
   */
  useClock(clock: Clock): void {
    if (clock === this.clock) return;
    this.clock = clock;
    this.#busyUntil = 0;
  }

  /** Current UART rate of the chip. */
  baud(): number {
    return this.#baud;
  }

  /** True when the flasher stub (not the ROM) is answering. */
  get stubRunning(): boolean {
    return this.mode === "stub";
  }

  /** Connects the chip's TX line to `sink` (or disconnects it). */
  attachTx(sink: TxSink | undefined): void {
    this.#sink = sink;
  }

  /**
   * Powers up with the boot strapping pin held at its download level (a board strapped for
   * download, or BOOT held on a pty with no modem lines): every reset, software resets
   * included, comes back in the ROM loader until {@link holdBootStrap} releases it.
   */
  bootDownload(): void {
    this.#strapHeld = true;
    this.#boot(true);
  }

  /**
   * Holds (true) or releases the boot strapping pin (GPIO0 on ESP32/S2/S3, GPIO9 on the
   * C-series and H2); the ROM samples it at the next reset.
   */
  holdBootStrap(held: boolean): void {
    this.#strapHeld = held;
  }

  /** True when a reset now would start the ROM loader (download boot). */
  get strapsSelectDownload(): boolean {
    return this.#strapHeld || (this.resetCircuit === "classic" && this.#dtr && !this.#rts);
  }

  /**
   * Drives DTR/RTS as the host's modem lines (asserted = true). Classic circuit: the chip is
   * held in reset while RTS is asserted; on release it samples IO0, which is low (download
   * mode) when DTR is asserted. USB-Serial-JTAG: DTR=1/RTS=0 arms download mode, RTS=1/DTR=0
   * resets, and the chip boots when RTS drops.
   */
  setLines(dtr: boolean | undefined, rts: boolean | undefined): void {
    const wasReset = this.mode === "reset";
    if (dtr !== undefined) this.#dtr = dtr;
    if (rts !== undefined) this.#rts = rts;
    if (this.resetCircuit === "classic") {
      if (this.#rts) this.#holdReset();
      else if (wasReset) this.#boot(this.#dtr || this.#strapHeld);
      return;
    }
    if (this.#dtr && !this.#rts) this.#usbDownloadLatch = true;
    if (this.#rts && !this.#dtr) this.#holdReset();
    else if (wasReset && !this.#rts) {
      const download = this.#usbDownloadLatch || this.#strapHeld;
      this.#usbDownloadLatch = false;
      this.#boot(download);
    }
  }

  /** Bytes arriving on the chip's RX line, sent by the host at `hostBaud`. */
  receive(bytes: Uint8Array, hostBaud: number): void {
    if (this.mode !== "rom" && this.mode !== "stub") return;
    if (hostBaud !== this.#baud) {
      // The ROM measures the rate of the first traffic after reset (auto-baud).
      if (this.mode === "rom" && this.#autobaud) this.#baud = hostBaud;
      else bytes = garble(bytes);
    }
    this.#autobaud = false;
    this.#queue.push(...this.#decoder.push(bytes));
    void this.#run();
  }

  // --- LoaderHost -------------------------------------------------------------------------

  setBaud(baud: number): void {
    this.#baud = baud;
    this.#autobaud = false;
    this.#decoder.reset();
  }

  sendFrame(payload: Uint8Array): void {
    this.#transmit(slipEncode(payload));
  }

  leave(runApp: boolean): void {
    if (runApp) {
      // The loader is gone: anything still queued for it is never read.
      this.#queue = [];
      this.#enterApp(++this.#gen);
      return;
    }
    // A reboot is the ROM's software_reset(): the stub first drains its reply from the UART
    // and waits 10 ms; what arrives meanwhile is lost. The reset samples the straps again
    // (a USB-Serial-JTAG download request only applies to the reset it triggers).
    const gen = ++this.#gen;
    const drainMs = this.#state.stub
      ? lineMs(this.#lastReplyBytes, this.#baud) + ESP_TIMING.stubRebootDelayMs
      : 0;
    this.mode = "booting";
    this.#queue = [];
    this.clock.sleep(drainMs).then(() => {
      if (gen === this.#gen) this.#boot(this.strapsSelectDownload, "software");
    });
  }

  jump(entry: number): void {
    const inRam = this.#state.ram.some(([a, b]) => entry >= a && entry < b);
    const gen = this.#gen;
    if (!inRam) {
      this.mode = "crashed";
      this.#transmitText("Guru Meditation Error: Core  0 panic'ed (IllegalInstruction)\r\n");
      return;
    }
    this.mode = "booting";
    this.#stubEntry = entry;
    this.clock.sleep(ESP_TIMING.stubStartMs).then(() => {
      if (gen !== this.#gen) return;
      this.#state = { ...romState(), stub: true, attached: true, flashLimit: this.flash.size };
      this.mode = "stub";
      this.sendFrame(new TextEncoder().encode("OHAI"));
    });
  }

  // --- internals --------------------------------------------------------------------------

  #holdReset(): void {
    if (this.mode === "reset") return;
    this.#gen++;
    this.mode = "reset";
    this.#queue = [];
    this.#state.write?.inflater?.close();
  }

  #boot(download: boolean, cause: "power-on" | "software" = "power-on"): void {
    const gen = ++this.#gen;
    this.mode = "booting";
    this.#baud = ROM_BAUD;
    this.#autobaud = true;
    this.#synced = false;
    this.#state.write?.inflater?.close();
    this.#state = romState(this.secureDownload);
    this.#decoder.reset();
    this.#queue = [];
    this.#busyUntil = 0;
    this.regs.reset();
    this.clock.sleep(ESP_TIMING.bootBannerMs).then(() => {
      if (gen !== this.#gen) return;
      const c = this.chip;
      const reset = cause === "software" ? c.softwareReset : c.powerOnReset;
      let text = `${c.romHeader}${reset},${download ? c.downloadBoot : c.flashBoot}\r\n`;
      if (cause === "software" && c.romHeader.startsWith("ESP-ROM:")) {
        // Where the core was when reset: in the stub, if one ran (assumption: its entry).
        const pc = this.#stubEntry ?? 0x40000400;
        text += `Saved PC:0x${pc.toString(16).padStart(8, "0")}\r\n`;
      }
      this.#stubEntry = undefined;
      this.#transmitText(text);
      if (download) {
        this.mode = "rom";
        this.#transmitText("waiting for download\r\n");
      } else {
        this.#enterApp(gen);
      }
    });
  }

  #enterApp(gen: number): void {
    if (gen !== this.#gen) return;
    this.mode = "app";
    const off = this.chip.bootloaderOffset;
    const magic = this.flash.bytes[off];
    if (magic !== 0xe9) {
      const w = new DataView(this.flash.bytes.buffer, off, 4).getUint32(0, true);
      this.#transmitText(`invalid header: 0x${w.toString(16).padStart(8, "0")}\r\n`);
    }
  }

  #transmitText(text: string): void {
    this.#transmit(new TextEncoder().encode(text));
  }

  #transmit(bytes: Uint8Array): void {
    this.#sink?.(bytes, this.#baud);
  }

  async #run(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length) {
        const gen = this.#gen;
        const frame = this.#queue.shift()!;
        const wait = this.#busyUntil - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        if (gen !== this.#gen) continue;
        await this.#handle(frame, gen);
      }
    } finally {
      this.#running = false;
    }
  }

  async #handle(frame: Uint8Array, gen: number): Promise<void> {
    const s = this.#state;
    if (s.stub && readAck(this, s, frame)) return;
    const req = parseRequest(frame);
    if (!req) {
      // esp-flasher-stub answers a response-direction packet with "invalid command".
      if (s.stub && frame.length >= 8) this.#reply(frame[1], { code: 0xc3 }, s.stub);
      return; // the ROM ignores anything that is not a request
    }
    if (!s.stub && !this.#synced && req.op !== 0x08) return; // ROM waits for SYNC first
    const out: Outcome = req.size !== req.data.length
      ? { fault: "length" } // the header's size must match what followed it
      : await dispatch(this, s, req);
    if (gen !== this.#gen) return;
    if (req.op === 0x08 && !out.silent) this.#synced = true;
    if (out.preMs) await this.clock.sleep(out.preMs);
    if (gen !== this.#gen) return;
    this.#reply(req.op, out, s.stub);
    this.#busyUntil = this.clock.now() + (out.postMs ?? 0);
    out.after?.();
  }

  #reply(op: number, out: Outcome, stub: boolean): void {
    const code = out.fault ? faultCode(out.fault, stub) : out.code;
    this.#record(op, stub, code ?? 0);
    if (out.silent) return;
    const st = statusBytes(stub ? this.chip.stubStatusBytes : this.chip.romStatusBytes, code);
    const body = new Uint8Array((out.data?.length ?? 0) + st.length);
    if (out.data) body.set(out.data);
    body.set(st, body.length - st.length);
    const packet = slipEncode(responsePacket(out.op ?? op, out.value ?? 0, body));
    this.#lastReplyBytes = packet.length * (out.repeat ?? 1);
    if (this.dropReplies > 0) this.dropReplies--;
    else for (let i = 0; i < (out.repeat ?? 1); i++) this.#transmit(packet);
  }

  #record(op: number, stub: boolean, status: number): void {
    this.history.push({ op, loader: stub ? "stub" : "rom", status });
    if (this.history.length > 10000) this.history.splice(0, 5000);
  }
}

/** What a UART sampling at the wrong rate makes of the bytes: noise, never a SLIP END. */
export function garble(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => {
    const g = (b * 37 + 11) & 0xff;
    return g === 0xc0 || g === 0xdb ? 0x00 : g;
  });
}
