import assert from "node:assert/strict";
import {
  createContext,
  FlashImage,
  type ImageInput,
  type LoadImageArgs,
  readInput,
} from "../../../kernel/mod.ts";
import { readValidAppImage } from "./app_image.ts";
import { espImageChip } from "./chips.ts";
import { elfToImage } from "./elf2image.ts";
import { elfInputToImage, espLoadImageStage } from "./stages.ts";
import { assertSameBytes, ESP_FIRMWARE_DIR, readFirmware, skipNoFirmware } from "./testdata.ts";

const APP_ELF = "esptool-test-images/esp32-app-template.elf";

Deno.test("an ELF input becomes its app image at 0x10000 (or its own address)", async () => {
  if (skipNoFirmware()) return;
  const chip = espImageChip("esp32");
  const file = new URL(APP_ELF, ESP_FIRMWARE_DIR).pathname;
  const converted = await elfInputToImage(chip, { file }, { flashMode: "qio", flashFreq: "80m" });
  assert.equal(converted.address, 0x10000);
  assert.equal(converted.format, "bin");
  const image = readValidAppImage(converted.bytes!);
  assert.equal(image.flashMode, 0);
  assert.equal(image.flashSizeFreq, 0x2f);
  const expected = elfToImage(readFirmware(APP_ELF), { chip, flashMode: "qio", flashFreq: "80m" });
  assertSameBytes(converted.bytes!, expected, "converted ELF");
  const at = await elfInputToImage(chip, { file, address: 0x20000 });
  assert.equal(at.address, 0x20000);
  const bin: ImageInput = { file: "x.bin", address: 0 };
  assert.equal(await elfInputToImage(chip, bin), bin); // not read, not changed
});

Deno.test("the loadImage stage hands converted ELF inputs to the stage below", async () => {
  if (skipNoFirmware()) return;
  const file = new URL(APP_ELF, ESP_FIRMWARE_DIR).pathname;
  let seen: readonly ImageInput[] = [];
  const below = async (_ctx: unknown, args: LoadImageArgs) => {
    seen = args.inputs;
    const data = await readInput(args.inputs[0]);
    return FlashImage.from([{ address: args.inputs[0].address!, data, source: "app" }]);
  };
  const args = { inputs: [{ file }], formatOptions: {} } as LoadImageArgs;
  const image = await espLoadImageStage("esp32")(below)(createContext(), args);
  assert.equal(seen[0].format, "bin");
  assert.equal(image.start, 0x10000);
  readValidAppImage(image.segments[0].data);
});
