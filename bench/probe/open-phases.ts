// Steady-state cost of each phase of opening 10,000 keys on the memory backend.
import { store, MemoryStore } from "../../src/index.ts";
import { ObjectStore } from "../../src/objects/object-store.ts";
import { NodeSource } from "../../src/index/node-source.ts";
import { scanLeaves } from "../../src/index/read.ts";
import { msgpackCodec } from "../../src/codec/msgpack.ts";
import { deepFreezeJson } from "../../src/api/frozen-value.ts";
import { key, value } from "../data.ts";
const N = 10000;
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s.set(key(i), value(i));
await s.commit();
const root = (await (s as any).commitInfo()).id;
const objects = new ObjectStore(backend);
const { Versioned } = await import("../../src/versioned/versioned.ts");
const v = await Versioned.open(backend, {});
const commit = await v.getCommit(root);
const phases: Record<string, number[]> = {};
const rec = (k: string, ms: number) => (phases[k] ??= []).push(ms);
for (let r = 0; r < Number(process.env.R ?? 40); r++) {
  (globalThis as any).gc?.();
  let t = performance.now();
  const leaves = await scanLeaves(new NodeSource(objects), commit.root);
  rec("scanLeaves", performance.now() - t);
  t = performance.now();
  const views: Uint8Array[] = [];
  for (const l of leaves) for (const id of l.ids) views.push(objects.getSync("v", id)!);
  rec("getSync", performance.now() - t);
  t = performance.now();
  const vals: unknown[] = [];
  for (const b of views) vals.push(msgpackCodec.decode(b));
  rec("decode", performance.now() - t);
  t = performance.now();
  for (const x of vals) deepFreezeJson(x);
  rec("freeze", performance.now() - t);
  t = performance.now();
  const m = new Map<string, object>();
  let i = 0;
  for (const l of leaves) for (let j = 0; j < l.keys.length; j++) m.set(l.keys[j], { id: l.ids[j], bytes: undefined, shared: true, value: vals[i++] });
  rec("map", performance.now() - t);
  t = performance.now();
  const s3 = await store({ backend });
  rec("store()", performance.now() - t);
}
for (const [k, xs] of Object.entries(phases)) { xs.sort((a, b) => a - b); console.log(k.padEnd(12), "median", xs[xs.length >> 1].toFixed(2), "min", xs[0].toFixed(2)); }
