/**
 * X2 writers (Redis backend): 8 concurrent writers, 4 in each of 2 child processes, on one
 * branch; each does C commits changing 1 own key and incrementing 1 shared counter that
 * has the counter merge. Reports commits per second (wall clock from "go" to the last
 * writer done) and the final counter, which must be exactly writers × C.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { freshRedisNamespace, openRedisStore, removeRedisNamespace } from "./backends.ts";
import { ctr, dict, registerCounter } from "./data.ts";
import { X2_SETTINGS, type Scale } from "./params.ts";
import { median, round } from "./stats.ts";
import { checkEqual } from "./timing.ts";

export interface WritersResult {
  name: "writers";
  backend: "redis";
  processes: number;
  writers_per_process: number;
  commits_per_writer: number;
  total_commits: number;
  wall_ms: number;
  commits_per_s: number;
  final_counter: number;
  expected_counter: number;
  strategies: Record<string, number>;
  /** ConcurrencyErrors the writers caught and retried (the library gave up after its own retries). */
  concurrency_retries: number;
  /** Per commit call, retries included: how evenly the writers progressed. */
  commit_latency_ms: { median: number; p95: number; max: number };
  per_process_ms: number[];
}

const here = dirname(fileURLToPath(import.meta.url));
const WORKER = join(here, "x2-worker.ts");
const TIMEOUT_MS = 15 * 60_000;
const COUNTER = ctr(0);

interface WorkerMessage {
  type: "ready" | "done" | "error";
  proc?: number;
  ms?: number;
  commits?: number;
  strategies?: Record<string, number>;
  retries?: number;
  latencies?: number[];
  message?: string;
}

/** A child process and a queue of the JSON lines it printed. */
class Worker {
  readonly child: ChildProcess;
  readonly #pending: WorkerMessage[] = [];
  readonly #waiters: ((m: WorkerMessage) => void)[] = [];

  constructor(args: string[]) {
    this.child = spawn(process.execPath, ["--import", "tsx", WORKER, ...args], {
      cwd: join(here, ".."),
      stdio: ["pipe", "pipe", "inherit"],
    });
    const rl = createInterface({ input: this.child.stdout! });
    rl.on("line", (line) => {
      let msg: WorkerMessage;
      try {
        msg = JSON.parse(line) as WorkerMessage;
      } catch {
        process.stderr.write(`[x2-worker] ${line}\n`);
        return;
      }
      this.#deliver(msg);
    });
    this.child.on("exit", (code, signal) => {
      this.#deliver({ type: "error", message: `worker exited (code ${code}, signal ${signal}) without reporting` });
    });
  }

  #deliver(msg: WorkerMessage): void {
    const w = this.#waiters.shift();
    if (w) w(msg);
    else this.#pending.push(msg);
  }

  /** The next message, which must be of type `type`. */
  async next(type: "ready" | "done"): Promise<WorkerMessage> {
    const msg = this.#pending.shift() ?? (await new Promise<WorkerMessage>((resolve) => this.#waiters.push(resolve)));
    if (msg.type !== type) throw new Error(`X2 worker: expected "${type}", got ${msg.type}: ${msg.message ?? JSON.stringify(msg)}`);
    return msg;
  }

  go(): void {
    this.child.stdin!.write("go\n");
    this.child.stdin!.end();
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }
}

function latencySummary(xs: number[]): { median: number; p95: number; max: number } {
  if (xs.length === 0) return { median: NaN, p95: NaN, max: NaN };
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: round(median(sorted)), p95: round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]), max: round(sorted[sorted.length - 1]) };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`X2: ${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export async function runWriters(scale: Scale, url: string, log: (msg: string) => void): Promise<WritersResult> {
  const { processes, writersPerProcess } = X2_SETTINGS;
  const commits = X2_SETTINGS.commits[scale];
  const totalWriters = processes * writersPerProcess;
  const namespace = freshRedisNamespace("x2");
  const workers: Worker[] = [];
  try {
    // The branch with the counter at 0.
    const setup = await openRedisStore(url, namespace);
    try {
      dict(setup)[COUNTER] = 0;
      await setup.commit();
    } finally {
      await setup.close();
    }

    for (let p = 0; p < processes; p++) {
      workers.push(
        new Worker(["--url", url, "--namespace", namespace, "--proc", String(p), "--writers", String(writersPerProcess), "--commits", String(commits), "--counter", COUNTER]),
      );
    }
    await withTimeout(Promise.all(workers.map((w) => w.next("ready"))), 120_000, "starting the workers");
    const t0 = performance.now();
    for (const w of workers) w.go();
    const done = await withTimeout(Promise.all(workers.map((w) => w.next("done"))), TIMEOUT_MS, "the writers");
    const wallMs = performance.now() - t0;

    const strategies: Record<string, number> = {};
    let retries = 0;
    const latencies: number[] = [];
    for (const m of done) {
      retries += m.retries ?? 0;
      latencies.push(...(m.latencies ?? []));
      for (const [k, v] of Object.entries(m.strategies ?? {})) strategies[k] = (strategies[k] ?? 0) + v;
    }

    const check = await openRedisStore(url, namespace);
    let finalCounter: number;
    try {
      registerCounter(check, COUNTER);
      finalCounter = check.get(COUNTER) as number;
      for (let p = 0; p < processes; p++) {
        for (let w = 0; w < writersPerProcess; w++) checkEqual(check.get(`w-${p}-${w}`), commits - 1, `X2: writer w-${p}-${w}'s own key`);
      }
    } finally {
      await check.close();
    }
    const result: WritersResult = {
      name: "writers",
      backend: "redis",
      processes,
      writers_per_process: writersPerProcess,
      commits_per_writer: commits,
      total_commits: totalWriters * commits,
      wall_ms: round(wallMs, 1),
      commits_per_s: round((totalWriters * commits) / (wallMs / 1000), 1),
      final_counter: finalCounter,
      expected_counter: totalWriters * commits,
      strategies,
      concurrency_retries: retries,
      commit_latency_ms: latencySummary(latencies),
      per_process_ms: done.map((m) => round(m.ms ?? NaN, 1)),
    };
    log(`  X2: ${result.total_commits} commits in ${Math.round(wallMs)} ms, counter ${finalCounter}`);
    checkEqual(finalCounter, totalWriters * commits, "X2: final shared counter");
    return result;
  } finally {
    for (const w of workers) w.kill();
    await removeRedisNamespace(url, namespace).catch((err: unknown) => log(`  X2: cleanup of Redis namespace ${namespace} failed: ${String(err)}`));
  }
}
