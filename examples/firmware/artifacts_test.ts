/**
 * Checks the committed example firmware with the repo's own image formats: how many flash
 * blocks each image touches and how many differ between v1 and v2 (the figures the demo and
 * the benchmarks rely on).
 */
import { deepEqual, equal } from "node:assert/strict";
import type { FlashImage } from "../../kernel/mod.ts";
import { bin, ihex } from "../../plugins/formats/mod.ts";
import { readValidAppImage } from "../../targets/esp/image/app_image.ts";

const dist = (name: string) => Deno.readFileSync(new URL(`./dist/${name}`, import.meta.url));

/** ESP-IDF app partition offset in the default partition table. */
const ESP_APP_OFFSET = 0x10000;

/** Touched blocks of `size` (of either image) and the addresses of those that differ. */
function compare(a: FlashImage, b: FlashImage, size: number) {
  const starts = new Set([...a.blocks(size), ...b.blocks(size)].map((x) => x.address));
  const touched = [...starts].sort((x, y) => x - y);
  const differing = touched.filter((addr) => {
    const x = a.read(addr, size), y = b.read(addr, size);
    return x.some((v, i) => v !== y[i]);
  });
  return { touched: touched.length, differing };
}

function microbit(version: string, board: string): FlashImage {
  const name = `microbit-blink-${version}.hex`;
  return ihex.load(dist(name), { source: name, options: { board } });
}

function esp32c3(version: string): FlashImage {
  const name = `esp32c3-blink-${version}.bin`;
  return bin.load(dist(name), { source: name, address: ESP_APP_OFFSET, options: {} });
}

Deno.test("example firmware: micro:bit V1 (nRF51, 1 KiB pages) differs in 1 of 29 pages", () => {
  deepEqual(compare(microbit("v1", "v1"), microbit("v2", "v1"), 1024), {
    touched: 29,
    differing: [0],
  });
});

Deno.test("example firmware: micro:bit V2 (nRF52, 4 KiB pages) differs in 1 of 8 pages", () => {
  deepEqual(compare(microbit("v1", "v2"), microbit("v2", "v2"), 4096), {
    touched: 8,
    differing: [0],
  });
});

Deno.test("example firmware: ESP32-C3 app (4 KiB sectors) differs in 2 of 9 sectors", () => {
  // Sector 0 holds the app descriptor with the ELF's SHA-256; the last one the code, the
  // checksum and the image's SHA-256.
  deepEqual(compare(esp32c3("v1"), esp32c3("v2"), 4096), {
    touched: 9,
    differing: [ESP_APP_OFFSET, ESP_APP_OFFSET + 0x8000],
  });
});

Deno.test("example firmware: micro:bit vector tables point into each chip's RAM and code", () => {
  for (const [board, stackTop] of [["v1", 0x2000_4000], ["v2", 0x2002_0000]] as const) {
    const words = new DataView(microbit("v1", board).read(0, 8).buffer);
    equal(words.getUint32(0, true), stackTop);
    equal(words.getUint32(4, true) & 1, 1, "Thumb bit of the reset vector");
  }
});

Deno.test("example firmware: ESP32-C3 images are valid app images for chip id 5", () => {
  for (const v of ["v1", "v2"]) {
    const image = readValidAppImage(dist(`esp32c3-blink-${v}.bin`), v);
    equal(image.ext.chipId, 5);
    deepEqual(image.segments.map((s) => s.address), [0x3c00_0020, 0x4200_8128]);
    equal(image.entry, 0x4200_8128);
  }
});
