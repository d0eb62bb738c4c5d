import { randomBytes } from "node:crypto";
import { connect } from "node:net";

/**
 * Shared-service tests (Redis, PostgreSQL). Under CI (`CI=true`) they are never skipped: an
 * unreachable service fails the test file at once (rather than every test timing out);
 * elsewhere it skips them with a one-line notice. Usage, at the top level of a test file:
 *
 *   const redis = await service("redis");
 *   describe.skipIf(redis.skip)("...", () => { ... redis.url ... });
 */
export const REDIS_URL = process.env.KVGIT_REDIS_URL ?? "redis://127.0.0.1:6379";
export const PG_URL = process.env.KVGIT_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const IN_CI = process.env.CI === "true";

/** Unique per test process: prefix every namespace/key with it so runs never collide. */
export const RUN_ID = `${process.pid.toString(36)}${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;

export interface Service {
  name: string;
  url: string;
  /** False, or why the tests are skipped. */
  skip: false | string;
}

const cache = new Map<string, Promise<Service>>();

export function service(name: "redis" | "postgres"): Promise<Service> {
  const url = name === "redis" ? REDIS_URL : PG_URL;
  let p = cache.get(name);
  if (!p) cache.set(name, (p = check(name, url)));
  return p;
}

async function check(name: string, url: string): Promise<Service> {
  const { hostname, port } = new URL(url);
  const defaultPort = name === "redis" ? 6379 : 5432;
  const reason = await tcpProbe(hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", Number(port) || defaultPort, 2_000);
  if (reason === undefined) return { name, url, skip: false };
  const why = `${name} at ${redact(url)} is unreachable (${reason}); set ${name === "redis" ? "KVGIT_REDIS_URL" : "KVGIT_PG_URL"} or start it`;
  if (IN_CI) throw new Error(`CI=true: the ${name} tests must run, but ${why}`);
  console.warn(`[kvgit tests] skipping ${name} tests: ${why}`);
  return { name, url, skip: why };
}

/** Resolves undefined when a TCP connection opens, or the reason it did not. */
function tcpProbe(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (reason: string | undefined): void => {
      sock.destroy();
      resolve(reason);
    };
    sock.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    sock.once("connect", () => done(undefined));
    sock.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
}

/** A fresh namespace for one test file's data: `kvgit-test-<run>-<label>`. */
export function testNamespace(label: string): string {
  return `kvgit-test-${RUN_ID}-${label}`;
}
