/**
 * Test support: runs ser2net (4.x) on loopback, exposing a serial device (usually a pty
 * slave) as an RFC 2217 server. Tests skip with a printed reason when ser2net is missing.
 *
 * @module
 */

/** A running ser2net. */
export interface Ser2net {
  /** `rfc2217://127.0.0.1:PORT` (or `socket://…` for a raw accepter). */
  readonly address: string;
  /** Stops ser2net and removes its config. */
  stop(): Promise<void>;
}

/** Why ser2net tests cannot run here, or undefined when they can. */
export function ser2netMissing(): string | undefined {
  if (Deno.build.os !== "linux") return "ser2net tests need Linux ptys";
  try {
    new Deno.Command("ser2net", { args: ["-v"], stdout: "null", stderr: "null" }).outputSync();
    return undefined;
  } catch {
    return "ser2net is not installed (apt-get install -y ser2net)";
  }
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/**
 * Starts ser2net serving `device` at `baud` 8N1 on a free loopback port, as RFC 2217 or
 * (`raw`) as a plain TCP byte stream.
 */
export async function startSer2net(device: string, baud = 115200, raw = false): Promise<Ser2net> {
  const port = freePort();
  const dir = Deno.makeTempDirSync({ prefix: "df-ser2net-" });
  const config = `${dir}/ser2net.yaml`;
  Deno.writeTextFileSync(
    config,
    [
      "%YAML 1.1",
      "---",
      "connection: &con0",
      `  accepter: ${raw ? "" : "telnet(rfc2217),"}tcp,127.0.0.1,${port}`,
      `  connector: serialdev,${device},${baud}n81,local`,
      "",
    ].join("\n"),
  );
  // -n: foreground; -u: no UUCP lock files; -P: pid file inside our temp dir.
  const child = new Deno.Command("ser2net", {
    args: [
      "-n",
      "-u",
      ...(Deno.env.get("SER2NET_DEBUG") ? ["-d"] : []),
      "-c",
      config,
      "-P",
      `${dir}/pid`,
    ],
    stdout: Deno.env.get("SER2NET_DEBUG") ? "inherit" : "null",
    stderr: Deno.env.get("SER2NET_DEBUG") ? "inherit" : "null",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    await child.status;
    Deno.removeSync(dir, { recursive: true });
  };
  // Wait for the listening socket without connecting: a probe connection would start a
  // session (ser2net opens and flushes the tty) that the test's own connection then races.
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  for (let i = 0; i < 200; i++) {
    const table = Deno.readTextFileSync("/proc/net/tcp");
    if (table.split("\n").some((l) => l.includes(`:${hex} `) && / 0A /.test(l))) {
      return { address: `${raw ? "socket" : "rfc2217"}://127.0.0.1:${port}`, stop };
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await stop();
  throw new Error(`ser2net did not listen on ${port}`);
}
