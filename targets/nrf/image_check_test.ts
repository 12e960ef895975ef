import { equal, match, throws } from "node:assert/strict";
import { FlashImage, WrongTargetError } from "../../kernel/mod.ts";
import { parseIntelHex, selectSection } from "../../plugins/formats/ihex.ts";
import { firmware, listFirmware, needsFirmware } from "../../tests/support/firmware.ts";
import { BOARDS, type NrfBoard } from "./chips.ts";
import { checkNrfImage } from "./image_check.ts";

const [V1, V2, N840] = BOARDS;

async function hexImage(path: string, board?: string): Promise<FlashImage> {
  const parsed = parseIntelHex(await Deno.readTextFile(path), path.split("/").pop()!);
  const img = selectSection(parsed, board ? { board } : {}, path);
  return img.slice(0, 0x20000000); // as the nRF loadImage stage drops RAM bytes
}

function refusal(image: FlashImage, board: NrfBoard): WrongTargetError {
  try {
    checkNrfImage(image, board);
  } catch (e) {
    if (e instanceof WrongTargetError) return e;
    throw e;
  }
  throw new Error(`${board.target} took the image`);
}

const words = (address: number, ...w: number[]) => {
  const data = new Uint8Array(w.length * 4);
  w.forEach((v, i) => new DataView(data.buffer).setUint32(i * 4, v, true));
  return { address, data, source: "t.hex" };
};

Deno.test("nRF image check: the example builds run only on their own series", async () => {
  const dist = "examples/firmware/dist";
  const nrf51 = await hexImage(`${dist}/microbit-blink-v1-nrf51.hex`);
  const nrf52 = await hexImage(`${dist}/microbit-blink-v1-nrf52.hex`);
  checkNrfImage(nrf51, V1);
  checkNrfImage(nrf52, V2);
  checkNrfImage(nrf52, N840);
  const e = refusal(nrf51, V2);
  equal(e.exitCode, 2);
  match(e.message, /built for an nRF51, not the nRF52833: its vector table is an nRF51's/);
  match(e.hint!, /use --target microbit-v1 \(--force flashes it to the micro:bit V2 anyway\)/);
  match(refusal(nrf51, N840).hint!, /--target microbit-v1/);
  const back = refusal(nrf52, V1);
  match(back.message, /stack at 0x20020000, past the nRF51822's 16 KiB of RAM/);
  match(back.hint!, /--target microbit-v2/);
});

Deno.test("nRF image check: sizes, UICR registers and SoftDevice ids", () => {
  const code = (n: number) => ({ address: 0, data: new Uint8Array(n), source: "t.hex" });
  // larger than the chip's flash
  const big = FlashImage.from([code(0x1000), { ...code(16), address: 0x7fff0 }]);
  checkNrfImage(big, V2);
  match(refusal(big, V1).message, /needs 512 KiB of flash \(up to 0x80000\); the nRF51822 has 256/);
  match(refusal(big, V1).hint!, /--target microbit-v2/);
  const huge = FlashImage.from([{ ...code(16), address: 0xffff0 }]);
  match(refusal(huge, V2).hint!, /use --target nrf52840/);
  // nRF52-only UICR registers (APPROTECT at 0x10001208) on an nRF51
  const approtect = FlashImage.from([code(64), words(0x10001208, 0)]);
  checkNrfImage(approtect, V2);
  match(
    refusal(approtect, V1).message,
    /UICR up to 0x1000120c; the nRF51822's UICR ends at 0x10001100/,
  );
  // nRF51-only UICR registers (CLENR0) on an nRF52
  const clenr0 = FlashImage.from([code(64), words(0x10001000, 0x18000)]);
  checkNrfImage(clenr0, V1);
  match(refusal(clenr0, V2).message, /writes UICR 0x10001000, a register only nRF51 chips have/);
  // an nRF51 SoftDevice's information structure
  const s110 = FlashImage.from([
    code(0x3000),
    words(0x3000, 0xffffff2c, 0x51b1e5db, 0x18000, 0xffff0064),
  ]);
  checkNrfImage(s110, V1);
  match(refusal(s110, V2).message, /the nRF51 SoftDevice S110 8\.0\.0 \(firmware id 0x64\)/);
  // a vector table with nRF52's 64 entries and a small stack is not mistaken for an nRF51's
  const handlers = Array.from({ length: 62 }, () => 0x41);
  checkNrfImage(FlashImage.from([words(0, 0x20004000, ...handlers)]), V2);
});

Deno.test(
  "nRF image check: every corpus image is taken by its board and refused by the other",
  needsFirmware,
  async () => {
    const mb = "microbit";
    let checked = 0;
    for (const f of listFirmware(mb, ".hex")) {
      const text = await Deno.readTextFile(f);
      const universal = parseIntelHex(text, f).universal;
      for (const [own, other, board] of [[V1, V2, "v1"], [V2, V1, "v2"]] as const) {
        if (!universal && !f.includes(`-${board}`)) continue;
        const img = await hexImage(f, universal ? board : undefined);
        checkNrfImage(img, own);
        match(refusal(img, other).hint!, new RegExp(`--target ${own.target}\\b`), f);
        checked++;
      }
    }
    equal(checked >= 20, true);
    for (const f of listFirmware("nrf52", ".hex")) {
      const img = await hexImage(f);
      checkNrfImage(img, N840);
      match(refusal(img, V2).hint!, /--target nrf52840/);
      match(refusal(img, V1).message, /needs 1015 KiB of flash/);
    }
    const dice = await hexImage(firmware(`${mb}/makecode-universal-hex/microbit-Dice.hex`), "v1");
    match(refusal(dice, V2).message, /SoftDevice S110 8\.0\.0/);
    const upy = await hexImage(firmware(`${mb}/micropython/micropython-v1_1.1.1_9eaa1799.hex`));
    match(
      refusal(upy, V2).message,
      /vector table is an nRF51's \(\d+ entries, stack at 0x20004000\)/,
    );
  },
);

Deno.test("a Universal Hex without the board's section names the target it suits", () => {
  throws(
    () => selectSection(parseIntelHex(onlyV1Universal(), "u.hex"), { board: "v2" }, "u.hex"),
    (e: unknown) =>
      e instanceof WrongTargetError && e.exitCode === 2 &&
      /u\.hex is a Universal Hex with no section for board id 0x9903/.test(e.message) &&
      /built for microbit-v1: use --target microbit-v1/.test(e.hint ?? ""),
  );
});

/** A Universal Hex with only a V1 (0x9900) section. */
export function onlyV1Universal(): string {
  return [
    ":020000040000FA",
    ":0400000A9900C0DEBB",
    ":1000000000400020410000009D0000009D00000015",
    ":00000B01F4",
    ":00000001FF",
  ].join("\n");
}
