/**
 * A user-style target plugin over in-memory boards (one per port name), for CLI tests.
 * `mem:bad` cannot be opened. Boards live for the whole process.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  DeviceError,
  type FlashDevice,
  type Plugin,
  type TargetDefinition,
} from "../../kernel/mod.ts";

/** Simulated flash of each board, by port name. */
export const boards = new Map<string, Uint8Array>();

const layout = { regions: [{ name: "flash", start: 0, size: 65536, blockSize: 4096 }] };

function device(flash: Uint8Array, log: string[]): FlashDevice {
  return {
    info: { chip: "membox", details: { serial: "MB-0001" } },
    layout,
    hashAlgorithms: ["md5"],
    hashGranularity: "any",
    hash: (_c, _a, ranges) =>
      Promise.resolve(
        ranges.map((r) =>
          new Uint8Array(createHash("md5").update(flash.subarray(r.start, r.end)).digest())
        ),
      ),
    read: (_c, a, n) => Promise.resolve(flash.slice(a, a + n)),
    erase: (_c, ranges) => {
      for (const r of ranges) flash.fill(0xff, r.start, r.end);
      return Promise.resolve();
    },
    reset: () => {
      log.push("reset");
      return Promise.resolve();
    },
    monitor: () => {
      const lines = ["boot: membox", "hello from the app", "tick 1"];
      return Promise.resolve({
        readable: ReadableStream.from(lines.map((l) => new TextEncoder().encode(l + "\r\n"))),
        writable: new WritableStream(),
        baudRate: 115200,
        setSignals: () => Promise.resolve(),
        setBaudRate: () => Promise.resolve(),
        getInfo: () => ({ path: "mem" }),
        close: () => Promise.resolve(),
      });
    },
    program: (c, runs) => {
      for (const r of runs) {
        flash.set(r.data, r.address);
        c.emit({
          type: "progress",
          stage: "write",
          done: r.data.length,
          total: r.data.length,
          unit: "bytes",
        });
      }
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

/** Plugin factory, as a user would write one. */
export default function membox(): Plugin {
  const target: TargetDefinition = {
    name: "membox",
    family: "test",
    description: "in-memory boards",
    link: "serial",
    hash: "md5",
    layout,
    connect(_ctx, { port }) {
      if (!port || port === "mem:bad") {
        return Promise.reject(
          new DeviceError(`cannot open ${port}`, { hint: "is it plugged in?" }),
        );
      }
      if (!boards.has(port)) boards.set(port, new Uint8Array(65536).fill(0xff));
      return Promise.resolve(device(boards.get(port)!, []));
    },
  };
  return (host) => host.registerTarget(target);
}
