/**
 * The one libc binding (Deno FFI) the serial ports, pseudo-terminals and hidraw probes share:
 * the symbols are declared once and the library is opened once per process. errno is
 * thread-local, so it is read with `__errno_location` straight after a synchronous call;
 * after a `nonblocking` call (run on a worker thread) it is lost and never consulted.
 *
 * @module
 */

const SYMBOLS = {
  // open is variadic; the mode argument is ignored unless O_CREAT is given.
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

/** The loaded libc symbols. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

// A dynamic library is a process-wide resource: opened on first use, kept until exit.
const opened = new Map<string, Deno.DynamicLibrary<typeof SYMBOLS>>();

/** The libc at `path` (e.g. `libc.so.6`; `libc.so` is a linker script on Debian). */
export function loadLibc(path: string): Libc {
  let lib = opened.get(path);
  if (!lib) opened.set(path, lib = Deno.dlopen(path, SYMBOLS));
  return lib.symbols;
}

/** errno of the last synchronous call of `c` on this thread. */
export function errnoOf(c: Libc): number {
  const p = c.__errno_location();
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
