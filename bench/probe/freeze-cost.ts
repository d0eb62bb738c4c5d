import { msgpackCodec } from "../../src/codec/msgpack.ts";
import { freezeIfJsonLike } from "../../src/api/frozen-value.ts";
const value = (i: number) => ({ id: i, name: "user-" + i, tags: ["a", "b"], score: i * 1.5 });
const N = 10000;
for (let r = 0; r < 6; r++) {
  const bytes = Array.from({ length: N }, (_, i) => msgpackCodec.encode(value(i)));
  (globalThis as any).gc?.();
  let t0 = performance.now();
  const vals = bytes.map((b) => msgpackCodec.decode(b));
  const dec = performance.now() - t0;
  t0 = performance.now();
  for (const v of vals) freezeIfJsonLike(v);
  const fr = performance.now() - t0;
  console.log(`decode ${(dec * 1e6 / N).toFixed(0)} ns, freeze ${(fr * 1e6 / N).toFixed(0)} ns`);
}
