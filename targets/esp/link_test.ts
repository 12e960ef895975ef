import { equal, ok, rejects } from "node:assert/strict";
import {
  createContext,
  type SerialPortLike,
  TimeoutError,
  VirtualClock,
} from "../../kernel/mod.ts";
import { EspCommandError, EspUnsupportedError } from "./errors.ts";
import { EspLink, request } from "./link.ts";
import { md5Request, Op, words } from "./protocol.ts";
import { SlipDecoder, slipEncode } from "./slip.ts";

/** A port whose device side is a function from request packet to reply packets. */
function fakePort(reply: (req: Uint8Array) => Uint8Array[] | Promise<Uint8Array[]>) {
  let push!: (b: Uint8Array) => void;
  const readable = new ReadableStream<Uint8Array>({
    start(c) {
      push = (b) => c.enqueue(b);
    },
  });
  const dec = new SlipDecoder();
  const seen: Uint8Array[] = [];
  const queue: Uint8Array[] = [];
  let busy = false;
  const stats = { maxQueuedBytes: 0 };
  // The device runs one request at a time; later ones wait in its RX buffer meanwhile.
  const work = async () => {
    if (busy) return;
    busy = true;
    while (queue.length) {
      const f = queue.shift()!;
      stats.maxQueuedBytes = Math.max(
        stats.maxQueuedBytes,
        queue.reduce((n, q) => n + slipEncode(q).length, 0),
      );
      for (const r of await reply(f)) push(slipEncode(r));
    }
    busy = false;
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      for (const f of dec.push(chunk)) {
        seen.push(f);
        queue.push(f);
      }
      void work();
    },
  });
  const port: SerialPortLike = {
    readable,
    writable,
    baudRate: 115200,
    setSignals: () => Promise.reject(new Error("no modem lines")),
    setBaudRate: () => Promise.resolve(),
    getInfo: () => ({}),
    close: () => Promise.resolve(),
  };
  return { port, seen, push, stats };
}

/** A ROM-style reply: 4 status bytes. */
function romReply(op: number, body: Uint8Array = new Uint8Array(0), status = 0, error = 0) {
  const out = new Uint8Array(8 + body.length + 4);
  out.set([0x01, op, body.length + 4, 0]);
  out.set(body, 8);
  out.set([status, error], 8 + body.length);
  return out;
}

Deno.test("responses are matched by opcode; stale replies and garbage are skipped", async () => {
  const { port } = fakePort((req) => [
    romReply(Op.SYNC),
    Uint8Array.from([0x55, 0x55]),
    romReply(req[1], new Uint8Array(0)),
  ]);
  const link = new EspLink(port);
  const r = await link.command(createContext(), request(Op.SPI_ATTACH, words(0, 0)));
  equal(r.op, Op.SPI_ATTACH);
  equal(link.stats().roundTrips, 1);
  await link.close();
});

Deno.test("a ROM rejection with another opcode is an unsupported command", async () => {
  const { port } = fakePort(() => [romReply(0x00, new Uint8Array(0), 1, 0x05)]);
  const link = new EspLink(port);
  await rejects(
    link.command(createContext(), request(Op.GET_SECURITY_INFO, new Uint8Array(0))),
    EspUnsupportedError,
  );
  await link.close();
});

Deno.test("no reply is a TimeoutError on the run's (virtual) clock", async () => {
  const { port } = fakePort(() => []);
  const link = new EspLink(port);
  const clock = new VirtualClock();
  await rejects(
    link.command(createContext({ clock }), request(Op.READ_REG, words(0x40001000), 3000)),
    TimeoutError,
  );
  equal(clock.now(), 3000);
  await link.close();
});

Deno.test("pipelining never queues more than the RX buffer behind the running command", async () => {
  const clock = new VirtualClock();
  const { port, stats } = fakePort(async (req) => {
    await clock.sleep(5);
    return [romReply(req[1], new TextEncoder().encode("0".repeat(32)))];
  });
  const link = new EspLink(port);
  const reqs = Array.from(
    { length: 40 },
    (_, i) => request(Op.SPI_FLASH_MD5, md5Request(i * 4096, 4096)),
  );
  const out = await link.pipeline(createContext({ clock }), reqs);
  equal(out.length, 40);
  ok(stats.maxQueuedBytes > 26, "requests were pipelined");
  ok(stats.maxQueuedBytes <= link.rxBuffer, `queued ${stats.maxQueuedBytes} > ${link.rxBuffer}`);
  equal(clock.now(), 40 * 5, "the device never waited for the host");
  await link.close();
});

Deno.test("a failed command in a pipeline throws after the batch is drained", async () => {
  let n = 0;
  const { port } = fakePort((
    req,
  ) => [romReply(req[1], new Uint8Array(0), n++ === 1 ? 1 : 0, 0x09)]);
  const link = new EspLink(port);
  const ctx = createContext();
  const reqs = [0, 1, 2].map(() => request(Op.READ_REG, words(0)));
  const e = await link.pipeline(ctx, reqs).catch((e) => e);
  ok(e instanceof EspCommandError && e.errorCode === 0x09, String(e));
  // The link is still in step: the next command gets its own reply.
  equal((await link.command(ctx, request(Op.READ_REG, words(0)))).op, Op.READ_REG);
  await link.close();
});

Deno.test("a timeout hint quotes what the device printed after the request, not an old banner", async () => {
  let n = 0;
  const fake = fakePort((req) => {
    n++;
    if (n === 1) return [romReply(req[1])];
    if (n === 3) fake.push(new TextEncoder().encode("Guru Meditation Error"));
    return []; // the second and third requests go unanswered
  });
  // The boot banner arrives before any request.
  fake.push(new TextEncoder().encode("ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\r\n"));
  const link = new EspLink(fake.port);
  const ctx = createContext({ clock: new VirtualClock() });
  await link.command(ctx, request(Op.READ_REG, words(0x40001000), 3000));
  await rejects(
    link.command(ctx, request(Op.READ_REG, words(0x40001000), 3000)),
    (e: unknown) => e instanceof TimeoutError && !/ets Jun|POWERON/.test(String(e.hint)),
  );
  await rejects(
    link.command(ctx, request(Op.READ_REG, words(0x40001000), 3000)),
    (e: unknown) => e instanceof TimeoutError && /Guru Meditation/.test(String(e.hint)),
  );
  await link.close();
});
