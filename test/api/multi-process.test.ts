import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { store, counter, type StoreOptions } from "kvgit";
import { runScript, spawnScript } from "../support/spawn.ts";
import { service, testNamespace } from "../kv/services.ts";

const WRITER = new URL("./fixtures/versioned-writer.ts", import.meta.url);
const redis = await service("redis");
const postgres = await service("postgres");
const tmp = mkdtempSync(join(tmpdir(), "kvgit-mp-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Target {
  name: string;
  skip: false | string;
  spec: () => StoreOptions;
}

const targets: Target[] = [
  { name: "disk", skip: false, spec: () => ({ kind: "disk", path: mkdtempSync(join(tmp, "disk-")) }) },
  { name: "redis", skip: redis.skip, spec: () => ({ url: redis.url, namespace: testNamespace(`mp-${Math.random().toString(36).slice(2)}`) }) },
  { name: "postgres", skip: postgres.skip, spec: () => ({ url: postgres.url, namespace: testNamespace(`mp-${Math.random().toString(36).slice(2)}`) }) },
];

async function seed(spec: StoreOptions): Promise<void> {
  const s = await store(spec);
  s.counter = 0;
  s.setContentType("counter", counter());
  await s.commit({ message: "seed" });
  await s.close();
}

for (const t of targets) {
  describe.skipIf(t.skip)(`many processes on one branch: ${t.name}`, () => {
    it("2 processes x 4 writers: every commit lands, the counter is exact, every object verifies", async () => {
      const spec = t.spec();
      await seed(spec);
      const commits = 15;
      const outs = await Promise.all([0, 1].map((p) => runScript(WRITER, [JSON.stringify(spec), String(p), "4", String(commits)])));
      expect(outs.map((o) => o.trim())).toEqual([`done ${4 * commits}`, `done ${4 * commits}`]);
      const s = await store(spec);
      expect(s.counter).toBe(2 * 4 * commits);
      for (let p = 0; p < 2; p++) for (let w = 0; w < 4; w++) for (let j = 0; j < commits; j++) expect(s.has(`p${p}/w${w}/k${j}`)).toBe(true);
      let history = 0;
      for await (const _ of s.history(undefined, { allParents: true })) history++;
      expect(history).toBeGreaterThanOrEqual(2 * 4 * commits + 2);
      const report = await s.verify();
      expect(report.problems).toEqual([]);
      await s.close();
    }, 120_000);
  });
}

for (const t of targets.filter((x) => x.name !== "postgres")) {
  describe.skipIf(t.skip)(`crash safety: ${t.name}`, () => {
    it("a writer SIGKILLed at random moments never leaves a broken branch", async () => {
      const spec = t.spec();
      await seed(spec);
      let seedState = 12345;
      const random = () => (seedState = (seedState * 48271) % 2147483647) / 2147483647;
      let lastCounter = 0;
      for (let round = 0; round < 6; round++) {
        const child = spawnScript(WRITER, [JSON.stringify(spec), `r${round}`, "2", "forever"]);
        let committed = 0;
        await new Promise<void>((resolve, reject) => {
          const target = 3 + Math.floor(random() * 25);
          child.stdout!.on("data", (d: Buffer) => {
            committed += (d.toString().match(/committed/g) ?? []).length;
            if (committed >= target) {
              // Kill somewhere inside the next commit: after a random short delay.
              setTimeout(() => child.kill("SIGKILL"), Math.floor(random() * 8));
            }
          });
          child.on("exit", () => resolve());
          child.on("error", reject);
        });
        const s = await store(spec);
        const report = await s.verify();
        expect(report.problems).toEqual([]);
        const c = s.counter as number;
        // Acknowledged commits were durable; the counter only grows.
        expect(c).toBeGreaterThanOrEqual(lastCounter + Math.min(committed, 1));
        lastCounter = c;
        for (const k of s.keys()) s.get(k);
        await s.close();
      }
    }, 120_000);
  });
}

for (const t of targets.filter((x) => x.name !== "postgres")) {
  describe.skipIf(t.skip)(`GC while writers commit: ${t.name}`, () => {
    it("cleanOrphans in a loop beside 2 writer processes never removes anything reachable", async () => {
      const spec = t.spec();
      await seed(spec);
      const gc = await store(spec);
      // Garbage for GC to find: a branch that is deleted again.
      const tmpBranch = await gc.createBranch("tmp");
      tmpBranch.set("junk", "x".repeat(500));
      await tmpBranch.commit();
      await gc.deleteBranch("tmp", { reclaim: false });
      await new Promise((r) => setTimeout(r, 1_100)); // the garbage is now older than the guard
      const commits = 12;
      const writers = Promise.all([0, 1].map((p) => runScript(WRITER, [JSON.stringify(spec), String(p), "4", String(commits)])));
      let finished = false;
      void writers.finally(() => (finished = true));
      let runs = 0;
      let deleted = 0;
      // A 1 s guard: far longer than any commit attempt here, far shorter than the run.
      while (!finished || runs < 2) {
        deleted += await gc.cleanOrphans({ minAgeMs: 1_000 });
        runs++;
        await new Promise((r) => setTimeout(r, 20));
      }
      await writers;
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(deleted).toBeGreaterThan(0);
      await gc.close();
      const s = await store(spec);
      expect(s.counter).toBe(2 * 4 * commits);
      expect((await s.verify()).problems).toEqual([]);
      await s.close();
    }, 120_000);
  });
}
