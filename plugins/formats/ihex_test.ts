import { deepEqual, equal, match, throws } from "node:assert/strict";
import { compareImages, ImageFormatError, UsageError, WrongTargetError } from "../../kernel/mod.ts";
import { firmware, listFirmware, needsFirmware } from "../../tests/support/firmware.ts";
import { EOF_RECORD, makecodeV1Hex, rec } from "../../tests/support/intel_hex.ts";
import { ihex, parseIntelHex, selectSection } from "./ihex.ts";

const EOF_REC = EOF_RECORD;

function lineOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ImageFormatError) return e.line;
    throw e;
  }
  return undefined;
}

Deno.test("ihex: data with extended linear and segment addresses", () => {
  const text = [
    rec(0x04, 0, [0x00, 0x01]),
    rec(0x00, 0x0010, [1, 2, 3, 4]),
    rec(0x00, 0x0014, [5, 6]),
    rec(0x02, 0, [0x10, 0x00]), // segment 0x1000 → base 0x10000
    rec(0x00, 0x0100, [9]),
    rec(0x05, 0, [0x00, 0x01, 0x00, 0x41]),
    EOF_REC,
  ].join("\r\n");
  const hex = parseIntelHex(text, "t.hex");
  equal(hex.universal, false);
  equal(hex.entry, 0x10041);
  const img = hex.sections[0].image;
  deepEqual(img.ranges(), [{ start: 0x10010, end: 0x10016 }, { start: 0x10100, end: 0x10101 }]);
  deepEqual([...img.read(0x10010, 6)], [1, 2, 3, 4, 5, 6]);
});

Deno.test("ihex: errors name the line", () => {
  const good = rec(0x00, 0, [1, 2, 3]);
  const badSum = good.slice(0, -2) + "00";
  equal(lineOf(() => parseIntelHex([good, badSum, EOF_REC].join("\n"), "x")), 2);
  throws(
    () => parseIntelHex([good, ":0500000001020304F0", EOF_REC].join("\n"), "x"),
    /x:2: length byte says 5/,
  );
  equal(lineOf(() => parseIntelHex([good, good, ":03000000010G0300", EOF_REC].join("\n"), "x")), 3);
  equal(lineOf(() => parseIntelHex([good, good].join("\n"), "x")), 3); // missing EOF
  equal(lineOf(() => parseIntelHex(["", good, "garbage", EOF_REC].join("\n"), "x")), 3);
  equal(lineOf(() => parseIntelHex([rec(0x07, 0, []), EOF_REC].join("\n"), "x")), 1);
  throws(() => parseIntelHex([good, badSum, EOF_REC].join("\n"), "x"), /x:2: bad checksum/);
});

Deno.test("universal hex: sections by board id, 0x0D data, padding ignored", () => {
  const text = [
    rec(0x04, 0, [0, 0]),
    rec(0x0a, 0, [0x99, 0x00, 0xc0, 0xde]),
    rec(0x00, 0, [1, 2, 3, 4]),
    rec(0x0c, 4, [0xff, 0xff]),
    rec(0x0b, 0, []),
    rec(0x04, 0, [0, 0]),
    rec(0x0a, 0, [0x99, 0x03, 0xc0, 0xde]),
    rec(0x0d, 0, [5, 6, 7, 8]),
    rec(0x0e, 0, [0xaa]),
    rec(0x0b, 0, []),
    EOF_REC,
  ].join("\n");
  const hex = parseIntelHex(text, "u.hex");
  equal(hex.universal, true);
  deepEqual(hex.sections.map((s) => s.boardId), [0x9900, 0x9903]);
  deepEqual([...selectSection(hex, { board: "v1" }, "u").read(0, 4)], [1, 2, 3, 4]);
  deepEqual([...selectSection(hex, { boardIds: [0x9903] }, "u").read(0, 4)], [5, 6, 7, 8]);
  throws(() => selectSection(hex, {}, "u"), UsageError);
  throws(() => selectSection(hex, { board: 0x9905 }, "u"), WrongTargetError);
});

Deno.test(
  "every hex in the firmware corpus loads; universal ones split into V1 and V2",
  needsFirmware,
  async () => {
    const files = [...listFirmware("microbit", ".hex"), ...listFirmware("nrf52", ".hex")];
    equal(files.length >= 20, true);
    for (const f of files) {
      const hex = parseIntelHex(await Deno.readTextFile(f), f);
      if (!hex.universal) {
        equal(hex.sections.length, 1, f);
        continue;
      }
      const v1 = selectSection(hex, { board: "v1" }, f);
      const v2 = selectSection(hex, { board: "v2" }, f);
      equal(v1.byteCount > 0 && v2.byteCount > 0, true, f);
    }
  },
);

