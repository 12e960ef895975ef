import { deepEqual, equal, throws } from "node:assert/strict";
import { NotFoundError, UsageError } from "../../kernel/mod.ts";
import { isCmsisDap, listHidDevices, parseUevent, pickHidDevice } from "./discover.ts";

const MICROBIT = "DRIVER=hid-generic\nHID_ID=0003:00000D28:00000204\n" +
  "HID_NAME=ARM BBC micro:bit CMSIS-DAP\nHID_PHYS=usb-0000:00:14.0-1/input3\n" +
  "HID_UNIQ=9904360250f14e4500000000000000000000000097969902\nMODALIAS=hid:b0003g0001v00000D28p00000204\n";
const KEYBOARD = "HID_ID=0003:0000046D:0000C31C\nHID_NAME=Logitech USB Keyboard\nHID_UNIQ=\n";

Deno.test("uevent parsing and CMSIS-DAP recognition", () => {
  const d = parseUevent(MICROBIT, "/dev/hidraw2")!;
  deepEqual([d.vendorId, d.productId, d.name], [0x0d28, 0x0204, "ARM BBC micro:bit CMSIS-DAP"]);
  equal(isCmsisDap(d), true);
  equal(isCmsisDap(parseUevent(KEYBOARD, "/dev/hidraw0")!), false);
  equal(parseUevent("DRIVER=x\n", "/dev/hidraw9"), undefined);
});

Deno.test("listing a sysfs tree and picking by address", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const [n, text] of [["hidraw0", KEYBOARD], ["hidraw2", MICROBIT]]) {
      await Deno.mkdir(`${root}/${n}/device`, { recursive: true });
      await Deno.writeTextFile(`${root}/${n}/device/uevent`, text);
    }
    const list = await listHidDevices(root);
    deepEqual(list.map((d) => d.path), ["/dev/hidraw0", "/dev/hidraw2"]);
    equal(pickHidDevice("hid:", list), "/dev/hidraw2");
    equal(pickHidDevice("hid:0d28:0204", list), "/dev/hidraw2");
    equal(pickHidDevice("hid:?serial=9904", list), "/dev/hidraw2");
    equal(pickHidDevice("hid:/dev/hidraw7", list), "/dev/hidraw7");
    throws(() => pickHidDevice("hid:?serial=9900", list), NotFoundError);
    throws(() => pickHidDevice("hid:nonsense", list), UsageError);
    throws(() => pickHidDevice("hid:", [list[0]]), NotFoundError);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
