/**
 * Port tests that need a process of their own: an exact /proc/self/fd count (other tests
 * running in parallel in this process would disturb it) and a real EACCES as a non-root user.
 */
import assert from "node:assert/strict";
import { ptyAvailable } from "./pty.ts";

const ignore = Deno.build.os !== "linux" || !ptyAvailable();
const portUrl = new URL("./port.ts", import.meta.url).href;
const ptyUrl = new URL("./pty.ts", import.meta.url).href;

async function runScript(source: string, wrap: string[] = [], env: Record<string, string> = {}) {
  const dir = Deno.makeTempDirSync({ prefix: "df-serial-" });
  Deno.chmodSync(dir, 0o755);
  Deno.writeTextFileSync(`${dir}/main.ts`, source);
  Deno.chmodSync(`${dir}/main.ts`, 0o644);
  try {
    // Another user cannot fill this cache: fetch the script's dependencies first.
    const cached = await new Deno.Command(Deno.execPath(), {
      args: ["cache", "--no-lock", "--no-config", `${dir}/main.ts`],
      env: { DENO_DIR: `${dir}/cache`, HOME: dir, NO_COLOR: "1" },
      stdout: "null",
      stderr: "null",
    }).output();
    if (!cached.success) throw new Error("could not cache the script's dependencies");
    const [cmd, ...pre] = [...wrap, Deno.execPath()];
    const out = await new Deno.Command(cmd, {
      args: [...pre, "run", "-A", "--no-lock", "--no-config", `${dir}/main.ts`],
      env: { DENO_DIR: `${dir}/cache`, HOME: dir, NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
    return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: "serial port: 50 open/transfer/close cycles leave the fd count unchanged",
  ignore,
  async fn() {
    const { code, stdout, stderr } = await runScript(`
      import { openSerialPort } from "${portUrl}";
      import { openPty } from "${ptyUrl}";
      // The runtime opens socket pairs of its own at times; the port's descriptors are files.
      const count = () =>
        [...Deno.readDirSync("/proc/self/fd")].filter((e) => {
          try {
            return !Deno.readLinkSync(\`/proc/self/fd/\${e.name}\`).startsWith("socket:");
          } catch {
            return false; // the directory's own descriptor, closed by now
          }
        }).length;
      const pty = openPty();
      const cycle = async (i: number) => {
        const port = openSerialPort(pty.slavePath, { baudRate: 921600 });
        const w = port.writable.getWriter();
        await w.write(new Uint8Array([i]));
        w.releaseLock();
        const r = pty.readable.getReader();
        await r.read();
        r.releaseLock();
        if (i % 2) port.readable.getReader().read(); // close with a read pending
        await port.close();
      };
      // Warm-up: libc and the runtime's own lazily opened descriptors (timers, I/O threads).
      for (let i = 0; i < 4; i++) await cycle(i);
      const before = count();
      for (let i = 0; i < 50; i++) await cycle(i);
      console.log(before, count());
      await pty.close();
    `);
    assert.equal(code, 0, stderr);
    const [before, after] = stdout.split(/\s+/).map(Number);
    assert.ok(before > 0);
    assert.equal(after, before);
  },
});

const root = Deno.uid() === 0;
let setpriv = false;
try {
  new Deno.Command("setpriv", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
  setpriv = true;
} catch { /* not installed */ }
if (root && !setpriv) console.log("skipping EACCES test: running as root without setpriv");

Deno.test({
  name: "serial port: permission denied names the group and the udev rule",
  ignore: ignore || (root && !setpriv),
  async fn() {
    // A device node stand-in owned by group dialout (gid 20 on Debian), mode 0660.
    const dev = Deno.makeTempFileSync({ prefix: "df-tty-" });
    try {
      if (root) Deno.chownSync(dev, 0, 20);
      Deno.chmodSync(dev, root ? 0o660 : 0o000);
      const wrap = root ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
      const { code, stdout, stderr } = await runScript(
        `
        import { openSerialPort } from "${portUrl}";
        try { openSerialPort(${JSON.stringify(dev)}); console.log("opened"); }
        catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message, hint: e.hint })); }
      `,
        wrap,
      );
      assert.equal(code, 0, stderr);
      const e = JSON.parse(stdout.split("\n")[0]);
      assert.equal(e.name, "DeviceError");
      assert.equal(e.code, "E_PORT_PERMISSION");
      assert.match(e.message, /permission denied opening/);
      if (root) assert.match(e.hint, /usermod -aG dialout .*GROUP="dialout"/);
    } finally {
      Deno.removeSync(dev);
    }
  },
});
