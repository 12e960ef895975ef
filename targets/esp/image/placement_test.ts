import { equal, match, throws } from "node:assert/strict";
import { ImagePlacementError } from "../../../kernel/mod.ts";
import {
  arduinoDefaultTable,
  espAppImage,
  mergedImage,
} from "../../../tests/support/esp_images.ts";
import { encodeTable } from "../partition/table.ts";
import { espImageChip } from "./chips.ts";
import { checkPlacement, type PlacedImage } from "./placement.ts";

const ESP32 = espImageChip("esp32"), C3 = espImageChip("esp32c3"), P4 = espImageChip("esp32p4");
const img = (source: string, address: number, data: Uint8Array): PlacedImage => ({
  source,
  address,
  data,
});
const app = espAppImage();
const fill = (n: number, v = 0x42) => new Uint8Array(n).fill(v);

function refused(chip: typeof ESP32, images: PlacedImage[]): string {
  let message = "";
  throws(() => checkPlacement(chip, images), (e: unknown) => {
    if (!(e instanceof ImagePlacementError)) return false;
    equal(e.exitCode, 2);
    match(e.hint ?? "", /--force writes it there anyway/);
    message = e.message;
    return true;
  });
  return message;
}

Deno.test("placement: sector alignment, with a hint for decimal addresses", () => {
  match(refused(C3, [img("a.bin", 10000, app)]), /did you mean 0x10000\?/);
  match(refused(C3, [img("a.bin", 0x10800, app)]), /a\.bin@0x10800 does not start on a 4 KiB/);
  // decimal that is no hex typo gets no guess
  const plain = refused(C3, [img("a.bin", 0x10001, app)]);
  equal(/did you mean/.test(plain), false);
  // --force accepts it
  checkPlacement(C3, [img("a.bin", 10000, app)], { force: true });
});

Deno.test("placement: the bootloader and partition table region takes only its own kinds", () => {
  const table = encodeTable([
    { type: 0, subtype: 0, offset: 0x10000, size: 0x100000, name: "factory", flags: 0 },
  ]);
  checkPlacement(ESP32, [img("b", 0x1000, app), img("t", 0x8000, table), img("a", 0x10000, app)]);
  checkPlacement(C3, [img("b", 0x0, app), img("t", 0x8000, table)]);
  checkPlacement(P4, [img("b", 0x2000, app)]);
  checkPlacement(ESP32, [img("m", 0x0, mergedImage({ flash: 0x120000 }))]);
  checkPlacement(ESP32, [img("x", 0x0, fill(0x1000))]); // below the ESP32's bootloader
  checkPlacement(ESP32, [img("nvs", 0x9000, fill(0x6000))]); // just past the table sector
  match(refused(ESP32, [img("x", 0x0, fill(0x1001))]), /x@0x0 overlaps the bootloader/);
  match(refused(ESP32, [img("a", 0x1000, fill(64))]), /is not a bootloader \(no 0xE9/);
  match(refused(C3, [img("a", 0x8000, app)]), /is not a partition table \(no AA 50 entry\)/);
  match(refused(C3, [img("a", 0x4000, app)]), /0x0–0x9000\) but is not the bootloader or/);
  match(
    refused(P4, [img("b", 0x1000, espAppImage({ size: 0x1000 }))]), // runs into 0x2000
    /overlaps the bootloader and partition table \(0x2000/,
  );
  // a partition table that runs past its sector, a merged image missing its bootloader
  match(refused(C3, [img("t", 0x8000, Uint8Array.of(0xaa, 0x50, ...fill(0x1000)))]), /overlaps/);
  const noBoot = mergedImage({ flash: 0x120000 }).fill(0xff, 0x1000, 0x2000);
  match(refused(ESP32, [img("m", 0x0, noBoot)]), /m@0x0 overlaps/);
});

Deno.test("placement: an image must fit the partition it starts in, when a table is flashed", () => {
  const table = img("t", 0x8000, arduinoDefaultTable()); // app0 0x10000–0x150000
  const exact = espAppImage({ size: 0x140000 - 0x100 });
  checkPlacement(ESP32, [table, img("a", 0x10000, exact)]);
  match(
    refused(ESP32, [table, img("a", 0x10000, espAppImage({ size: 0x140000 }))]),
    /a@0x10000 \(1310800 bytes\) does not fit partition app0 \(0x10000–0x150000, 1280K\)/,
  );
  match(
    refused(ESP32, [table, img("d", 0x3f8000, fill(0x9000))]),
    /does not fit partition coredump/,
  );
  // without a table being flashed there is nothing to check against
  checkPlacement(ESP32, [img("a", 0x10000, espAppImage({ size: 0x140000 }))]);
  // a whole-flash image carries its own table and is not checked against it
  checkPlacement(ESP32, [img("m", 0x0, mergedImage({ flash: 0x400000 }))]);
});

Deno.test("placement: esptool's warning for data at an image offset", () => {
  const warned: string[] = [];
  const log = { debug() {}, info() {}, warn: (m: string) => warned.push(m) };
  checkPlacement(C3, [img("fs.bin", 0x10000, fill(64)), img("x", 0x20000, fill(64))], { log });
  equal(warned.length, 1);
  match(warned[0], /^fs\.bin at 0x10000 doesn't look like an image file \(no 0xE9 header\)$/);
  warned.length = 0;
  const table = img("t", 0x8000, arduinoDefaultTable());
  checkPlacement(ESP32, [table, img("a", 0x150000, fill(64)), img("b", 0x10000, app)], { log });
  deepWarned(warned, ["a at 0x150000"]);
  warned.length = 0;
  checkPlacement(ESP32, [img("junk", 0x1000, fill(64))], { force: true, log });
  deepWarned(warned, ["junk at 0x1000"]);
});

function deepWarned(warned: string[], starts: string[]) {
  equal(warned.length, starts.length, warned.join("\n"));
  starts.forEach((s, i) => equal(warned[i].startsWith(s), true, warned[i]));
}
