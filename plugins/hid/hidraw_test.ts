import { deepEqual, equal, rejects } from "node:assert/strict";
import { DeviceError, TimeoutError } from "../../kernel/mod.ts";
import { HidrawLink } from "./hidraw.ts";

const linux = Deno.build.os === "linux";
if (!linux) console.log("skipping hidraw FFI test: Linux only");

// A FIFO stands in for /dev/hidrawN: it checks the FFI calls, the 65-byte write with report
// id 0, polling and the timeout (a FIFO has no report boundaries, so only byte order is checked).
Deno.test({
  name: "hidraw link: report id 0 + 64-byte writes, polled reads, timeout, close",
  ignore: !linux,
  async fn() {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/hidraw-fifo`;
    try {
      const made = await new Deno.Command("mkfifo", { args: [path] }).output();
      if (!made.success) return console.log("skipping: mkfifo failed");
      const link = HidrawLink.open(path);
      await link.write(Uint8Array.of(0x00, 0xfe));
      const r = await link.read(200);
      equal(r.length, 64);
      deepEqual([...r.subarray(0, 3)], [0x00, 0x00, 0xfe]);
      deepEqual([...(await link.read(200))], [0x00]); // the 65th byte
      await rejects(() => link.read(30), TimeoutError);
      await link.close();
      await rejects(() => link.write(Uint8Array.of(0)), DeviceError);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "hidraw link: a missing device is a DeviceError with a hint",
  ignore: !linux,
  fn() {
    try {
      HidrawLink.open("/dev/hidraw-does-not-exist");
      throw new Error("opened");
    } catch (e) {
      equal(e instanceof DeviceError, true);
      equal(/replug/.test((e as DeviceError).hint ?? ""), true);
    }
  },
});
