import { deepEqual, throws } from "node:assert/strict";
import { UsageError } from "./errors.ts";
import { parseImageSpec } from "./load.ts";

Deno.test("parseImageSpec: hex, decimal, names with @, and mistyped addresses", () => {
  deepEqual(parseImageSpec("app.bin@0x10000"), { file: "app.bin", address: 0x10000 });
  deepEqual(parseImageSpec("app.bin@0X1f000"), { file: "app.bin", address: 0x1f000 });
  deepEqual(parseImageSpec("app.bin@10000"), { file: "app.bin", address: 10000 }); // decimal
  deepEqual(parseImageSpec("program.hex"), { file: "program.hex" });
  deepEqual(parseImageSpec("C:\\fw\\app.bin@0x0"), { file: "C:\\fw\\app.bin", address: 0 });
  // an @ that belongs to the name
  deepEqual(parseImageSpec("fw@2.bin"), { file: "fw@2.bin" });
  deepEqual(parseImageSpec("builds@v2"), { file: "builds@v2" });
  deepEqual(parseImageSpec("out@1/app.bin"), { file: "out@1/app.bin" });
  deepEqual(parseImageSpec("@0x10"), { file: "@0x10" });
  // what starts like an address but is not one
  for (const bad of ["0x1O000", "0x", "0x10000h", "1e4", "-1", "+0x10", "0x10_000", "65,536"]) {
    throws(
      () => parseImageSpec(`app.bin@${bad}`),
      (e: unknown) =>
        e instanceof UsageError && e.message === `bad address '${bad}' in app.bin@${bad}` &&
        /0x10000/.test(e.hint ?? ""),
      bad,
    );
  }
});
