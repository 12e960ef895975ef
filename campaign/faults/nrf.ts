/**
 * The nRF family: a micro:bit (V1 nRF51822 or V2 nRF52833) holding one MakeCode program is
 * updated with a window of another (real Universal Hex files from the firmware corpus, plus
 * an edit) through the simulated DAPLink, while the probe link or the chip misbehaves once.
 *
 * @module
 */
import {
  createContext,
  flash,
  type Plugin,
  Registry,
  type TransportProvider,
  VirtualClock,
} from "../../kernel/mod.ts";
import { parseIntelHex, selectSection } from "../../plugins/formats/ihex.ts";
import { formats } from "../../plugins/formats/mod.ts";
import { hashes } from "../../plugins/hash/mod.ts";
import { DapSimBank, loadSegments, type SimBoard } from "../../sim/boards/plugin.ts";
import { nrfTargets } from "../../targets/nrf/plugin.ts";
import { firmwareFiles } from "../fuzz/seeds.ts";
import { Rng } from "../rng.ts";
import { type DapFault, type DapFaultPlan, FaultyDapLink } from "./dap_link.ts";
import type { FaultFamily } from "./family.ts";
import type { TrialSteps } from "./trial.ts";

/** The two micro:bits. */
export const BOARDS = [
  { target: "microbit-v1", board: "v1", page: 1024, flash: 256 * 1024 },
  { target: "microbit-v2", board: "v2", page: 4096, flash: 512 * 1024 },
] as const;

/** One of {@link BOARDS}. */
export type Board = typeof BOARDS[number];

/** One update: the board, its old flash, the window flashed. */
export interface NrfCase {
  readonly board: Board;
  readonly old: Uint8Array;
  readonly image: Uint8Array;
  readonly address: number;
}

/** Counts of one calibration run. */
export interface Calibration {
  readonly packets: number;
  readonly erases: number;
  readonly words: number;
}

/** A bank, a registry whose probe links inject faults, and the case. */
export class NrfRig {
  readonly bank = new DapSimBank();
  readonly registry = new Registry();
  plan?: DapFaultPlan;
  link?: FaultyDapLink;
  board!: SimBoard;

  /** `transport` replaces the DAP link (the GDB family serves the board over RSP). */
  constructor(readonly c: NrfCase, readonly transport?: (rig: NrfRig) => Plugin) {}

  get probe(): string {
    return this.transport ? "gdb://127.0.0.1:3333" : `sim:${this.c.board.target}`;
  }

  /** Any link of this rig that can be pulled. */
  unplug: () => void = () => this.link?.unplug();

  /** Closes what the last run left open. */
  closeLinks: () => Promise<void> = async () => await this.link?.close().catch(() => {});

  async init(): Promise<SimBoard> {
    const provider: TransportProvider<"dap"> = {
      scheme: "sim",
      kind: "dap",
      description: "simulated DAPLink behind a fault-injecting link",
      open: async (ctx, address, options) => {
        const inner = await this.bank.open(ctx, address, options);
        return (this.link = new FaultyDapLink(inner, ctx.clock, this.plan));
      },
    };
    const sim: Plugin = this.transport?.(this) ?? ((host) => host.registerTransport(provider));
    for (const p of [hashes(), formats(), sim, nrfTargets()]) await this.registry.use(p);
    this.board = await this.bank.board(`sim:${this.c.board.target}`);
    loadSegments(this.board, [{ address: 0, data: this.c.old }]);
    return this.board;
  }

  async run(signal?: AbortSignal): Promise<void> {
    const ctx = createContext({ clock: new VirtualClock(), signal });
    try {
      await flash(this.registry, ctx, {
        target: this.c.board.target,
        inputs: [{ file: "app.bin", address: this.c.address, bytes: this.c.image, format: "bin" }],
        connect: { probe: this.probe },
      });
    } finally {
      await this.closeLinks();
    }
  }

  matches(): boolean {
    const { image, address } = this.c;
    const here = this.board.device.flash.subarray(address, address + image.length);
    return here.every((b, i) => b === image[i]);
  }

  /** Power returns and the chip starts from reset, as after plugging the board back in. */
  powerCycle(): void {
    this.board.device.nvmc.powerOn();
    this.board.device.systemReset();
  }
}

/** Calibrates cases once each: packets (or chunks), page erases and word writes. */
export function calibrator(
  newRig: (c: NrfCase) => NrfRig,
  events: (rig: NrfRig) => number,
): (c: NrfCase, key: string) => Promise<Calibration> {
  const calibrations = new Map<string, Calibration>();
  return async (c, key) => {
    const known = calibrations.get(key);
    if (known) return known;
    const rig = newRig(c);
    const board = await rig.init();
    const before = { ...board.device.nvmc.stats };
    await rig.run();
    if (!rig.matches()) throw new Error("calibration run left the wrong flash");
    const cal = {
      packets: events(rig),
      erases: board.device.nvmc.stats.pageErases - before.pageErases,
      words: board.device.nvmc.stats.wordWrites - before.wordWrites,
    };
    calibrations.set(key, cal);
    return cal;
  };
}

