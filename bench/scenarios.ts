/**
 * Benchmark scenarios: a device pre-loaded with an OLD image is flashed with a NEW one.
 * Real pairs come from the firmware corpus next to the repository (`../shared/firmware`);
 * synthetic ones cover the edges (identical reflash, one byte, one block of a data
 * partition, everything changed).
 *
 * @module
 */
import type { ImageInput } from "../kernel/mod.ts";

/** One old → new flash. */
export interface Scenario {
  /** `esp` or `nrf`. */
  readonly family: "esp" | "nrf";
  /** Group shown in the table, e.g. `esp32 sha2017`. */
  readonly suite: string;
  /** Name, e.g. `01→02`. */
  readonly name: string;
  /** Target name. */
  readonly target: string;
  /** Simulator address. */
  readonly address: string;
  /** What the device holds before the run. */
  readonly old: readonly ImageInput[];
  /** What is flashed. */
  readonly new: readonly ImageInput[];
  /** Part of the `--quick` set. */
  readonly quick: boolean;
}

/** The firmware corpus directory. */
export const FIRMWARE = new URL("../../shared/firmware/", import.meta.url);

const bin = (file: string, address: number): ImageInput => ({
  file: new URL(file, FIRMWARE).pathname,
  address,
  format: "bin",
});
const hex = (file: string): ImageInput => ({ file: new URL(file, FIRMWARE).pathname });
const raw = (name: string, address: number, bytes: Uint8Array): ImageInput => ({
  file: name,
  address,
  bytes,
  format: "bin",
});

/** Deterministic pseudo-random bytes (xorshift32). */
export function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s >>> 24;
  }
  return out;
}

/** Consecutive pairs of a chain: `[a,b,c]` → `[[a,b],[b,c]]`. */
function pairs<T>(xs: readonly T[]): [T, T][] {
  return xs.slice(1).map((x, i) => [xs[i], x]);
}

const SHA = "esp32/sha2017-badge/sha2017-badge_";
const SHA_CHAIN = [
  "01_5d05113",
  "02_0f6382e",
  "03_bd6340b",
  "04_e69771e",
  "05_35bae7a",
  "06_81b6d37",
];
const BEE = "esp32/esp32c3-beehive-idf/";
const BEE_CHAIN = ["01_a0174da", "02_fe9a3b4", "03_fed64ac", "04_1b254f1", "05_3d9beaf"];
const NRF40 = "nrf52/adafruit-feather-nrf52840-bootloader/feather_nrf52840_express_bootloader-";
const NRF40_CHAIN = ["0.8.0", "0.8.1", "0.8.2", "0.8.3", "0.9.0", "0.9.1"];
const MAKECODE = "microbit/makecode-universal-hex/microbit-";
const MPY = "microbit/micropython/micropython-v2_";