Deno.test(
  "MakeCode universal hex sections match the corpus README page counts",
  needsFirmware,
  async () => {
    const load = async (name: string, board: string) =>
      ihex.load(await Deno.readFile(firmware(`microbit/makecode-universal-hex/${name}`)), {
        source: name,
        options: { board },
      }).slice(0, 0x80000);
    // README: Dice → Flashing-Heart, V1 1K pages: 225 non-blank, 3 differ; V2 4K pages: 81, 1 differ.
    const d1 = compareImages(
      await load("microbit-Dice.hex", "v1"),
      await load("microbit-Flashing-Heart.hex", "v1"),
      1024,
    );
    equal(d1.different, 3);
    const d2 = compareImages(
      await load("microbit-Dice.hex", "v2"),
      await load("microbit-Flashing-Heart.hex", "v2"),
      4096,
    );
    equal(d2.different, 1);
  },
);

const PROGRAM = [
  rec(0x04, 0, [0, 0]),
  ...[0, 16, 32, 48].map((a) => rec(0x00, a, Array.from({ length: 16 }, (_, i) => a + i))),
];
const logged = () => {
  const lines: string[] = [];
  return {
    lines,
    log: {
      debug: (m: string) => lines.push(`debug ${m}`),
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
    },
  };
};

Deno.test("ihex: MakeCode V1 source after the end-of-file record is skipped and noted at debug", () => {
  const lines = makecodeV1Hex(PROGRAM);
  equal(lines[5], EOF_REC);
  equal(lines[6], ":020000042000DA");
  const hex = parseIntelHex(lines.join("\r\n") + "\r\n", "mc.hex");
  deepEqual(hex.sections[0].image.ranges(), [{ start: 0, end: 64 }]);
  deepEqual(hex.afterEof, { eofLine: 6, lines: lines.length - 6, makecodeSource: true });
  const { lines: out, log } = logged();
  const img = ihex.load(new TextEncoder().encode(lines.join("\n")), {
    source: "mc.hex",
    options: {},
    log,
  });
  equal(img.end, 64);
  equal(out.length, 1);
  match(out[0], /^debug mc\.hex: ignored \d+ line\(s\) after the end-of-file record \(line 6\)/);
});

Deno.test("ihex: anything after the end-of-file record is ignored, and a warning says so", () => {
  const body = [rec(0x00, 0, [1, 2, 3, 4]), EOF_REC];
  const hostile = [
    [rec(0x00, 0, [9, 9, 9, 9])], // would overwrite the program if read
    [rec(0x05, 0, [0, 0, 0, 0x41]), rec(0x0a, 0, [0x99, 0x03])], // other record types
    [rec(0x07, 0, [])], // a type that would be refused before the end
    [rec(0x00, 0, [1, 2]).slice(0, -2) + "00"], // bad checksum
    ["garbage", ":0"], // not records at all
    [EOF_REC, EOF_REC], // repeated end-of-file records
    [rec(0x04, 0, [0, 1]), rec(0x00, 0, [7]), EOF_REC], // a second hex pasted on the end
  ];
  for (const tail of hostile) {
    const text = [...body, ...tail].join("\n");
    const hex = parseIntelHex(text, "t.hex");
    deepEqual([...hex.sections[0].image.read(0, 4)], [1, 2, 3, 4], tail.join(" "));
    equal(hex.sections[0].image.end, 4, tail.join(" "));
    equal(hex.entry, undefined);
    equal(hex.afterEof?.makecodeSource, false);
    const { lines, log } = logged();
    ihex.load(new TextEncoder().encode(text), { source: "t.hex", options: {}, log });
    equal(lines.length, 1);
    match(lines[0], /^warn t\.hex: ignored \d+ line\(s\) after the end-of-file record \(line 2\)/);
  }
  // Trailing blank lines are not "data after the end".
  equal(parseIntelHex([...body, "", "  ", ""].join("\r\n"), "t.hex").afterEof, undefined);
});

Deno.test("ihex: records up to and including the end-of-file record stay strict", () => {
  const tail = makecodeV1Hex([]).slice(1).join("\n"); // source after EOF
  const good = rec(0x00, 0, [1, 2, 3]);
  // a bad end-of-file record: wrong checksum, data in it, a wrong length byte
  equal(lineOf(() => parseIntelHex([good, ":00000001FE", tail].join("\n"), "x")), 2);
  throws(() => parseIntelHex([good, ":00000001FE"].join("\n"), "x"), /x:2: bad checksum/);
  throws(
    () => parseIntelHex([good, rec(0x01, 0, [0]), tail].join("\n"), "x"),
    /x:2: end-of-file record must have no data/,
  );
  equal(lineOf(() => parseIntelHex([good, ":01000001FF", tail].join("\n"), "x")), 2);
  // bad records before the end still fail, whatever follows
  equal(lineOf(() => parseIntelHex([good.slice(0, -2) + "00", EOF_REC, tail].join("\n"), "x")), 1);
  equal(lineOf(() => parseIntelHex([rec(0x07, 0, []), EOF_REC, tail].join("\n"), "x")), 1);
  throws(
    () => parseIntelHex([good, rec(0x00, 0, [9, 9, 9]), EOF_REC, tail].join("\n"), "x"),
    /both write address 0x0/,
  );
  // a file whose only end-of-file record is missing is still refused
  equal(lineOf(() => parseIntelHex([good, rec(0x04, 0, [0x20, 0])].join("\n"), "x")), 3);
});
