/**
 * The libc calls hidraw needs (Linux), loaded once with `Deno.dlopen("libc.so.6")`.
 *
 * @module
 */
import { UsageError } from "../../kernel/mod.ts";

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // Blocking poll on a worker thread keeps the event loop free.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** Linux open(2) flags and poll(2) events. */
export const O_RDWR = 0o2, O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000;
/** poll events. */
export const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
/** errno values. */
export const EAGAIN = 11, EACCES = 13, ENOENT = 2, EBUSY = 16;

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** The loaded symbols; a UsageError off Linux. */
export function libc(): Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] {
  if (Deno.build.os !== "linux") {
    throw new UsageError(`HID probes are supported on Linux only (this is ${Deno.build.os})`, {
      hint: "run `deltaflash probe-server` on a Linux host and use --probe ws://host:port",
    });
  }
  lib ??= Deno.dlopen("libc.so.6", SYMBOLS);
  return lib.symbols;
}

/** errno of the last synchronous call on this thread. */
export function errno(): number {
  const p = libc().__errno_location();
  return p ? new Deno.UnsafePointerView(p).getInt32() : 0;
}
