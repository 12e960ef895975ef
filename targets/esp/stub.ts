/**
 * Optional flasher stub: Espressif's esp-flasher-stub (Apache-2.0 OR MIT), taken at run time
 * from the `esptool-js` npm package, never stored in this repository. With it, data blocks
 * are 16 KiB, the chip acks a block before writing it (so the line and the flash work at
 * once) and it erases only sectors that are not blank.
 *
 * @module
 */
import { DeviceError, type RunContext } from "../../kernel/mod.ts";
import type { EspChip } from "./chips.ts";
import { type EspLink, type Request, request, timeoutPerMb } from "./link.ts";
import { encodeDataBlock, Op, words } from "./protocol.ts";

/** A stub image as esptool-js ships it (base64 segments). */
export interface StubImage {
  readonly entry: number;
  readonly text: string;
  readonly text_start: number;
  readonly data: string;
  readonly data_start: number;
}

/** RAM upload block size (esptool's ESP_RAM_BLOCK). */
const RAM_BLOCK = 0x1800;
/** Stub FLASH_DEFL_DATA block size (esp-flasher-stub MAX_WRITE_BLOCK). */
export const STUB_WRITE_BLOCK = 0x4000;
/** MEM_* opcodes. */
const MEM_BEGIN = 0x05, MEM_END = 0x06, MEM_DATA = 0x07;

/** Loads the stub image for a chip from esptool-js; undefined when it cannot be found. */
export async function loadStubImage(chip: EspChip): Promise<StubImage | undefined> {
  try {
    const m = await import(`esptool-js/lib/targets/stub_flasher/${chip.target}.json`, {
      with: { type: "json" },
    });
    return m.default as StubImage;
  } catch {
    return undefined;
  }
}

function b64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** Wire bytes an upload of this stub costs (payload only), for the stub/ROM decision. */
export function stubUploadBytes(stub: StubImage): number {
  return Math.ceil(stub.text.length * 3 / 4) + Math.ceil(stub.data.length * 3 / 4) + 200;
}

/**
 * Uploads and starts the stub: MEM_BEGIN/MEM_DATA per segment, MEM_END(entry), then waits
 * for the stub's "OHAI". Afterwards responses carry 2 status bytes.
 */
export async function runStub(ctx: RunContext, link: EspLink, stub: StubImage): Promise<void> {
  const reqs: Request[] = [];
  for (
    const [start, data] of [[stub.text_start, b64(stub.text)], [
      stub.data_start,
      b64(stub.data),
    ]] as const
  ) {
    const blocks = Math.ceil(data.length / RAM_BLOCK);
    reqs.push(request(MEM_BEGIN, words(data.length, blocks, RAM_BLOCK, start)));
    for (let seq = 0; seq < blocks; seq++) {
      const chunk = data.subarray(seq * RAM_BLOCK, (seq + 1) * RAM_BLOCK);
      reqs.push({ op: MEM_DATA, packet: encodeDataBlock(MEM_DATA, seq, chunk), timeoutMs: 3000 });
    }
  }
  // The ROM runs MEM_BEGIN and MEM_DATA (a checksum and a copy into RAM) in well under the
  // time its 128-byte UART FIFO takes to fill even at 921600 baud, so each frame can follow
  // the last without waiting for its answer.
  await link.pipeline(ctx, reqs, Infinity);
  await link.send(request(MEM_END, words(0, stub.entry)).packet);
  // The ROM may or may not answer MEM_END before jumping; the greeting is what counts.
  const deadline = ctx.clock.now() + 1000;
  const ohai = [0x4f, 0x48, 0x41, 0x49];
  for (;;) {
    const left = deadline - ctx.clock.now();
    if (left <= 0) break;
    const f = await link.nextFrame(ctx, left).catch(() => undefined);
    if (!f) break;
    if (f.length === 4 && f.every((b, i) => b === ohai[i])) {
      link.statusLen = 2;
      // esp-flasher-stub buffers whole 16 KiB blocks (double-buffered RX), so short
      // requests can queue far deeper than in the ROM's 128-byte UART FIFO.
      link.rxBuffer = 1024;
      return;
    }
  }
  throw new DeviceError("the flasher stub did not start", {
    hint: "retry, or pass the target option stub=false to use the ROM loader only",
  });
}

/** FLASH_DEFL_END with "stay in the loader" (1), acked once every block is written. */
export function stubEnd(bytes: number) {
  return request(Op.FLASH_DEFL_END, words(1), timeoutPerMb(40000, bytes));
}