/** The MakeCode programs of the corpus as flash images per board (random ones without it). */
export async function nrfPrograms(): Promise<Map<Board, Uint8Array[]>> {
  const programs = new Map<Board, Uint8Array[]>();
  const files = await firmwareFiles("microbit/makecode-universal-hex", /\.hex$/);
  for (const b of BOARDS) {
    const images = files.map((f) => {
      const hex = parseIntelHex(new TextDecoder("latin1").decode(f), "corpus.hex");
      return selectSection(hex, { board: b.board }, "corpus.hex").read(0, b.flash);
    });
    if (images.length < 2) {
      const a = new Rng(9).bytes(b.flash / 2);
      images.push(a, a.map((x, i) => (i % 3000 === 0 ? x ^ 0x5a : x)));
    }
    programs.set(b, images);
  }
  return programs;
}

/** Case `n` of the fixed set (each calibrated once, so a trial costs two runs). */
export function nrfCase(programs: Map<Board, Uint8Array[]>, n: number): NrfCase {
  return makeCase(programs, new Rng(1234, "nrf-case", n));
}

/** Arms a power cut in the NVMC for a power fault; false when the run has no such operation. */
export function armNvmcCut(
  rig: NrfRig,
  fault: "power-erase" | "power-program",
  cal: Calibration,
  rng: Rng,
  onCut: () => void,
): boolean {
  const n = fault === "power-erase" ? cal.erases : cal.words;
  if (!n) return false;
  const noise = new Rng(rng.int(2 ** 31), "noise");
  rig.board.device.nvmc.armPowerCut({
    on: fault === "power-erase" ? "erase" : "program",
    remaining: rng.int(n),
    noise: () => noise.next(),
    onCut,
  });
  return true;
}

/** The nRF family over CMSIS-DAP. */
export function nrfFamily(): FaultFamily {
  let programs = new Map<Board, Uint8Array[]>();
  const calibrate = calibrator((c) => new NrfRig(c), (rig) => rig.link?.packets ?? 0);

  return {
    name: "nrf",
    description: "micro:bit V1/V2 update through the simulated DAPLink (CMSIS-DAP, SWD, NVMC)",
    faults: {
      wait: "a transfer answered WAIT part-way",
      fault: "a transfer answered FAULT part-way",
      "usb-stall": "the probe's USB endpoint stalls 0.1–10 s",
      reset: "target reset mid-command",
      unplug: "probe unplugged mid-command (board loses power)",
      "power-erase": "power lost during an NVMC page erase",
      "power-program": "power lost during an NVMC word write",
    },
    async prepare() {
      programs = await nrfPrograms();
    },
    async trial(fault, rng) {
      const caseNo = rng.int(24);
      const c = nrfCase(programs, caseNo);
      const cal = await calibrate(c, String(caseNo));
      const rig = new NrfRig(c);
      const board = await rig.init();
      let cutFired = false;
      if (fault === "power-erase" || fault === "power-program") {
        const armed = armNvmcCut(rig, fault, cal, rng, () => {
          cutFired = true;
          rig.unplug();
        });
        if (!armed) return undefined;
      } else {
        rig.plan = {
          fault: fault as DapFault,
          at: rng.int(cal.packets),
          rng: new Rng(rng.int(2 ** 31), "fault"),
          resetTarget: () => board.device.systemReset(),
        };
      }
      const steps: TrialSteps = {
        faulted: (signal) => rig.run(signal),
        fired: () => cutFired || (rig.link?.fired ?? false),
        flashMatches: () => Promise.resolve(rig.matches()),
        restore: () => {
          rig.plan = undefined;
          rig.powerCycle();
          return Promise.resolve();
        },
        rerun: (signal) => rig.run(signal),
      };
      return steps;
    },
  };
}

function makeCase(programs: Map<Board, Uint8Array[]>, rng: Rng): NrfCase {
  const board = rng.pick(BOARDS);
  const images = programs.get(board)!;
  const i = rng.int(images.length);
  const j = (i + 1 + rng.int(images.length - 1)) % images.length;
  const old = images[i], next = images[j];
  // The window: 16–48 KiB of the program area, page aligned.
  const size = rng.range(16, 48) * 1024;
  const used = lastUsed(next);
  const address = Math.floor(rng.int(Math.max(1, used - size)) / board.page) * board.page;
  const image = next.slice(address, address + size);
  for (let k = rng.range(1, 3); k > 0; k--) image[rng.int(image.length)] ^= 1 + rng.int(255);
  return { board, old, image, address };
}

function lastUsed(flash: Uint8Array): number {
  let end = flash.length;
  while (end > 0 && flash[end - 1] === 0xff) end--;
  return end;
}