/** ESP scenarios (real pairs and synthetic ones). */
export async function espScenarios(): Promise<Scenario[]> {
  const out: Scenario[] = [];
  const esp = (
    suite: string,
    name: string,
    target: string,
    o: ImageInput[],
    n: ImageInput[],
    quick: boolean,
  ) =>
    out.push({
      family: "esp",
      suite,
      name,
      target,
      address: `sim:${target}`,
      old: o,
      new: n,
      quick,
    });
  pairs(SHA_CHAIN).forEach(([a, b], i) =>
    esp("esp32 sha2017", `${a.slice(0, 2)}→${b.slice(0, 2)}`, "esp32", [
      bin(`${SHA}${a}.bin`, 0x10000),
    ], [
      bin(`${SHA}${b}.bin`, 0x10000),
    ], i < 2)
  );
  pairs(BEE_CHAIN).forEach(([a, b], i) =>
    esp(
      "esp32c3 BeeHive",
      `${a.slice(0, 2)}→${b.slice(0, 2)}`,
      "esp32c3",
      [
        bin(`${BEE}BeeHive_Vscode_4G_${a}.bin`, 0x10000),
      ],
      [bin(`${BEE}BeeHive_Vscode_4G_${b}.bin`, 0x10000)],
      i === 3,
    )
  );
  esp("esp32c3 BeeHive", "hello_world 1→2", "esp32c3", [
    bin(`${BEE}hello_world_1_b75cf0a.bin`, 0x10000),
  ], [
    bin(`${BEE}hello_world_2_4e32e84.bin`, 0x10000),
  ], true);
  // Synthetic, on a real app: identical, one byte, everything different.
  const app = await Deno.readFile(new URL(`${SHA}05_35bae7a.bin`, FIRMWARE));
  const oneByte = app.slice();
  oneByte[0x60123] ^= 0x01;
  const inverted = app.map((b) => b ^ 0xff);
  const syn = "esp32 synthetic";
  esp(syn, "identical reflash", "esp32", [raw("app.bin", 0x10000, app)], [
    raw("app.bin", 0x10000, app),
  ], true);
  esp(syn, "one-byte change", "esp32", [raw("app.bin", 0x10000, app)], [
    raw("app'.bin", 0x10000, oneByte),
  ], true);
  esp(syn, "fully changed app", "esp32", [raw("old.bin", 0x10000, inverted)], [
    raw("app.bin", 0x10000, app),
  ], true);
  // A 1 MiB data partition (incompressible, like a filesystem of media) with one 4 KiB block new.
  const data = pseudoRandom(1 << 20, 7);
  const edited = data.slice();
  edited.set(pseudoRandom(4096, 99), 0x41000);
  esp(syn, "1 MiB data, one 4 KiB block", "esp32", [raw("data.bin", 0x200000, data)], [
    raw("data'.bin", 0x200000, edited),
  ], true);
  return out;
}

/** micro:bit and nRF52840 scenarios. */
export function nrfScenarios(): Scenario[] {
  const out: Scenario[] = [];
  const nrf = (
    suite: string,
    name: string,
    target: string,
    o: ImageInput[],
    n: ImageInput[],
    quick: boolean,
  ) =>
    out.push({
      family: "nrf",
      suite,
      name,
      target,
      address: `sim:${target}`,
      old: o,
      new: n,
      quick,
    });
  for (const target of ["microbit-v1", "microbit-v2"]) {
    const suite = `${target} MakeCode`;
    nrf(suite, "Dice→Flashing-Heart", target, [hex(`${MAKECODE}Dice.hex`)], [
      hex(`${MAKECODE}Flashing-Heart.hex`),
    ], true);
    nrf(suite, "Rock-Paper-Scissors→Micro-Chat", target, [
      hex(`${MAKECODE}Rock-Paper-Scissors.hex`),
    ], [
      hex(`${MAKECODE}Micro-Chat.hex`),
    ], false);
    nrf(suite, "identical reflash", target, [hex(`${MAKECODE}Dice.hex`)], [
      hex(`${MAKECODE}Dice.hex`),
    ], true);
  }
  nrf("microbit-v2 MicroPython", "2.1.1→2.1.2", "microbit-v2", [hex(`${MPY}2.1.1_9eaa1799.hex`)], [
    hex(`${MPY}2.1.2_cfa3bb08.hex`),
  ], true);
  nrf("microbit-v2 MicroPython", "2.1.0→2.1.1 (fully changed app)", "microbit-v2", [
    hex(`${MPY}2.1.0_21eb493f.hex`),
  ], [
    hex(`${MPY}2.1.1_9eaa1799.hex`),
  ], false);
  pairs(NRF40_CHAIN).forEach(([a, b], i) =>
    nrf("nrf52840 bootloader", `${a}→${b}`, "nrf52840", [hex(`${NRF40}${a}_s140_6.1.1.hex`)], [
      hex(`${NRF40}${b}_s140_6.1.1.hex`),
    ], i === 0)
  );
  return out;
}

/** True when the firmware corpus is present (else the caller prints why rows are missing). */
export async function haveFirmware(): Promise<boolean> {
  return await Deno.stat(FIRMWARE).then(() => true, () => false);
}
