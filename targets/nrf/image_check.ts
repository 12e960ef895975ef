/**
 * Refuses, while loading and before any probe is opened, an image that cannot run on the
 * target's chip: bytes past its flash or UICR, a stack above its RAM, or an nRF51 image (nRF51
 * SoftDevice, nRF51-only UICR registers, nRF51 vector table) on an nRF52. The hint names the
 * target the image suits; `--force` skips these checks.
 *
 * @module
 */
import { type FlashImage, WrongTargetError } from "../../kernel/mod.ts";
import { BOARDS, NRF51, type NrfBoard, RAM_BASE, SOFTDEVICE_INFO, UICR_BASE } from "./chips.ts";

const hex = (n: number) => `0x${n.toString(16)}`;
const kib = (n: number) => `${n / 1024} KiB`;

/** Little-endian word of the image at `address`, or undefined where it has no bytes. */
function word(image: FlashImage, address: number): number | undefined {
  if (image.coveredBytes(address, address + 4) < 4) return undefined;
  return new DataView(image.read(address, 4).buffer).getUint32(0, true);
}

/** What the image needs of a chip, read from its contents. */
interface ImageNeeds {
  /** One past the last flash byte. */
  readonly flashEnd: number;
  /** One past the last UICR byte, as an offset into the UICR. */
  readonly uicrEnd: number;
  /** Initial stack pointer, when it points into RAM. */
  readonly stackTop?: number;
  /** Why the image is an nRF51 image, if it is one. */
  readonly nrf51?: string;
}

/** Vector table entries from the start: system entries, then handlers (odd addresses) or 0. */
function vectorEntries(image: FlashImage, flashEnd: number): number {
  let n = 16;
  for (;; n++) {
    const w = word(image, n * 4);
    if (w === undefined || (w !== 0 && ((w & 1) === 0 || w >= flashEnd))) return n;
  }
}

function needsOf(image: FlashImage): ImageNeeds {
  let flashEnd = 0, uicrEnd = 0, nrf51UicrAt: number | undefined;
  for (const s of image.segments) {
    const end = s.address + s.data.length;
    if (s.address < UICR_BASE) flashEnd = Math.max(flashEnd, Math.min(end, UICR_BASE));
    if (end > UICR_BASE && s.address < RAM_BASE) {
      uicrEnd = Math.max(uicrEnd, end - UICR_BASE);
      const lo = Math.max(s.address, NRF51.uicrOnly.start);
      if (lo < Math.min(end, NRF51.uicrOnly.end)) nrf51UicrAt ??= lo;
    }
  }
  const sp = word(image, 0);
  const stackTop = sp !== undefined && sp > RAM_BASE && sp < RAM_BASE + 0x10000000 ? sp : undefined;
  let nrf51: string | undefined;
  const fwid = word(image, SOFTDEVICE_INFO.magicAt) === SOFTDEVICE_INFO.magic
    ? (word(image, SOFTDEVICE_INFO.fwidAt) ?? 0) & 0xffff
    : undefined;
  const sd = fwid === undefined
    ? undefined
    : NRF51.softDevices[fwid as keyof typeof NRF51.softDevices];
  if (sd) nrf51 = `it carries the nRF51 SoftDevice ${sd} (firmware id ${hex(fwid!)})`;
  else if (nrf51UicrAt !== undefined) {
    nrf51 = `it writes UICR ${hex(nrf51UicrAt)}, a register only nRF51 chips have`;
  } else if (
    stackTop !== undefined && stackTop <= NRF51.maxRamTop &&
    vectorEntries(image, flashEnd) <= NRF51.vectorEntries
  ) {
    nrf51 = `its vector table is an nRF51's (${vectorEntries(image, flashEnd)} entries, stack at ${
      hex(stackTop)
    })`;
  }
  return { flashEnd, uicrEnd, stackTop, nrf51 };
}

/** The board an image suits best: of the series it shows, the first whose chip holds it. */
function suitedBoard(needs: ImageNeeds, not: NrfBoard): NrfBoard | undefined {
  const series = needs.nrf51 ? "nRF51" : "nRF52";
  return BOARDS.find((b) =>
    b !== not && b.chip.series === series && needs.flashEnd <= b.chip.flashSize &&
    needs.uicrEnd <= b.chip.uicrSize &&
    (needs.stackTop === undefined || needs.stackTop <= RAM_BASE + b.chip.ramSize)
  );
}

/** Throws {@link WrongTargetError} when the image cannot run on the board's chip. */
export function checkNrfImage(image: FlashImage, board: NrfBoard): void {
  const chip = board.chip;
  const needs = needsOf(image);
  const source = image.segments[0]?.source ?? "the image";
  let why: string | undefined;
  if (needs.nrf51 && chip.series !== "nRF51") {
    why = `was built for an nRF51, not the ${chip.name}: ${needs.nrf51}`;
  } else if (needs.flashEnd > chip.flashSize) {
    why = `needs ${kib(Math.ceil(needs.flashEnd / 1024) * 1024)} of flash (up to ${
      hex(needs.flashEnd)
    }); the ${chip.name} has ${kib(chip.flashSize)}`;
  } else if (needs.uicrEnd > chip.uicrSize) {
    why = `writes UICR up to ${hex(UICR_BASE + needs.uicrEnd)}; the ${chip.name}'s UICR ends at ${
      hex(UICR_BASE + chip.uicrSize)
    }`;
  } else if (needs.stackTop !== undefined && needs.stackTop > RAM_BASE + chip.ramSize) {
    why = `starts its stack at ${hex(needs.stackTop)}, past the ${chip.name}'s ${
      kib(chip.ramSize)
    } of RAM`;
  }
  if (!why) return;
  const other = suitedBoard(needs, board);
  throw new WrongTargetError(`${source} ${why}`, {
    hint: `${
      other ? `it suits ${other.boardName}: use --target ${other.target}` : "check the build"
    } (--force flashes it to the ${board.boardName} anyway)`,
  });
}
