import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { FlashImage, ImageFormatError } from "../../kernel/mod.ts";
import { ihex, parseIntelHex } from "../../plugins/formats/ihex.ts";
import { record, SECTION_ALIGN, universalHex, universalHexFromHex } from "./universal_hex.ts";

const dist = (name: string) => new URL(`./dist/${name}`, import.meta.url);

const bytes = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

/** The same addresses and bytes (segment boundaries may differ). */
function sameImage(a: FlashImage, b: FlashImage) {
  deepEqual(a.ranges(), b.ranges());
  for (const r of a.ranges()) {
    deepEqual(a.read(r.start, r.end - r.start), b.read(r.start, r.end - r.start));
  }
}

/** Splits a Universal Hex into its sections' text (block start … block end). */
function sectionsOf(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const line of text.split("\n").filter((l) => l)) {
    cur += line + "\n";
    if (line.slice(7, 9) === "0B" || line.slice(7, 9) === "01") {
      out.push(cur);
      cur = "";
    }
  }
  return out;
}

Deno.test("universal hex: sections round-trip through the ihex parser", () => {
  const v1 = FlashImage.from([
    { address: 0x0, data: bytes(1000, 1), source: "a" },
    { address: 0xfff8, data: bytes(40, 2), source: "a" }, // crosses a 64 KiB boundary
  ]);
  const v2 = FlashImage.from([{ address: 0x1c003, data: bytes(77, 3), source: "b" }]);
  const text = universalHex([{ boardId: 0x9900, image: v1 }, { boardId: 0x9903, image: v2 }]);
  const parsed = parseIntelHex(text, "u.hex");
  equal(parsed.universal, true);
  deepEqual(parsed.sections.map((s) => s.boardId), [0x9900, 0x9903]);
  sameImage(parsed.sections[0].image, v1);
  sameImage(parsed.sections[1].image, v2);

  const parts = sectionsOf(text);
  equal(parts.length, 3);
  for (const p of parts.slice(0, 2)) equal(p.length % SECTION_ALIGN, 0);
  equal(parts[2], ":00000001FF\n");
  const types = (p: string) => new Set(p.split("\n").filter((l) => l).map((l) => l.slice(7, 9)));
  deepEqual([...types(parts[0])].sort(), ["00", "04", "0A", "0B", "0C"]);
  deepEqual([...types(parts[1])].sort(), ["04", "0A", "0B", "0C", "0D"]);
  ok(text.startsWith(":020000040000FA\n:0400000A9900C0DEBB\n"));
  ok(text.includes(":020000040001F9\n")); // the second 64 KiB of V1
  ok(text.split("\n").every((l) => l.length <= 11 + 2 * 32));
});

Deno.test("universal hex: padding fills every remainder exactly", () => {
  for (let n = 1; n <= 80; n++) {
    const image = FlashImage.from([{ address: 0x100, data: bytes(n, n), source: "x" }]);
    const [section] = sectionsOf(universalHex([{ boardId: 0x9903, image }]));
    equal(section.length % SECTION_ALIGN, 0, `${n} bytes`);
  }
});

Deno.test("universal hex: record checksums", () => {
  equal(record(0x01, 0), ":00000001FF\n");
  equal(record(0x04, 0, [0, 0]), ":020000040000FA\n");
});

Deno.test("universal hex: refuses a Universal Hex as input", () => {
  const u = universalHex([{ boardId: 0x9900, image: FlashImage.empty() }]);
  throws(() => universalHexFromHex(u, u), ImageFormatError);
});

Deno.test("universal hex: committed micro:bit artifacts split into their per-chip builds", async () => {
  for (const v of ["v1", "v2"]) {
    const universal = await Deno.readFile(dist(`microbit-blink-${v}.hex`));
    const nrf51 = await Deno.readTextFile(dist(`microbit-blink-${v}-nrf51.hex`));
    const nrf52 = await Deno.readTextFile(dist(`microbit-blink-${v}-nrf52.hex`));
    const plain = (text: string) => parseIntelHex(text, "plain").sections[0].image;
    const load = (board: string) =>
      ihex.load(universal, { source: `microbit-blink-${v}.hex`, options: { board } });
    sameImage(load("v1"), plain(nrf51));
    sameImage(load("v2"), plain(nrf52));
    equal(universalHexFromHex(nrf51, nrf52), new TextDecoder().decode(universal));
  }
});
