import { deepEqual } from "node:assert/strict";
import { HASH_STUB, PROGRAM_STUB } from "./blobs.ts";
import { buildStubs, toolchainAvailable } from "./build.ts";

Deno.test("committed stubs equal a fresh build and the embedded module", async (t) => {
  const committed = {
    hash: await Deno.readFile(new URL("hash.bin", import.meta.url)),
    program: await Deno.readFile(new URL("program.bin", import.meta.url)),
  };
  deepEqual(HASH_STUB, committed.hash);
  deepEqual(PROGRAM_STUB, committed.program);
  if (!(await toolchainAvailable())) {
    console.log(
      "skipping rebuild: arm-none-eabi-as not installed (apt-get install gcc-arm-none-eabi)",
    );
    return;
  }
  const built = await buildStubs();
  await t.step("hash", () => deepEqual(built.get("hash"), committed.hash));
  await t.step("program", () => deepEqual(built.get("program"), committed.program));
});
