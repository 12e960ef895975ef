import { deepEqual } from "node:assert/strict";
import { STM32F1_STUB } from "./blob.ts";
import { blobModule, buildStub, toolchainAvailable } from "./build.ts";

Deno.test("stm32f1 stub: committed binary equals the embedded blob and a fresh build", async () => {
  const committed = await Deno.readFile(new URL("stm32f1.bin", import.meta.url));
  deepEqual(STM32F1_STUB, committed);
  deepEqual(await Deno.readTextFile(new URL("blob.ts", import.meta.url)), blobModule(committed));
  if (!(await toolchainAvailable())) {
    console.log(
      "skipping rebuild: arm-none-eabi-as not installed (apt-get install gcc-arm-none-eabi)",
    );
    return;
  }
  deepEqual(await buildStub(), committed);
});
