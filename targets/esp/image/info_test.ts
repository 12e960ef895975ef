import assert from "node:assert/strict";
import { parseAppImage } from "./app_image.ts";
import { imageInfo } from "./info.ts";
import { readFirmware, skipNoFirmware } from "./testdata.ts";

Deno.test("image-info escapes control characters in the app description's strings", () => {
  if (skipNoFirmware()) return;
  const bytes = readFirmware("esp32c3-beehive-idf/hello_world_1_b75cf0a.bin").slice();
  // The app description is the first segment's data; the project name is at +48 (32 bytes).
  const at = parseAppImage(bytes).segments[0].fileOffset! + 8 + 48;
  bytes.set(new TextEncoder().encode("x\x1b[2J\x1b]0;t\x07\0"), at);
  const info = imageInfo(bytes);
  assert.ok(info.kind === "app-image");
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(info.text, /[\x1b\x07]/);
  assert.match(info.text, /App: x\\x1b\[2J\\x1b\]0;t\\x07 /);
});
