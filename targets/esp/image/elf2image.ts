/**
 * ELF → ESP app image, as esptool `elf2image` and espflash `save-image` build it.
 *
 * Sections (default) or PT_LOAD segments (`useSegments`) become image segments; each is
 * zero-padded to 4 bytes, adjacent ones in the same memory kind are merged in ELF order, then
 * {@link layoutImage} places them. When the ELF has a flash-resident `.flash.appdesc`, the
 * ELF's SHA-256 goes into `esp_app_desc_t.app_elf_sha256` at image offset 0xB0 and, on chips
 * with a configurable MMU page, the page size comes from the descriptor (esptool behaviour).
 *
 * @module
 */
import { ImageFormatError } from "../../../kernel/mod.ts";
import { parseElf32 } from "../../../plugins/formats/elf.ts";
import { sha256 } from "./app_image.ts";
import { type EspImageChip, espImageChip, isFlashMapped } from "./chips.ts";
import { loadableSections, readElfSections } from "./elf_sections.ts";
import { flashFreqCode, flashModeCode, type FlashParams, flashSizeCode } from "./flash_params.ts";
import { layoutImage, mergeAdjacent, type NamedSegment, padTo4 } from "./layout.ts";

/** Options of {@link elfToImage}. */
export interface ElfToImageOptions extends FlashParams {
  /** Chip name (`esp32c3`) or table entry. */
  readonly chip: string | EspImageChip;
  /** Deprecated min revision byte (default 0). */
  readonly minRev?: number;
  /** Minimum chip revision, major × 100 + minor (default 0). */
  readonly minRevFull?: number;
  /** Maximum chip revision (default 65535). */
  readonly maxRevFull?: number;
  /** Append a SHA-256 (default true). */
  readonly appendDigest?: boolean;
  /** Use PT_LOAD program headers instead of sections (esptool `--use-segments`). */
  readonly useSegments?: boolean;
  /** MMU page size in bytes (default: from the app descriptor, else the chip's largest). */
  readonly mmuPageSize?: number;
  /** Where to write the ELF SHA-256 (default 0xB0 when `.flash.appdesc` is in flash). */
  readonly elfSha256Offset?: number;
  /** Source name for errors. */
  readonly source?: string;
}

/** Defaults when a flash setting is not given: DIO, 4 MB, the chip's code-0 frequency. */
export const DEFAULT_FLASH = { flashMode: "dio", flashSize: "4MB" } as const;

const EM_XTENSA = 0x5e, EM_RISCV = 0xf3;
const APP_DESC_MAGIC = 0xabcd5432;
/** Offset of `mmu_page_size` (log2) in `esp_app_desc_t` (ESP-IDF ≥ 5.4). */
const APP_DESC_MMU_PAGE = 0xb4;
const ELF_SHA_OFFSET = 0xb0;

/** The segments an image is built from, before layout (merged, padded, in ELF order). */
export function elfImageSegments(
  elf: Uint8Array,
  chip: EspImageChip,
  useSegments = false,
  source = "elf",
): NamedSegment[] {
  const raw: NamedSegment[] = useSegments
    ? parseElf32(elf, source).loads.filter((l) => l.paddr !== 0 && l.data.length > 0)
      .map((l) => ({ name: "PHDR", address: l.paddr, data: l.data }))
    : loadableSections(readElfSections(elf, source));
  return mergeAdjacent(chip, raw.map((s) => ({ ...s, data: padTo4(s.data) })));
}

function mmuPageFromAppDesc(chip: EspImageChip, desc: NamedSegment): number | undefined {
  if (chip.mmuPageSizes.length < 2 || !isFlashMapped(chip, desc.address)) return undefined;
  const v = new DataView(desc.data.buffer, desc.data.byteOffset, desc.data.byteLength);
  if (desc.data.length < APP_DESC_MMU_PAGE + 1 || v.getUint32(0, true) !== APP_DESC_MAGIC) {
    return undefined;
  }
  const log2 = desc.data[APP_DESC_MMU_PAGE];
  if (log2) return 2 ** log2;
  // Older descriptors: the largest page the descriptor's data (after 32 header bytes) fits.
  return [...chip.mmuPageSizes].reverse().find((p) => (desc.address - 32) % p === 0);
}

/** Builds an app image from an ELF file. Throws ImageFormatError / UsageError on bad input. */
export function elfToImage(elf: Uint8Array, options: ElfToImageOptions): Uint8Array {
  const chip = typeof options.chip === "string" ? espImageChip(options.chip) : options.chip;
  const source = options.source ?? "elf";
  const header = parseElf32(elf, source);
  if (header.machine !== EM_XTENSA && header.machine !== EM_RISCV) {
    throw new ImageFormatError(
      source,
      `e_machine 0x${header.machine.toString(16)} is not Xtensa or RISC-V`,
      {
        hint: "build the ELF for an ESP32-family chip",
      },
    );
  }
  const sections = loadableSections(readElfSections(elf, source));
  const desc = sections.find((s) => s.name.includes(".flash.appdesc"));
  const descInFlash = desc !== undefined && isFlashMapped(chip, desc.address);
  const segments = elfImageSegments(elf, chip, options.useSegments, source);
  const freq = options.flashFreq && options.flashFreq !== "keep"
    ? flashFreqCode(chip, options.flashFreq)
    : 0;
  const mode = options.flashMode && options.flashMode !== "keep"
    ? options.flashMode
    : DEFAULT_FLASH.flashMode;
  const size = options.flashSize && options.flashSize !== "keep"
    ? options.flashSize
    : DEFAULT_FLASH.flashSize;
  const shaOffset = options.elfSha256Offset ?? (descInFlash ? ELF_SHA_OFFSET : undefined);
  return layoutImage(segments, {
    chip,
    entry: header.entry,
    flashMode: flashModeCode(mode),
    flashSizeFreq: flashSizeCode(size) | freq,
    minRev: options.minRev,
    minRevFull: options.minRevFull,
    maxRevFull: options.maxRevFull,
    appendDigest: options.appendDigest,
    mmuPageSize: options.mmuPageSize ?? (desc ? mmuPageFromAppDesc(chip, desc) : undefined),
    elfSha256: shaOffset !== undefined ? sha256(elf) : undefined,
    elfSha256Offset: shaOffset,
    source,
  });
}
