import { store, MemoryStore } from "../../src/index.ts";
import { msgpackCodec } from "../../src/codec/msgpack.ts";
const N = 10000;
const key = (i: number) => "k" + String(i).padStart(6, "0");
const value = (i: number) => ({ id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 });
const backend = new MemoryStore();
const s = await store({ backend });
for (let i = 0; i < N; i++) s[key(i)] = value(i);
await s.commit();
for (let r = 0; r < 8; r++) {
  const s2 = await store({ backend });
  const keys = Array.from({ length: N }, (_, i) => key(i));
  const bytes = keys.map((k) => msgpackCodec.encode(value(Number(k.slice(1)))));
  (globalThis as any).gc?.();
  let t0 = performance.now();
  for (const k of keys) (s2 as any)[k];
  const first = performance.now() - t0;
  t0 = performance.now();
  for (const k of keys) (s2 as any)[k];
  const second = performance.now() - t0;
  t0 = performance.now();
  for (const b of bytes) msgpackCodec.decode(b);
  const dec = performance.now() - t0;
  console.log(`first ${(first * 1e6 / N).toFixed(0)} ns, second ${(second * 1e6 / N).toFixed(0)} ns, fresh-bytes decode ${(dec * 1e6 / N).toFixed(0)} ns`);
}
