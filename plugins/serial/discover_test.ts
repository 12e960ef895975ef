import assert from "node:assert/strict";
import { DeviceError } from "../../kernel/mod.ts";
import { listPorts, pickPort, PortChoiceError, type PortEntry } from "./discover.ts";
import { portsCommand, portsReport } from "./report.ts";
import { familyOfTarget } from "./bridges.ts";

/** Builds a fake sysfs with a CP210x, an ESP32-C3's own USB serial, a UART and junk. */
function fakeSys(): string {
  const root = Deno.makeTempDirSync({ prefix: "df-sys-" });
  const w = (p: string, s: string) => {
    Deno.mkdirSync(p.replace(/\/[^/]+$/, ""), { recursive: true });
    Deno.writeTextFileSync(p, s + "\n");
  };
  const usb = `${root}/devices/pci0000:00/0000:00:14.0/usb1`;
  // CP210x: tty device is a usb-serial port under the interface.
  const cp = `${usb}/1-2`;
  w(`${cp}/idVendor`, "10c4");
  w(`${cp}/idProduct`, "ea60");
  w(`${cp}/serial`, "0001");
  w(`${cp}/manufacturer`, "Silicon Labs");
  w(`${cp}/product`, "CP2102 USB to UART Bridge Controller");
  w(`${cp}/1-2:1.0/bInterfaceNumber`, "00");
  Deno.mkdirSync(`${cp}/1-2:1.0/ttyUSB0`, { recursive: true });
  Deno.mkdirSync(`${root}/bus/usb-serial/drivers/cp210x`, { recursive: true });
  Deno.symlinkSync(`${root}/bus/usb-serial/drivers/cp210x`, `${cp}/1-2:1.0/ttyUSB0/driver`);
  // ESP32-C3 USB-JTAG-Serial: tty device is the CDC interface itself (interface 0).
  const esp = `${usb}/1-3`;
  w(`${esp}/idVendor`, "303a");
  w(`${esp}/idProduct`, "1001");
  w(`${esp}/serial`, "84:F7:03:AA:BB:CC");
  w(`${esp}/product`, "USB JTAG/serial debug unit");
  w(`${esp}/1-3:1.0/bInterfaceNumber`, "00");
  Deno.mkdirSync(`${root}/bus/usb/drivers/cdc_acm`, { recursive: true });
  Deno.symlinkSync(`${root}/bus/usb/drivers/cdc_acm`, `${esp}/1-3:1.0/driver`);
  // A real on-board UART and an empty 8250 slot.
  // Linux ≥ 6.5 puts serial-base "port" and "ctrl" devices between the tty and the UART.
  const uart = `${root}/devices/pnp0/00:01`;
  Deno.mkdirSync(`${uart}/00:01:0/00:01:0.0`, { recursive: true });
  for (const d of ["serial", "port", "ctrl"]) {
    Deno.mkdirSync(`${root}/bus/x/drivers/${d}`, { recursive: true });
  }
  Deno.symlinkSync(`${root}/bus/x/drivers/serial`, `${uart}/driver`);
  Deno.symlinkSync(`${root}/bus/x/drivers/ctrl`, `${uart}/00:01:0/driver`);
  Deno.symlinkSync(`${root}/bus/x/drivers/port`, `${uart}/00:01:0/00:01:0.0/driver`);
  Deno.mkdirSync(`${root}/devices/platform/serial8250`, { recursive: true });
  const tty = `${root}/class/tty`;
  const link = (name: string, target: string, type?: string) => {
    Deno.mkdirSync(`${tty}/${name}`, { recursive: true });
    if (target) Deno.symlinkSync(target, `${tty}/${name}/device`);
    if (type) w(`${tty}/${name}/type`, type);
  };
  link("ttyUSB0", `${cp}/1-2:1.0/ttyUSB0`);
  link("ttyACM0", `${esp}/1-3:1.0`);
  link("ttyS0", `${uart}/00:01:0/00:01:0.0`, "4");
  link("ttyS1", `${root}/devices/platform/serial8250`, "0");
  link("tty0", ""); // a virtual console: no device link
  return root;
}

