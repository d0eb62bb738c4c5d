import { describe, expect, it } from "vitest";
import { BackendError, MemoryStore, store } from "../../src/index.ts";
import type { KVStore } from "../../src/kv/kv-store.ts";

/** SPEC §4.5: writes of a Live store reach an async backend in the user's order. */

type Call = { op: "set" | "del"; keys: string[]; before: Map<string, string> };

/** A memory backend that records each write call (and the state it found) and answers slowly. */
function recording(delayMs = 2): { backend: KVStore; mem: MemoryStore; calls: Call[]; fail?: (call: Call) => boolean } {
  const mem = new MemoryStore();
  const ctl: { backend: KVStore; mem: MemoryStore; calls: Call[]; fail?: (call: Call) => boolean } = { backend: Object.create(mem) as KVStore, mem, calls: [] };
  const snapshot = async () => {
    const out = new Map<string, string>();
    for await (const k of mem.keys("l/")) out.set(k.slice(2), Buffer.from((await mem.get(k))!).toString("hex"));
    return out;
  };
  const record = async (op: Call["op"], keys: string[]) => {
    const call: Call = { op, keys, before: await snapshot() };
    ctl.calls.push(call);
    await new Promise((r) => setTimeout(r, delayMs));
    if (ctl.fail?.(call)) throw new Error(`injected failure of ${op} ${keys.join(",")}`);
  };
  ctl.backend.setMany = async (entries) => {
    const list = [...entries];
    await record("set", list.map(([k]) => k));
    return mem.setMany(list);
  };
  ctl.backend.set = async (k, v) => {
    await record("set", [k]);
    return mem.set(k, v);
  };
  ctl.backend.deleteMany = async (keys) => {
    await record("del", [...keys]);
    return mem.deleteMany(keys);
  };
  ctl.backend.delete = async (k) => {
    await record("del", [k]);
    return mem.delete(k);
  };
  return ctl;
}

const summary = (calls: Call[]) => calls.map((c) => `${c.op} ${[...c.keys].sort().join(",")}`);

describe("Live write order", () => {
  it("delete a; set c; delete b reaches the backend as del a, set c, del b", async () => {
    const rec = recording();
    const live = await store({ backend: rec.backend, type: "live" });
    live.a = 1;
    live.b = 1;
    await live.flush();
    rec.calls.length = 0;
    live.x = 0; // starts a drain; the rest queues behind it
    delete live.a;
    live.c = 2;
    delete live.b;
    await live.flush();
    expect(summary(rec.calls)).toEqual(["set l/x", "del l/a", "set l/c", "del l/b"]);
    const again = await store({ backend: rec.mem, type: "live" });
    expect(again.keys()).toEqual(["c", "x"]);
  });

  it("coalesces consecutive writes of one kind into one call, keeping the last value per key", async () => {
    const rec = recording();
    const live = await store({ backend: rec.backend, type: "live" });
    live.first = 0;
    live.a = 1;
    live.b = 2;
    live.a = 3;
    delete live.a;
    delete live.b;
    live.c = 4;
    await live.flush();
    expect(summary(rec.calls)).toEqual(["set l/first", "set l/a,l/b", "del l/a,l/b", "set l/c"]);
    const again = await store({ backend: rec.mem, type: "live" });
    expect(again.keys()).toEqual(["c", "first"]);
  });

  it("every state the backend passes through is the state after a prefix of the user's writes", async () => {
    const rec = recording(1);
    const live = await store({ backend: rec.backend, type: "live", codec: "json" });
    const keys = ["a", "b", "c", "d"];
    let seed = 12345;
    const rand = (n: number) => {
      // mulberry32: a small deterministic generator
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    const model = new Map<string, number>();
    const stateOf = (m: Map<string, unknown>) => JSON.stringify([...m].sort(([x], [y]) => (x < y ? -1 : 1)));
    const prefixStates = [stateOf(model)];
    for (let step = 0; step < 200; step++) {
      if (step % 17 === 0) await new Promise((r) => setTimeout(r, 3)); // let some drains run mid-sequence
      const key = keys[rand(keys.length)];
      if (rand(3) === 0 && live.has(key)) {
        delete live[key];
        model.delete(key);
      } else {
        const v = rand(1000);
        live[key] = v;
        model.set(key, v);
      }
      prefixStates.push(stateOf(model));
    }
    await live.flush();
    const decoded = (m: Map<string, string>) => stateOf(new Map([...m].map(([k, hex]) => [k, JSON.parse(Buffer.from(hex, "hex").toString("utf8"))])));
    const allowed = new Set(prefixStates);
    expect(rec.calls.length).toBeGreaterThan(3);
    for (const call of rec.calls) expect(allowed.has(decoded(call.before)), `state before ${call.op} ${call.keys}`).toBe(true);
    const again = await store({ backend: rec.mem, type: "live", codec: "json" });
    expect(stateOf(new Map(again.keys().map((k) => [k, again.get(k)])))).toBe(prefixStates[prefixStates.length - 1]);
  });

  it("flush resolves when everything is durable and rejects once if a write failed; later writes still apply in order", async () => {
    const rec = recording();
    const live = await store({ backend: rec.backend, type: "live" });
    rec.fail = (call) => call.op === "del";
    live.a = 1;
    delete live.a;
    live.b = 2;
    await expect(live.flush()).rejects.toBeInstanceOf(BackendError);
    await live.flush(); // the failure was reported once
    expect(summary(rec.calls)).toEqual(["set l/a", "del l/a", "set l/b"]);
    expect(await rec.mem.has("l/b")).toBe(true);
    rec.fail = undefined;
    live.c = 3;
    await live.flush();
    expect(await rec.mem.has("l/c")).toBe(true);
  });
});
