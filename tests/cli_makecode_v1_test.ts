/**
 * MakeCode V1 downloads carry their compressed source after the end-of-file record, at
 * 0x20000000. Like DAPLink and the micro:bit bootloaders, the CLI stops reading at that record.
 */
import { doesNotMatch, equal, match } from "node:assert/strict";
import { parseIntelHex, selectSection } from "../plugins/formats/ihex.ts";
import { firmware, needsFirmware } from "./support/firmware.ts";
import { imageRecords, makecodeV1Hex } from "./support/intel_hex.ts";
import { runCli } from "./support/run_cli.ts";

/** Writes the V1 program of `hexFile` as a MakeCode V1 download with its source appended. */
async function makecodeDownload(hexFile: string, name: string): Promise<string> {
  const parsed = parseIntelHex(await Deno.readTextFile(hexFile), hexFile);
  const v1 = selectSection(parsed, { board: "v1" }, hexFile);
  const path = `${await Deno.makeTempDir()}/${name}`;
  await Deno.writeTextFile(path, makecodeV1Hex(imageRecords(v1)).join("\r\n") + "\r\n");
  return path;
}

Deno.test("cli: a MakeCode V1 hex with source after the end-of-file record flashes", async () => {
  const hex = await makecodeDownload("examples/firmware/dist/microbit-blink-v1-nrf51.hex", "a.hex");
  const args = ["flash", "--target", "microbit-v1", "--probe", "sim:microbit-v1", hex];
  const quiet = await runCli(args);
  equal(quiet.code, 0, quiet.stderr);
  doesNotMatch(quiet.stderr, /end-of-file/);
  const verbose = await runCli([...args, "-v"]);
  equal(verbose.code, 0, verbose.stderr);
  match(
    verbose.stderr,
    /a\.hex: ignored \d+ line\(s\) after the end-of-file record \(line \d+\): MakeCode's embedded source/,
  );
  doesNotMatch(verbose.stderr, /warning/);
});

Deno.test(
  "cli: diff and host-side plan read MakeCode V1 programs (Dice → Flashing-Heart)",
  needsFirmware,
  async () => {
    const dir = "microbit/makecode-universal-hex";
    const dice = await makecodeDownload(firmware(`${dir}/microbit-Dice.hex`), "dice.hex");
    const heart = await makecodeDownload(firmware(`${dir}/microbit-Flashing-Heart.hex`), "h.hex");
    const d = await runCli(["diff", dice, heart, "--block", "1024", "--json"]);
    equal(d.code, 0, d.stderr);
    equal(JSON.parse(d.stdout).different, 3); // the corpus README's V1 page count
    const p = await runCli(["plan", "--target", "microbit-v1", heart, "--against", dice]);
    equal(p.code, 0, p.stderr);
    match(p.stdout, /would write 3 of \d+ blocks/);
  },
);
