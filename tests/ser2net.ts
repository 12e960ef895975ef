/**
 * Test support: runs ser2net (4.x) on loopback, exposing a serial device (usually a pty
 * slave) as an RFC 2217 server. Tests skip with a printed reason when ser2net is missing.
 *
 * @module
 */

/** A running ser2net. */
export interface Ser2net {
  /** `rfc2217://127.0.0.1:PORT`. */
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

/** Starts ser2net serving `device` at `baud` 8N1 as RFC 2217 on a free loopback port. */
export async function startSer2net(device: string, baud = 115200): Promise<Ser2net> {
  const port = freePort();
  const dir = Deno.makeTempDirSync({ prefix: "df-ser2net-" });
  const config = `${dir}/ser2net.yaml`;
  Deno.writeTextFileSync(
    config,
    [
      "%YAML 1.1",
      "---",
      "connection: &con0",
      `  accepter: telnet(rfc2217),tcp,127.0.0.1,${port}`,
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
  for (let i = 0; i < 100; i++) {
    try {
      const probe = await Deno.connect({ hostname: "127.0.0.1", port });
      probe.close();
      return { address: `rfc2217://127.0.0.1:${port}`, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await stop();
  throw new Error(`ser2net did not listen on ${port}`);
}
