/**
 * npm dapjs as a peer client of the simulated probe: the module (its UMD bundle puts the
 * exports on `default` under Deno's npm compat) and a dapjs `Transport` over our packet link.
 *
 * @module
 */
// Test and benchmark only: pinned here, not in deno.json, so the CLI never fetches it.
import * as dapjsModule from "npm:dapjs@2.3.0";
import type { SimDapLink } from "./link.ts";

/** The dapjs module's exports. */
export const dapjs: typeof dapjsModule =
  ((dapjsModule as unknown as { default?: typeof dapjsModule }).default ??
    dapjsModule) as typeof dapjsModule;

/** A dapjs `Transport` over a simulated DAP packet link. */
export function dapjsTransport(link: SimDapLink) {
  return {
    packetSize: link.packetSize,
    open: () => Promise.resolve(),
    close: () => Promise.resolve(),
    read: async () => {
      const p = await link.read();
      return new DataView(p.buffer, p.byteOffset, p.byteLength);
    },
    write: (data: BufferSource) =>
      link.write(
        data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      ),
  };
}