Deno.test("discovery: USB ids, strings, driver and bridge from sysfs", async () => {
  const root = fakeSys();
  try {
    const ports = listPorts({ sysRoot: root, devRoot: "/dev" });
    assert.deepEqual(ports.map((p) => p.path), ["/dev/ttyACM0", "/dev/ttyUSB0", "/dev/ttyS0"]);
    const [acm, usb] = ports;
    assert.equal(usb.driver, "cp210x");
    assert.deepEqual(usb.usb, {
      vendorId: 0x10c4,
      productId: 0xea60,
      serialNumber: "0001",
      manufacturer: "Silicon Labs",
      product: "CP2102 USB to UART Bridge Controller",
      interface: 0,
    });
    assert.equal(usb.bridge?.name, "Silicon Labs CP210x");
    assert.equal(acm.driver, "cdc_acm");
    assert.equal(acm.bridge?.name, "Espressif USB-JTAG-Serial");
    assert.equal(acm.usb?.serialNumber, "84:F7:03:AA:BB:CC");
    assert.equal(ports[2].usb, undefined);
    assert.equal(ports[2].driver, "serial");
    const report = portsReport({ sysRoot: root });
    assert.equal(report.ports[1].usbId, "10c4:ea60");
    assert.deepEqual(report.ports[1].families, ["esp"]);
    assert.match(report.text.split("\n")[2], /^\/dev\/ttyUSB0\s+10c4:ea60\s+cp210x\s+Silicon Labs/);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: () => {} };
    await portsCommand({ sysRoot: root }).run([], { json: true }, io);
    assert.deepEqual(JSON.parse(lines[0]), report.ports);
    await portsCommand({ sysRoot: root }).run([], {}, io);
    assert.equal(lines[1], report.text);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("discovery: no ports is an empty list, not an error", () => {
  const root = Deno.makeTempDirSync();
  try {
    assert.deepEqual(listPorts({ sysRoot: root }), []);
    assert.deepEqual(portsReport({ sysRoot: root }), { ports: [], text: "no serial ports found" });
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
  // The real machine may or may not have ports; listing must not throw either way.
  assert.ok(Array.isArray(listPorts()));
});

Deno.test("pickPort: one candidate, one suitable bridge, or a typed error listing them", () => {
  const cp: PortEntry = {
    path: "/dev/ttyUSB0",
    usb: { vendorId: 0x10c4, productId: 0xea60 },
    bridge: { vendorId: 0x10c4, productId: 0xea60, name: "Silicon Labs CP210x", families: ["esp"] },
  };
  const dap: PortEntry = {
    path: "/dev/ttyACM0",
    usb: { vendorId: 0x0d28, productId: 0x0204 },
    bridge: { vendorId: 0x0d28, productId: 0x0204, name: "Arm DAPLink", families: ["nrf"] },
  };
  const uart: PortEntry = { path: "/dev/ttyS0", driver: "serial8250" };
  assert.equal(pickPort([uart], "esp"), uart);
  assert.equal(pickPort([cp, dap, uart], familyOfTarget("esp32c3")), cp);
  assert.equal(pickPort([cp, dap], familyOfTarget("microbit-v2")), dap);
  assert.throws(() => pickPort([], "esp"), (e) => e instanceof DeviceError);
  assert.throws(() => pickPort([cp, { ...cp, path: "/dev/ttyUSB1" }], "esp"), (e) => {
    assert.ok(e instanceof PortChoiceError);
    assert.equal(e.candidates.length, 2);
    assert.match(e.hint ?? "", /\/dev\/ttyUSB0 \(Silicon Labs CP210x 10c4:ea60\).*\/dev\/ttyUSB1/);
    return true;
  });
});
