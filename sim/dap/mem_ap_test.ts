import { deepEqual as assertEquals } from "node:assert/strict";
import { MemAp } from "./mem_ap.ts";

function ap(wrap = 1024) {
  const mem = new Uint8Array(0x2000);
  const view = new DataView(mem.buffer);
  const bus = {
    debugRead(a: number, size: 1 | 2 | 4) {
      if (a >= mem.length) return { ok: false as const, wait: false };
      const value = size === 4
        ? view.getUint32(a, true)
        : size === 2
        ? view.getUint16(a, true)
        : mem[a];
      return { ok: true as const, value };
    },
    debugWrite(a: number, size: 1 | 2 | 4, v: number) {
      if (a >= mem.length) return { ok: false as const, wait: false };
      if (size === 4) view.setUint32(a, v, true);
      else if (size === 2) view.setUint16(a, v, true);
      else mem[a] = v;
      return { ok: true as const, value: 0 };
    },
  };
  return { mem, view, port: new MemAp(bus, 0x04770021, wrap) };
}

const value = (r: ReturnType<MemAp["read"]>) => (r.status === "ok" ? r.value : r.status);

Deno.test("byte and halfword accesses use the byte lanes of TAR[1:0]", () => {
  const { mem, port } = ap();
  port.write(0x00, 0x23000050); // byte, auto-increment
  port.write(0x04, 0x101);
  port.write(0x0c, 0x0000ab00); // lane 1
  assertEquals(mem[0x101], 0xab);
  port.write(0x0c, 0x00cd0000); // TAR 0x102, lane 2
  assertEquals(mem[0x102], 0xcd);
  port.write(0x00, 0x23000051); // halfword
  port.write(0x04, 0x102);
  assertEquals(value(port.read(0x0c)), 0x00cd0000);
  port.write(0x04, 0x100);
  assertEquals(value(port.read(0x0c)), 0xab00);
  assertEquals(value(port.read(0x04)), 0x102);
});

Deno.test("TAR wraps at the auto-increment boundary; BDn do not increment", () => {
  const { view, port } = ap(1024);
  port.write(0x00, 0x23000052);
  port.write(0x04, 0x3fc);
  port.write(0x0c, 1);
  port.write(0x0c, 2);
  assertEquals([
    view.getUint32(0x3fc, true),
    view.getUint32(0x000, true),
    view.getUint32(0x400, true),
  ], [1, 2, 0]);
  port.write(0x04, 0x1f4);
  port.write(0x18, 0x77); // BD2 → 0x1f8
  assertEquals([view.getUint32(0x1f8, true), value(port.read(0x04))], [0x77, 0x1f4]);
  const big = ap(4096);
  big.port.write(0x00, 0x23000052);
  big.port.write(0x04, 0x3fc);
  big.port.write(0x0c, 1);
  big.port.write(0x0c, 2);
  assertEquals(big.view.getUint32(0x400, true), 2);
});

Deno.test("CSW keeps DeviceEn and ignores unsupported sizes; IDR and BASE read back", () => {
  const { port } = ap();
  port.write(0x00, 0x23000052);
  port.write(0x00, 0x23000057); // size 7 unsupported: size stays 32-bit
  assertEquals(value(port.read(0x00)), 0x23000052);
  assertEquals([value(port.read(0xfc)), value(port.read(0xf8))], [0x04770021, 0xe00ff003]);
  port.write(0x04, 0x3000);
  assertEquals(port.read(0x0c).status, "fault");
});
