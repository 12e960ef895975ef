/**
 * The `sim:` serial transport for simulated ESP chips. Addresses: `sim:<chip>` with optional
 * query parameters `state=/path.bin` (persist flash in a file), `flash=4MB` (flash size),
 * `usb=jtag|uart` (reset wiring), `boot=download` (power up in download mode) and `sdm=1`
 * (Secure Download Mode, S2 and later). Failure
 * injection for host tests: `stuck=0x10000,0x10001` (flash cells whose bits cannot be
 * cleared, so a verify fails) and `drop=N` (lose the next N replies; a repeated burst counts
 * once). Options other than `state` only apply when the bank creates the device (the first
 * open of that chip).
 *
 * @module
 */
import {
  DeviceError,
  type OpenOptions,
  parseSize,
  type Plugin,
  type RunContext,
  type TransportProvider,
  UsageError,
} from "../../kernel/mod.ts";
import { ESP_CHIPS, type EspChip, findChip } from "./chips.ts";
import { EspDevice } from "./device.ts";
import { SimSerialPort } from "./port.ts";

/** A parsed `sim:` address. */
export interface EspSimAddress {
  /** The chip. */
  chip: EspChip;
  /** Flash size in bytes. */
  flashSize: number;
  /** File that persists the flash, if any. */
  statePath?: string;
  /** Reset wiring. */
  resetCircuit: "classic" | "usb-jtag";
  /** Power up in download mode instead of running the app. */
  bootDownload: boolean;
  /** Flash cells stuck at 1. */
  stuck: number[];
  /** Replies to lose. */
  dropReplies: number;
  /** Secure Download Mode. */
  secureDownload: boolean;
  /** Key under which the bank keeps the device. */
  key: string;
}

/** Parses a `sim:` address; `target` names the chip when the address does not. */
export function parseSimAddress(address: string, target?: string): EspSimAddress {
  const body = address.replace(/^sim:/i, "");
  const [name, query = ""] = body.split("?", 2);
  const chip = findChip(name || target || "");
  const known = Object.keys(ESP_CHIPS).join(", ");
  if (!chip) {
    throw new UsageError(`unknown simulated ESP chip '${name || target || ""}'`, {
      hint: `use sim:<chip> with one of: ${known}`,
    });
  }
  const params = new URLSearchParams(query);
  let flashSize = chip.flashSize;
  const flash = params.get("flash");
  if (flash !== null) {
    const n = parseSize(flash);
    if (!n || n % 0x10000 || n & (n - 1)) {
      throw new UsageError(`bad flash size '${flash}' in ${address}`, {
        hint: "use a power of two of at least 64KB, e.g. flash=4MB",
      });
    }
    flashSize = n;
  }
  const usb = params.get("usb") ?? (chip.usbJtagSerial ? "jtag" : "uart");
  if (usb !== "jtag" && usb !== "uart") {
    throw new UsageError(`bad usb='${usb}' in ${address}`, { hint: "use usb=jtag or usb=uart" });
  }
  if (usb === "jtag" && !chip.usbJtagSerial) {
    throw new UsageError(`${chip.name} has no USB-Serial-JTAG`, { hint: "use usb=uart" });
  }
  const stuck = (params.get("stuck") ?? "").split(",").filter(Boolean).map(Number);
  const dropReplies = Number(params.get("drop") ?? 0);
  if (stuck.some((n) => !Number.isInteger(n) || n < 0 || n >= flashSize)) {
    throw new UsageError(`bad stuck= list in ${address}`, { hint: "e.g. stuck=0x10000,0x10001" });
  }
  if (!Number.isInteger(dropReplies) || dropReplies < 0) {
    throw new UsageError(`bad drop= count in ${address}`, { hint: "e.g. drop=1" });
  }
  const secureDownload = params.get("sdm") === "1";
  if (secureDownload && chip.romSecurityInfo === "unsupported") {
    throw new UsageError(`${chip.name} has no Secure Download Mode`, { hint: "drop sdm=1" });
  }
  const statePath = params.get("state") ?? undefined;
  const resetCircuit = usb === "jtag" ? "usb-jtag" : "classic";
  return {
    chip,
    flashSize,
    statePath,
    resetCircuit,
    bootDownload: params.get("boot") === "download",
    stuck,
    dropReplies,
    secureDownload,
    key: `${chip.id}|${statePath ?? ""}`,
  };
}

/** Keeps one simulated chip per address alive across opens, so tests can inspect them. */
export class EspSimBank {
  readonly #devices = new Map<string, EspDevice>();
  readonly #paths = new Map<EspDevice, string>();
  readonly #open = new Set<EspDevice>();

  /** `latencyMs`: USB bridge latency per direction for every port this bank opens. */
  constructor(readonly options: { readonly latencyMs?: number } = {}) {}

  /** The device for an address, created (and loaded from its state file) on first use. */
  async device(address: string, target?: string): Promise<EspDevice> {
    const a = parseSimAddress(address, target);
    const existing = this.#devices.get(a.key);
    if (existing) return existing;
    let image: Uint8Array | undefined;
    if (a.statePath) {
      try {
        image = await Deno.readFile(a.statePath);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    const dev = new EspDevice(a.chip, {
      flashSize: a.flashSize,
      flashImage: image,
      resetCircuit: a.resetCircuit,
      secureDownload: a.secureDownload,
    });
    for (const addr of a.stuck) dev.flash.stuckCells.add(addr);
    dev.dropReplies = a.dropReplies;
    if (a.bootDownload) dev.bootDownload();
    this.#devices.set(a.key, dev);
    if (a.statePath) this.#paths.set(dev, a.statePath);
    return dev;
  }

  /** All devices created so far. */
  devices(): EspDevice[] {
    return [...this.#devices.values()];
  }

  /** Opens a port onto the device for `address`; one open port per device at a time. */
  async open(ctx: RunContext, address: string, options: OpenOptions = {}): Promise<SimSerialPort> {
    const dev = await this.device(address, options.target);
    if (this.#open.has(dev)) {
      throw new DeviceError(`${address} is already open`, {
        hint: "close the other connection to this simulated chip first",
      });
    }
    this.#open.add(dev);
    return new SimSerialPort(dev, ctx.clock, {
      baudRate: options.baudRate,
      path: address,
      latencyMs: this.options.latencyMs,
      onClose: () => {
        this.#open.delete(dev);
        this.save(dev);
      },
    });
  }

  /** Writes a device's flash to its state file if it changed (synchronously, so a CLI that
   * closes its port and exits keeps the result). */
  save(dev: EspDevice): void {
    const path = this.#paths.get(dev);
    if (!path || !dev.flash.dirty) return;
    dev.flash.dirty = false;
    Deno.writeFileSync(path, dev.flash.bytes);
  }
}

/** The bank the built-in plugin uses: one simulated chip per address for the whole process. */
export const sharedEspSimBank: EspSimBank = new EspSimBank();

/** Registers the `sim:` serial transport; pass a bank to keep a test's devices apart. */
export function espSim(bank: EspSimBank = sharedEspSimBank): Plugin {
  return (host) => {
    const provider: TransportProvider<"serial"> = {
      scheme: "sim",
      kind: "serial",
      description: "simulated ESP32-family chip (ROM loader + flasher stub)",
      open: (ctx, address, options) => bank.open(ctx, address, options),
    };
    host.registerTransport(provider);
  };
}
