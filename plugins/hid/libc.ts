/**
 * libc for hidraw (Linux only), through the shared binding (`../ffi/libc.ts`), with the
 * open flags, poll events and errno values hidraw uses.
 *
 * @module
 */
import { UsageError } from "../../kernel/mod.ts";
import { errnoOf, type Libc, loadLibc } from "../ffi/libc.ts";

/** Linux open(2) flags and poll(2) events. */
export const O_RDWR = 0o2, O_NONBLOCK = 0o4000, O_CLOEXEC = 0o2000000;
/** poll events. */
export const POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
/** errno values. */
export const EAGAIN = 11, EACCES = 13, ENOENT = 2, EBUSY = 16;

/** The loaded symbols; a UsageError off Linux. */
export function libc(): Libc {
  if (Deno.build.os !== "linux") {
    throw new UsageError(`HID probes are supported on Linux only (this is ${Deno.build.os})`, {
      hint: "run `deltaflash probe-server` on a Linux host and use --probe ws://host:port",
    });
  }
  return loadLibc("libc.so.6");
}

/** errno of the last synchronous call on this thread. */
export function errno(): number {
  return errnoOf(libc());
}
