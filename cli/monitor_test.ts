import { deepEqual, equal } from "node:assert/strict";
import { elfFunctionSymbols } from "../plugins/formats/elf_symbols.ts";
import { firmware, needsFirmware } from "../tests/support/firmware.ts";
import { decodeAddresses, runMonitor } from "./monitor.ts";

Deno.test("monitor decodes backtrace addresses with the app's ELF", needsFirmware, async () => {
  const syms = elfFunctionSymbols(
    await Deno.readFile(firmware("esp32/esptool-test-images/esp32-app-template.elf")),
  );
  const main = syms.find((s) => s.name === "app_main")!;
  const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
  const line = `Backtrace: ${hex(main.address + 6)}:0x3ffb5e80 ${hex(main.address + 6)}:0x3ffb5ea0`;
  deepEqual(decodeAddresses(line, syms), [line, `  ${hex(main.address + 6)}: app_main+0x6`]);
  deepEqual(decodeAddresses("no addresses here", syms), ["no addresses here"]);
});

Deno.test("monitor splits CRLF lines and flushes a trailing partial line", async () => {
  const chunks = ["boot\r\nhel", "lo\r\nlast"].map((t) => new TextEncoder().encode(t));
  const lines: string[] = [];
  let closed = false;
  await runMonitor({
    readable: ReadableStream.from(chunks),
    writable: new WritableStream(),
    baudRate: 115200,
    setSignals: () => Promise.resolve(),
    setBaudRate: () => Promise.resolve(),
    getInfo: () => ({}),
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  }, { line: (l) => lines.push(l), note: () => {} });
  deepEqual(lines, ["boot", "hello", "last"]);
  equal(closed, true);
});
