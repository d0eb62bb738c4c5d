// W6 on the disk backend in the harness's shape (reopen the LMDB env, then open + read all).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { store } from "../../src/index.ts";
import { DiskStore } from "../../src/kv/disk-store.ts";
import { key, value } from "../data.ts";
const N = 10000;
const dir = mkdtempSync(join(tmpdir(), "kvgit-diskopen-"));
const s = await store({ kind: "disk", path: dir });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
await s.commit();
await s.close();
for (let r = 0; r < 10; r++) {
  const kv = await DiskStore.open(dir);
  (globalThis as any).gc?.();
  const t0 = performance.now();
  const s3 = await store({ backend: kv });
  const t1 = performance.now();
  for (const k of s3.keys()) (s3 as any)[k];
  const t2 = performance.now();
  console.log(`open ${(t1 - t0).toFixed(1)} values ${(t2 - t1).toFixed(1)}`);
  await s3.close();
}
rmSync(dir, { recursive: true, force: true });
