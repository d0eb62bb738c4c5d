import { describe, expect, it } from "vitest";
import { ByteArena } from "../../src/kv/byte-arena.ts";
import { MemoryStore } from "../../src/kv/memory-store.ts";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe("ByteArena", () => {
  it("stores copies, reads views and copies, and reuses released slots", () => {
    const arena = new ByteArena();
    const input = Uint8Array.of(1, 2, 3);
    const a = arena.add(input);
    input[0] = 9; // the caller's buffer is not the stored one
    expect([...arena.view(a)]).toEqual([1, 2, 3]);
    const copy = arena.copy(a);
    copy[1] = 7;
    expect([...arena.view(a)]).toEqual([1, 2, 3]);
    const b = arena.add(new Uint8Array(0));
    expect(arena.view(b).length).toBe(0);
    arena.release(a);
    expect(arena.add(Uint8Array.of(4))).toBe(a);
    expect([...arena.view(a)]).toEqual([4]);
  });

  it("keeps values of every size apart, including ones larger than a chunk", () => {
    const arena = new ByteArena();
    const sizes = [1, 100, 70_000, 5, 5_000_000, 3, 65_536, 65_537];
    const slots = sizes.map((n, i) => arena.add(bytes(n, i + 1)));
    slots.forEach((slot, i) => {
      const v = arena.view(slot);
      expect(v.length).toBe(sizes[i]);
      expect(v.every((x) => x === i + 1)).toBe(true);
    });
  });

  it("compacts once released bytes outweigh live ones; views handed out earlier stay intact", () => {
    const arena = new ByteArena();
    const keep = arena.add(bytes(1000, 7));
    const earlier = arena.view(keep);
    const dropped: number[] = [];
    for (let i = 0; i < 6000; i++) dropped.push(arena.add(bytes(1000, i % 250)));
    const before = arena.view(dropped[10]);
    for (const slot of dropped) arena.release(slot);
    expect(arena.wantsCompaction()).toBe(true);
    arena.compact();
    expect(arena.wantsCompaction()).toBe(false);
    expect(arena.view(keep).every((x) => x === 7)).toBe(true);
    expect(earlier.every((x) => x === 7)).toBe(true);
    expect(before.every((x) => x === 10)).toBe(true);
  });
});

describe("MemoryStore on its arena", () => {
  it("overwrites, deletes and compacts without changing what reads return", async () => {
    const s = new MemoryStore();
    await s.set("h/main", Uint8Array.of(1));
    const held = s.getSync("h/main")!;
    await s.set("h/main", Uint8Array.of(2));
    expect([...held]).toEqual([1]); // a view handed out is never overwritten
    expect([...(await s.get("h/main"))!]).toEqual([2]);
    for (let round = 0; round < 3; round++) {
      const keys = Array.from({ length: 3000 }, (_, i) => `v/${round}-${i}`);
      await s.setMany(keys.map((k, i) => [k, bytes(2000, (i + round) % 256)] as const));
      await s.deleteMany(keys.slice(1)); // enough dead bytes to trigger compaction
      expect(s.getSync(keys[0])!.every((x) => x === round % 256)).toBe(true);
    }
    expect(s.stats()).toEqual({ entries: 4, keyBytes: expect.any(Number), valueBytes: 1 + 3 * 2000 });
    expect([...s.getSync("h/main")!]).toEqual([2]);
  });
});
