/**
 * The few libc calls the serial port needs, loaded once with `Deno.dlopen`. errno is
 * thread-local, so it is read with `__errno_location` straight after a synchronous call;
 * after a `nonblocking` call (run on a worker thread) it is lost and never consulted.
 *
 * @module
 */
import { UsageError } from "../../kernel/mod.ts";
import { currentPlatform, type PlatformConstants } from "./platform.ts";

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // ioctl is variadic; on x86_64/aarch64 Linux a fixed third argument is passed the same way.
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  ioctlInt: { name: "ioctl", parameters: ["i32", "u64", "u64"], result: "i32" },
  // Blocking poll runs on a worker thread so the event loop stays free.
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  pollNow: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  flock: { parameters: ["i32", "i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
} as const;

/** The loaded library. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

/** Platform constants and the loaded symbols; throws a UsageError where unsupported. */
export function libc(): { c: Libc; k: PlatformConstants } {
  const k = currentPlatform();
  if (!k) {
    throw new UsageError(`serial ports are not supported on ${Deno.build.os} yet`, {
      hint: "use a network port (rfc2217://host:port or socket://host:port)",
    });
  }
  lib ??= Deno.dlopen(k.libc, SYMBOLS);
  return { c: lib.symbols, k };
}

/** errno of the last synchronous libc call on this thread. */
export function errno(): number {
  const p = libc().c.__errno_location();
  return p ? new Deno.UnsafePointerView(p).getInt32() : 0;
}

/** A NUL-terminated C string. */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s + "\0");
}

/** Reads a NUL-terminated string out of a buffer. */
export function fromCString(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return new TextDecoder().decode(buf.subarray(0, end < 0 ? buf.length : end));
}

/** Closes an fd, ignoring errors (used on cleanup paths). */
export function closeQuietly(fd: number): void {
  if (fd >= 0) libc().c.close(fd);
}
