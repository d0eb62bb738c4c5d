/**
 * X2 worker process: opens W writers (each its own Redis connection) on branch `main` of
 * one namespace, reports {"type":"ready"}, waits for "go" on stdin, then every writer does
 * C commits that each change its own key and increment the shared counter. Reports
 * {"type":"done", ...} (or {"type":"error", ...}) as one JSON line on stdout.
 *
 *   node --import tsx bench/x2-worker.ts --url redis://… --namespace NS --proc P --writers W --commits C --counter KEY
 */
import { createInterface } from "node:readline";
import { ConcurrencyError, type Staged } from "../src/index.ts";
import { openRedisStore } from "./backends.ts";
import { dict, registerCounter } from "./data.ts";

/** Extra commit attempts after a ConcurrencyError (the library already retries internally). */
const MAX_COMMIT_RETRIES = 20;

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`x2-worker: missing --${name}`);
  return v;
}

function send(msg: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(msg) + "\n");
}

function ownKey(proc: number, writer: number): string {
  return `w-${proc}-${writer}`;
}

async function waitForGo(): Promise<void> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === "go") {
      rl.close();
      return;
    }
  }
  throw new Error("x2-worker: stdin closed before go");
}

async function writer(s: Staged, own: string, counterKey: string, commits: number) {
  const d = dict(s);
  const strategies: Record<string, number> = {};
  const latencies: number[] = [];
  let retries = 0;
  for (let j = 0; j < commits; j++) {
    d[own] = j;
    d[counterKey] = (d[counterKey] as number) + 1;
    const t0 = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await s.commit();
        if (!r.merged) throw new Error(`commit ${j} of ${own} did not merge: ${JSON.stringify(r)}`);
        strategies[r.strategy] = (strategies[r.strategy] ?? 0) + 1;
        latencies.push(performance.now() - t0);
        break;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= MAX_COMMIT_RETRIES) throw err;
        retries++;
      }
    }
  }
  return { strategies, retries, latencies };
}

async function main(): Promise<void> {
  const url = arg("url");
  const namespace = arg("namespace");
  const proc = Number(arg("proc"));
  const writers = Number(arg("writers"));
  const commits = Number(arg("commits"));
  const counterKey = arg("counter");

  const stores: Staged[] = [];
  try {
    for (let w = 0; w < writers; w++) {
      const s = await openRedisStore(url, namespace);
      registerCounter(s, counterKey);
      stores.push(s);
    }
    send({ type: "ready", proc });
    await waitForGo();
    const t0 = performance.now();
    const results = await Promise.all(stores.map((s, w) => writer(s, ownKey(proc, w), counterKey, commits)));
    const ms = performance.now() - t0;
    const strategies: Record<string, number> = {};
    let retries = 0;
    const latencies: number[] = [];
    for (const r of results) {
      retries += r.retries;
      for (const x of r.latencies) latencies.push(Math.round(x * 1000) / 1000);
      for (const [k, v] of Object.entries(r.strategies)) strategies[k] = (strategies[k] ?? 0) + v;
    }
    send({ type: "done", proc, ms, commits: writers * commits, strategies, retries, latencies });
  } finally {
    await Promise.allSettled(stores.map((s) => s.close()));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    send({ type: "error", message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    process.exit(1);
  },
);
