/**
 * Who may talk to a probe-server, decided before any WebSocket upgrade: the `Host` must be the
 * listen address (a web page reaching a loopback server through DNS rebinding sends its own
 * name), browser `Origin`s are refused unless allowed, the token must match, and connections
 * are bounded. Each refusal is a plain HTTP status the client can explain.
 *
 * @module
 */

/** What the guard checks against. */
export interface GuardPolicy {
  /** Interface the server listens on. */
  readonly hostname: string;
  /** Port it listens on. */
  readonly port: number;
  /** The token. */
  readonly token: string;
  /** Browser origins allowed to connect (exact `scheme://host[:port]`, or `*`). */
  readonly allowOrigins: readonly string[];
}

/** A refusal: HTTP status and a one-line reason. */
export interface Refusal {
  /** HTTP status. */
  readonly status: 401 | 403 | 421;
  /** Reason, sent as the body. */
  readonly reason: string;
}

/** True for addresses only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:.]+\])$/i;
const ANY = new Set(["0.0.0.0", "::", "[::]"]);

/** Whether a `Host` header names the listen address (loopback aliases and, when listening on
 * every interface, any IP literal; never a DNS name other than localhost). */
export function hostAllowed(host: string | null, policy: GuardPolicy): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim());
  if (!m || Number(m[2] ?? 80) !== policy.port) return false;
  const name = m[1].toLowerCase();
  const listen = policy.hostname.includes(":") && !policy.hostname.startsWith("[")
    ? `[${policy.hostname.toLowerCase()}]`
    : policy.hostname.toLowerCase();
  if (name === listen) return true;
  if (isLoopback(listen)) return isLoopback(name);
  return ANY.has(policy.hostname) && (IP_LITERAL.test(name) || isLoopback(name));
}

/** Compares without an early exit, so timing does not tell how much of a guess was right. */
export function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Checks a request before it is upgraded; undefined when it may go on. */
export function refusal(req: Request, policy: GuardPolicy): Refusal | undefined {
  if (!hostAllowed(req.headers.get("host"), policy)) {
    return { status: 421, reason: "Host is not this server's listen address" };
  }
  const origin = req.headers.get("origin");
  if (origin !== null && !policy.allowOrigins.some((o) => o === "*" || o === origin)) {
    return { status: 403, reason: `origin ${origin} is not allowed (see --allow-origin)` };
  }
  const given = new URL(req.url).searchParams.get("token") ??
    req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
  if (!sameToken(given, policy.token)) return { status: 401, reason: "bad or missing token" };
  return undefined;
}
