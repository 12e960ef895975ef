import { deepEqual, equal, throws } from "node:assert/strict";
import {
  checksum,
  decodeRle,
  escapeBinary,
  framePacket,
  fromLatin1,
  hexLe32,
  latin1,
  parseLe32,
  RspParser,
  unescapeBinary,
} from "./codec.ts";
import { rleEncode } from "./fake_server_test_util.ts";
import { parseStopReply } from "./stop_reply.ts";

Deno.test("checksum and framing: $payload#cs with two lower-case hex digits", () => {
  equal(checksum(latin1("OK")), 0x9a);
  equal(fromLatin1(framePacket("OK")), "$OK#9a");
  equal(fromLatin1(framePacket("")), "$#00");
  equal(fromLatin1(framePacket("m20000000,4")), "$m20000000,4#4f");
});

Deno.test("binary escaping: # $ } * become } + byte^0x20, and back", () => {
  const data = Uint8Array.of(0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff, 0x20);
  deepEqual(
    [...escapeBinary(data)],
    [0x7d, 0x03, 0x7d, 0x04, 0x7d, 0x5d, 0x7d, 0x0a, 0x00, 0xff, 0x20],
  );
  deepEqual(unescapeBinary(escapeBinary(data)), data);
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  deepEqual(unescapeBinary(escapeBinary(all)), all);
});

Deno.test("run-length decoding: X*n repeats X n-29 more times", () => {
  // The GDB manual's example: "0* " is "0000" (space = 32, three more).
  equal(fromLatin1(decodeRle(latin1("0* "))), "0000");
  equal(fromLatin1(decodeRle(latin1('ab*"c'))), "abbbbbbc");
  throws(() => decodeRle(latin1("*!")));
  for (const s of ["00000000ffffffff", "1".repeat(200), "0123456789", "aaaaaaab", "x".repeat(8)]) {
    equal(fromLatin1(decodeRle(latin1(rleEncode(s)))), s);
  }
});

Deno.test("parser: packets split across chunks, acks, nacks, bad checksums, interrupts", () => {
  const p = new RspParser();
  deepEqual(p.push(latin1("+$O")), [{ kind: "ack" }]);
  const ev = p.push(latin1("K#9a-\x03$OK#00%Stop:T05#"));
  equal(ev.length, 4);
  deepEqual(ev[0], { kind: "packet", payload: latin1("OK"), valid: true, notification: false });
  deepEqual(ev[1], { kind: "nack" });
  deepEqual(ev[2], { kind: "interrupt" });
  equal((ev[3] as { valid: boolean }).valid, false);
  const n = p.push(latin1("00"));
  equal(n.length, 1);
  equal((n[0] as { notification: boolean }).notification, true);
});

Deno.test("little-endian register hex", () => {
  equal(hexLe32(0x20000001), "01000020");
  equal(parseLe32("01000020"), 0x20000001);
  equal(parseLe32("ffffffff"), 0xffffffff);
});

Deno.test("stop replies: S, T with reason and registers, W, X; others are not stops", () => {
  deepEqual(parseStopReply("S05"), { kind: "stopped", signal: 5, fields: {}, reason: undefined });
  const t = parseStopReply("T05swbreak:;thread:p01.01;0f:00000020;");
  equal(t?.reason, "swbreak");
  equal(t?.fields["0f"], "00000020");
  equal(t?.fields.thread, "p01.01");
  equal(parseStopReply("W00")?.kind, "exited");
  equal(parseStopReply("X09")?.kind, "killed");
  equal(parseStopReply("OK"), undefined);
  equal(parseStopReply("E01"), undefined);
});
