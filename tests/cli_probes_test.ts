/**
 * `probes`: attached CMSIS-DAP probes (from sysfs) with board id, serial number and the
 * targets they suit; probes given with --probe are asked over CMSIS-DAP.
 *
 * @module
 */
import { deepEqual, equal, match } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { probesCommand } from "../cli/commands/probes.ts";

const root = fileURLToPath(new URL("../", import.meta.url));

Deno.test("probes: a DAPLink in sysfs shows its board id and the micro:bit it suits", async () => {
  const sys = await Deno.makeTempDir();
  const add = async (n: string, uevent: string) => {
    await Deno.mkdir(`${sys}/${n}/device`, { recursive: true });
    await Deno.writeTextFile(`${sys}/${n}/device/uevent`, uevent);
  };
  await add(
    "hidraw0",
    "HID_ID=0003:00000D28:00000204\nHID_NAME=ARM DAPLink CMSIS-DAP\nHID_UNIQ=9904360258994e4500\n",
  );
  await add("hidraw1", "HID_ID=0003:0000046D:0000C077\nHID_NAME=Logitech Mouse\nHID_UNIQ=\n");
  await add(
    "hidraw2",
    "HID_ID=0003:00000D28:00000204\nHID_NAME=ARM DAPLink CMSIS-DAP\nHID_UNIQ=9901000052824e45\n",
  );
  const out: string[] = [], err: string[] = [];
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    isTerminal: false,
  };
  equal(await probesCommand(io, sys).run([], { json: true }), 0);
  deepEqual(JSON.parse(out[0]), [
    {
      address: "hid:/dev/hidraw0",
      name: "ARM DAPLink CMSIS-DAP",
      serialNumber: "9904360258994e4500",
      boardId: "9904",
      targets: ["microbit-v2"],
    },
    {
      address: "hid:/dev/hidraw2",
      name: "ARM DAPLink CMSIS-DAP",
      serialNumber: "9901000052824e45",
      boardId: "9901",
      targets: ["microbit-v1"],
    },
  ]);
  await probesCommand(io, sys).run([], {});
  match(
    out[1],
    /^PROBE +DEVICE +SERIAL +BOARD ID +FOR\nhid:\/dev\/hidraw0 +ARM DAPLink CMSIS-DAP +9904360258994e4500 +9904 +microbit-v2\n/,
  );
});

Deno.test("deltaflash probes --probe asks each probe which board it serves", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "cli.ts",
      "probes",
      "--probe",
      "sim:microbit-v1",
      "--probe",
      "sim:microbit-v2",
    ],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(r.stdout);
  equal(r.code, 0, new TextDecoder().decode(r.stderr));
  match(stdout, /^sim:microbit-v1 .* microbit-v1$/m);
  match(stdout, /^sim:microbit-v2 .* microbit-v2$/m);
});
