/**
 * The chip facts `info` shows beyond detection: revision, package and MAC from eFuse words (one
 * pipelined batch of READ_REGs) and the GET_SECURITY_INFO flags. Asked for on request only,
 * so flashing never pays for them; a fact the loader will not give is reported, not fatal.
 *
 * @module
 */
import { type RunContext, TimeoutError } from "../../kernel/mod.ts";
import type { EspChip } from "./chips.ts";
import {
  decodeMac,
  decodePackage,
  decodeRevision,
  efuseAddresses,
  formatPackage,
  formatRevision,
} from "./efuse.ts";
import { EspUnsupportedError } from "./errors.ts";
import { type EspLink, request } from "./link.ts";
import { Op, words } from "./protocol.ts";
import {
  describeSecurity,
  parseSecurityInfo,
  SECURITY_NOT_REPORTED,
  SecurityFlag,
} from "./security.ts";

/** What a loader refusing a command means for the facts that need it. */
function refused(e: unknown): string {
  if (e instanceof EspUnsupportedError) return "not readable through this loader";
  if (e instanceof TimeoutError) return "no answer from the loader";
  throw e;
}

/** `revision`, `package`, `MAC` and `security` as `info` labels them. */
export async function readChipFacts(
  ctx: RunContext,
  link: EspLink,
  chip: EspChip,
): Promise<Record<string, string>> {
  let security = SECURITY_NOT_REPORTED;
  let sdm = false;
  if (chip.securityFlags) {
    try {
      const r = await link.command(ctx, request(Op.GET_SECURITY_INFO, new Uint8Array(0)));
      const info = parseSecurityInfo(r.body);
      security = info ? describeSecurity(info) : `malformed reply (${r.body.length} bytes)`;
      sdm = !!info && (info.flags & SecurityFlag.SECURE_DOWNLOAD_ENABLE) !== 0;
    } catch (e) {
      security = refused(e);
      await link.drain(ctx, 20);
    }
  }
  // Secure Download Mode refuses READ_REG (esptool docs); say so rather than ask.
  if (sdm) {
    const why = "not readable in Secure Download Mode";
    return { revision: why, package: why, MAC: why, security };
  }
  const addrs = efuseAddresses(chip.efuse);
  try {
    const replies = await link.pipeline(
      ctx,
      addrs.map((a) => request(Op.READ_REG, words(a))),
    );
    const values = new Map(addrs.map((a, i) => [a, replies[i].value >>> 0]));
    return {
      revision: formatRevision(decodeRevision(chip.efuse, values)),
      package: formatPackage(chip.efuse, decodePackage(chip.efuse, values)),
      MAC: decodeMac(chip.efuse, values),
      security,
    };
  } catch (e) {
    const why = refused(e);
    await link.drain(ctx, 20);
    return { revision: why, package: why, MAC: why, security };
  }
}
