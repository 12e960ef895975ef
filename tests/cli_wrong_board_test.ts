/**
 * A hex built for the other micro:bit is refused as a usage error while loading, before any
 * probe is opened, with a hint naming the right target; --force flashes it anyway.
 */
import { doesNotMatch, equal, match } from "node:assert/strict";
import { parseIntelHex, selectSection } from "../plugins/formats/ihex.ts";
import { firmware, needsFirmware } from "./support/firmware.ts";
import { EOF_RECORD, imageRecords, rec } from "./support/intel_hex.ts";
import { runCli } from "./support/run_cli.ts";

const NRF51_HEX = "examples/firmware/dist/microbit-blink-v1-nrf51.hex";
const NRF52_HEX = "examples/firmware/dist/microbit-blink-v1-nrf52.hex";
// A probe that cannot be opened: a refusal that names it would mean it was tried.
const NO_PROBE = "hid:ffff:0000";

Deno.test("cli: an nRF51 hex on --target microbit-v2 exits 2 before the probe is opened", async () => {
  const r = await runCli(["flash", "--target", "microbit-v2", "--probe", NO_PROBE, NRF51_HEX]);
  equal(r.code, 2, r.stderr);
  match(r.stderr, /built for an nRF51, not the nRF52833/);
  match(r.stderr, /hint: it suits micro:bit V1: use --target microbit-v1/);
  doesNotMatch(r.stderr, /ffff/);
  const plan = await runCli(["plan", "--target", "microbit-v2", NRF51_HEX, "--against", NRF51_HEX]);
  equal(plan.code, 2, plan.stderr);
  const back = await runCli(["flash", "--target", "microbit-v1", "--probe", NO_PROBE, NRF52_HEX]);
  equal(back.code, 2, back.stderr);
  match(back.stderr, /use --target microbit-v2/);
});

Deno.test("cli: --force flashes an nRF51 hex onto a micro:bit V2, UICR and all", async () => {
  const args = ["flash", "--target", "microbit-v2", "--probe", "sim:microbit-v2", NRF51_HEX];
  equal((await runCli(args)).code, 2);
  const r = await runCli([...args, "--force"]);
  equal(r.code, 0, r.stderr);
  match(r.stdout, /verified/);
});

Deno.test("cli: a Universal Hex without the board's section exits 2 naming the target", async () => {
  const file = `${await Deno.makeTempDir()}/v1only.hex`;
  const v1 = selectSection(parseIntelHex(await Deno.readTextFile(NRF51_HEX), "x"), {}, "x");
  const lines = imageRecords(v1);
  await Deno.writeTextFile(
    file,
    [
      lines[0],
      rec(0x0a, 0, [0x99, 0x00, 0xc0, 0xde]),
      ...lines.slice(1),
      rec(0x0b, 0, []),
      EOF_RECORD,
    ].join("\n"),
  );
  const r = await runCli(["flash", "--target", "microbit-v2", "--probe", NO_PROBE, file]);
  equal(r.code, 2, r.stderr);
  match(
    r.stderr,
    /with no section for board id 0x9903\/0x9904\/0x9905\/0x9906 \(it has 0x9900\)/,
  );
  match(r.stderr, /use --target microbit-v1/);
  equal(
    (await runCli(["flash", "--target", "microbit-v1", "--probe", "sim:microbit-v1", file])).code,
    0,
  );
});

Deno.test(
  "cli: a plain MakeCode V1 hex (S110 SoftDevice, UICR word) is refused on a micro:bit V2",
  needsFirmware,
  async () => {
    const src = firmware("microbit/makecode-universal-hex/microbit-Dice.hex");
    const v1 = selectSection(
      parseIntelHex(await Deno.readTextFile(src), src),
      { board: "v1" },
      src,
    );
    const file = `${await Deno.makeTempDir()}/dice-v1.hex`;
    await Deno.writeTextFile(file, [...imageRecords(v1), EOF_RECORD].join("\n"));
    const r = await runCli(["flash", "--target", "microbit-v2", "--probe", NO_PROBE, file]);
    equal(r.code, 2, r.stderr);
    match(r.stderr, /nRF51 SoftDevice S110 8\.0\.0/);
    const v2 = firmware("microbit/micropython/micropython-v2_2.1.2_cfa3bb08.hex");
    const big = await runCli(["flash", "--target", "microbit-v1", "--probe", NO_PROBE, v2]);
    equal(big.code, 2, big.stderr);
    match(big.stderr, /needs 509 KiB of flash .* the nRF51822 has 256 KiB/);
  },
);
