/**
 * Locates the shared firmware corpus beside the repo (never copied into it).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Absolute path of `../shared/firmware` relative to the repo root. */
export const FIRMWARE_DIR = fileURLToPath(new URL("../../../shared/firmware/", import.meta.url));

/** True when the corpus is present. */
export const HAS_FIRMWARE = (() => {
  try {
    return Deno.statSync(FIRMWARE_DIR).isDirectory;
  } catch {
    return false;
  }
})();

/** Path of a corpus file. */
export function firmware(rel: string): string {
  return FIRMWARE_DIR + rel;
}

/** Every file under a corpus folder with one of the extensions. */
export function listFirmware(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.name.endsWith(ext)) out.push(p);
    }
  };
  walk(FIRMWARE_DIR + dir);
  return out.sort();
}

/** Test option: skip (with the reason in the name) when the corpus is absent. */
export const needsFirmware = { ignore: !HAS_FIRMWARE };
