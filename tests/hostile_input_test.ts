import assert from "node:assert/strict";
import { ConfigError, parseImageSpec, UsageError } from "../kernel/mod.ts";
import { validateConfig } from "../cli/config.ts";

Deno.test("load addresses beyond 32 bits are refused on the command line and in config", () => {
  assert.throws(() => parseImageSpec("app.bin@0x100010000"), UsageError);
  assert.throws(() => parseImageSpec("app.bin@4294967296"), UsageError);
  assert.equal(parseImageSpec("app.bin@0xffffffff").address, 0xffffffff);
  assert.throws(
    () => validateConfig({ images: [{ file: "a.bin", address: "0x100000000" }] }, "c.json", "/"),
    ConfigError,
  );
  assert.throws(
    () => validateConfig({ images: [{ file: "a.bin", address: 2 ** 32 }] }, "c.json", "/"),
    ConfigError,
  );
});
