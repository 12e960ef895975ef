/**
 * Byte-stream helpers for tests over ports and pseudo-terminals.
 *
 * @module
 */

/** Reads exactly `n` bytes from a stream (leaves the reader released). */
export async function readN(stream: ReadableStream<Uint8Array>, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  const reader = stream.getReader();
  let off = 0;
  try {
    while (off < n) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended after ${off} of ${n} bytes`);
      const take = Math.min(value.length, n - off);
      out.set(value.subarray(0, take), off);
      off += take;
    }
  } finally {
    reader.releaseLock();
  }
  return out;
}

/** Writes all of `data` in chunks (leaves the writer released). */
export async function writeAll(
  stream: WritableStream<Uint8Array>,
  data: Uint8Array,
  chunk = 4096,
): Promise<void> {
  const w = stream.getWriter();
  try {
    for (let i = 0; i < data.length; i += chunk) await w.write(data.subarray(i, i + chunk));
  } finally {
    w.releaseLock();
  }
}
