/**
 * Test helpers: where the shared ESP firmware lives and which files are which.
 *
 * @module
 */

/** `../shared/firmware/esp32` next to the repository. */
export const ESP_FIRMWARE_DIR = new URL("../../../../shared/firmware/esp32/", import.meta.url);

/** True when the shared firmware directory exists (tests skip with a message otherwise). */
export function haveFirmware(): boolean {
  try {
    return Deno.statSync(ESP_FIRMWARE_DIR).isDirectory;
  } catch {
    return false;
  }
}

/** Every `.bin` under the firmware directory, as paths relative to it. */
export function firmwareBins(): string[] {
  const out: string[] = [];
  for (const dir of Deno.readDirSync(ESP_FIRMWARE_DIR)) {
    if (!dir.isDirectory) continue;
    for (const f of Deno.readDirSync(new URL(`${dir.name}/`, ESP_FIRMWARE_DIR))) {
      if (f.isFile && f.name.endsWith(".bin")) out.push(`${dir.name}/${f.name}`);
    }
  }
  return out.sort();
}

/** Reads a firmware file by its path relative to the firmware directory. */
export function readFirmware(path: string): Uint8Array {
  return Deno.readFileSync(new URL(path, ESP_FIRMWARE_DIR));
}

/** Prints why a test does nothing. */
export function skipNoFirmware(): boolean {
  if (haveFirmware()) return false;
  console.log(`skipped: ${ESP_FIRMWARE_DIR.pathname} is absent`);
  return true;
}

/** Asserts two byte arrays are equal, naming the first differing offset (fast on large data). */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      throw new Error(
        `${what}: differ at offset 0x${i.toString(16)} (0x${actual[i].toString(16)} vs 0x${
          expected[i].toString(16)
        })`,
      );
    }
  }
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} vs ${expected.length}`);
  }
}
