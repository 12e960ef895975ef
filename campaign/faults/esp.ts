/**
 * The ESP family: an ESP32-C3 app update (real old→new build pair from the firmware corpus,
 * a window of 32–96 KiB with an edit) flashed over the simulated serial link while the link
 * or the chip misbehaves once.
 *
 * @module
 */
import {
  createContext,
  flash,
  FlashImage,
  type FlashRecordStore,
  type Plugin,
  recordOf,
  Registry,
  type TransportProvider,
  VirtualClock,
} from "../../kernel/mod.ts";
import { formats } from "../../plugins/formats/mod.ts";
import { hashes } from "../../plugins/hash/mod.ts";
import type { EspDevice } from "../../sim/esp/device.ts";
import { EspSimBank } from "../../sim/esp/plugin.ts";
import { espTargets } from "../../targets/esp/plugin.ts";
import { firmwareFiles } from "../fuzz/seeds.ts";
import { Rng } from "../rng.ts";
import type { FaultFamily } from "./family.ts";
import { FaultySerialPort, type SerialFault, type SerialFaultPlan } from "./serial_port.ts";
import type { TrialSteps } from "./trial.ts";

const PORT = "sim:esp32c3?usb=uart";
const SECTOR = 4096;

/** One update: what the chip holds, what is flashed, where. */
interface EspCase {
  readonly old: Uint8Array;
  readonly image: Uint8Array;
  readonly address: number;
}

/** A bank, a registry whose `sim:` serial ports are fault-injecting, and the case. */
class EspRig {
  readonly bank = new EspSimBank();
  readonly registry = new Registry();
  plan?: SerialFaultPlan;
  port?: FaultySerialPort;
  /** The flash record, when the board was last flashed by us with the old build. */
  record?: FlashRecordStore;

  constructor(readonly c: EspCase, readonly withRecord = false) {}

  async init(): Promise<EspDevice> {
    const provider: TransportProvider<"serial"> = {
      scheme: "sim",
      kind: "serial",
      description: "simulated ESP chip behind a fault-injecting link",
      open: async (ctx, address, options) => {
        const inner = await this.bank.open(ctx, address, options);
        return (this.port = new FaultySerialPort(inner, ctx.clock, this.plan));
      },
    };
    const sim: Plugin = (host) => host.registerTransport(provider);
    for (const p of [hashes(), formats(), sim, espTargets()]) await this.registry.use(p);
    const dev = await this.bank.device(PORT);
    dev.flash.bytes.set(this.c.old, this.c.address);
    if (this.withRecord) {
      const old = FlashImage.from([{ address: this.c.address, data: this.c.old, source: "old" }]);
      const flash = { name: "flash", start: 0, size: dev.flash.size, blockSize: SECTOR };
      let kept = recordOf(old, { regions: [flash] }, this.registry.hash("md5"));
      this.record = {
        load: () => Promise.resolve(kept),
        save: (_id, r) => Promise.resolve(void (kept = r)),
      };
    }
    return dev;
  }

  device(): EspDevice {
    return this.bank.devices()[0];
  }

  async run(signal?: AbortSignal): Promise<void> {
    const ctx = createContext({ clock: new VirtualClock(), signal });
    try {
      await flash(this.registry, ctx, {
        target: "esp32c3",
        inputs: [{ file: "app.bin", address: this.c.address, bytes: this.c.image, format: "bin" }],
        connect: { port: PORT },
        ...(this.record ? { record: this.record } : {}),
      });
    } finally {
      // Whatever happened, the USB bridge is released so the next run can open it.
      await this.port?.close().catch(() => {});
    }
  }

  matches(): boolean {
    const { image, address } = this.c;
    const here = this.device().flash.bytes.subarray(address, address + image.length);
    return here.every((b, i) => b === image[i]);
  }

  /** Power returns and the chip boots, as after plugging the board back in. */
  powerCycle(): void {
    const dev = this.device();
    dev.flash.powerOn();
    dev.setLines(false, true);
    dev.setLines(false, false);
  }
}

/** The ESP family. */
export function espFamily(): FaultFamily {
  let pairs: [Uint8Array, Uint8Array][] = [];
  return {
    name: "esp",
    description: "ESP32-C3 app update over the simulated serial link (ROM + stub)",
    faults: {
      drop: "bytes lost on the line (either direction)",
      corrupt: "bits flipped on the line",
      delay: "a chunk held back 0.1–8 s",
      reset: "chip reset mid-command",
      unplug: "USB bridge unplugged mid-command",
      "power-erase": "power lost during a sector erase",
      "power-program": "power lost during a page program",
    },
    async prepare() {
      const dir = "esp32/esp32c3-beehive-idf";
      const hello = await firmwareFiles(dir, /^hello_world_.*\.bin$/);
      const hive = await firmwareFiles(dir, /^BeeHive.*\.bin$/);
      pairs = [];
      if (hello.length >= 2) pairs.push([hello[0], hello[1]]);
      for (let i = 0; i + 1 < hive.length; i++) pairs.push([hive[i], hive[i + 1]]);
      if (!pairs.length) {
        // Without the corpus: random bytes stand in for a build and its successor.
        const a = new Rng(7).bytes(256 * 1024);
        pairs.push([a, a.map((b, i) => (i % 5000 === 0 ? b ^ 0x55 : b))]);
      }
    },
    async trial(fault, rng) {
      const c = makeCase(pairs, rng);
      // Half the trials flash a board whose flash record says it holds the old build.
      const withRecord = rng.int(2) === 0;
      const cal = new EspRig(c, withRecord);
      const dev = await cal.init();
      const before = { ...dev.flash.counters };
      await cal.run();
      if (!cal.matches()) throw new Error("calibration run left the wrong flash");
      const erases = dev.flash.counters.sectorsErased - before.sectorsErased;
      const pages = dev.flash.counters.pagesProgrammed - before.pagesProgrammed;
      const chunks = cal.port?.chunks ?? 0;

      const rig = new EspRig(c, withRecord);
      const target = await rig.init();
      let cutFired = false;
      if (fault === "power-erase" || fault === "power-program") {
        const n = fault === "power-erase" ? erases : pages;
        if (!n) return undefined;
        const noise = new Rng(rng.int(2 ** 31), "noise");
        target.flash.armPowerCut({
          on: fault === "power-erase" ? "erase" : "program",
          remaining: rng.int(n),
          noise: () => noise.next(),
          onCut: () => {
            cutFired = true;
            rig.port?.unplug();
          },
        });
      } else {
        rig.plan = {
          fault: fault as SerialFault,
          at: rng.int(chunks),
          rng: new Rng(rng.int(2 ** 31), "fault"),
          resetChip: () => {
            target.setLines(false, true);
            target.setLines(false, false);
          },
        };
      }
      const steps: TrialSteps = {
        faulted: (signal) => rig.run(signal),
        fired: () => cutFired || (rig.port?.fired ?? false),
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

function makeCase(pairs: [Uint8Array, Uint8Array][], rng: Rng): EspCase {
  const [a, b] = rng.pick(pairs);
  const len = Math.min(a.length, b.length);
  const size = rng.range(8, 24) * SECTOR;
  const off = rng.int(Math.max(1, Math.floor((len - size) / SECTOR))) * SECTOR;
  const old = a.slice(off, off + size);
  const image = b.slice(off, off + size);
  // The edit of an edit-build-flash loop: a few more sectors change.
  for (let k = rng.range(1, 3); k > 0; k--) {
    const at = rng.int(image.length);
    image[at] ^= 1 + rng.int(255);
  }
  return { old, image, address: 0x10000 + off };
}
