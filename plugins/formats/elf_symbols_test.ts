import { equal } from "node:assert/strict";
import { firmware, needsFirmware } from "../../tests/support/firmware.ts";
import { elfFunctionSymbols, symbolize } from "./elf_symbols.ts";

Deno.test("elf symbols: ESP-IDF app functions resolve by address", needsFirmware, async () => {
  const syms = elfFunctionSymbols(
    await Deno.readFile(firmware("esp32/esptool-test-images/esp32-app-template.elf")),
  );
  const main = syms.find((s) => s.name === "app_main");
  equal(main !== undefined, true);
  equal(symbolize(syms, main!.address), "app_main");
  equal(symbolize(syms, main!.address + 2), "app_main+0x2");
  equal(symbolize(syms, syms[0].address - 1), undefined); // below every function
});
