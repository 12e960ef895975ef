import { deepEqual, equal, match, ok, rejects } from "node:assert/strict";
import { type HashAlgorithm, PluginError, type PluginHost, Registry } from "./mod.ts";

const hash = (name: string): HashAlgorithm => ({
  name,
  digestLength: 4,
  digest: () => new Uint8Array(4),
});

Deno.test("registry: a registration after the plugin finished loading is refused and reported", async () => {
  const r = new Registry();
  let kept: PluginHost | undefined;
  const late: string[] = [];
  r.onLateFailure = (f) => late.push(f.error.message);
  await r.use((host) => {
    kept = host;
    host.registerHash(hash("early"));
  }, "sneaky");
  kept!.registerHash(hash("late"));
  deepEqual(r.hashes().map((h) => h.name), ["early"]);
  equal(r.failures.length, 1);
  equal(r.failures[0].specifier, "sneaky");
  match(
    r.failures[0].error.message,
    /sneaky: tried to register a hash algorithm after it finished/,
  );
  deepEqual(late, [r.failures[0].error.message]);
  deepEqual(r.loaded, [{ specifier: "sneaky", registered: ["hash 'early'"] }]);
});

Deno.test("registry: a plugin that never settles fails after its time limit, leaving nothing", async () => {
  const r = new Registry();
  let kept: PluginHost | undefined;
  await r.use(
    (host) => {
      kept = host;
      host.registerHash(hash("half"));
      return new Promise<void>(() => {});
    },
    "hangs",
    { strict: false, timeoutMs: 50 },
  );
  deepEqual(r.hashes(), []);
  equal(r.failures.length, 1);
  ok(r.failures[0].error instanceof PluginError);
  match(r.failures[0].error.message, /hangs: did not finish loading within 50 ms/);
  // Whatever it registers once it wakes up is refused too.
  kept!.registerHash(hash("later"));
  deepEqual(r.hashes(), []);
  equal(r.failures.length, 2);
  await rejects(
    r.use(() => new Promise<void>(() => {}), "strict", { timeoutMs: 10 }),
    PluginError,
  );
});
