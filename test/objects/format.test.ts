import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hashHex, hashHexPortable } from "../../src/objects/hash.ts";
import { decodeNode, encodeNode } from "../../src/index/node.ts";
import { keyHash32 } from "../../src/index/chunking.ts";
import { decodeCommit, encodeCommit } from "../../src/versioned/commit-object.ts";
import { keyChangeHash } from "../../src/versioned/change-summary.ts";
import { MemoryStore } from "../../src/kv/memory-store.ts";
import { ObjectStore } from "../../src/objects/object-store.ts";
import { NodeSource, buildTree } from "../../src/index/keyset-index.ts";
import { FormatError } from "../../src/errors.ts";
import { decodedFields } from "../support/commit-fields.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);

// Depth 6 (lowbit 2) covers depths 5..6 of its first-parent line and jumps to depths 5
// (its first parent, B) and 4 (C); it changed one key, its parent another.
const DEPTH_6 = {
  root: A,
  parents: [B],
  generation: 2,
  depth: 6,
  lineJumps: [B, C],
  changeSummary: [new Uint32Array([0xdeadbeef]), new Uint32Array([1])],
  time: 1700000000000,
  message: "m",
};
/** DEPTH_6's bytes after the layout byte: the same in layouts 2 and 3 (it has no change record). */
const DEPTH_6_BODY = "02" + "4278bcfe56800000" + A + "01" + B + "06" + "01" + C + "02" + "deadbeef" + "02" + "00000001" + "01" + "6d";

describe("storage format v3 (golden)", () => {
  it("ids are the first 20 bytes of SHA-256, the same from node:crypto and @noble/hashes", () => {
    expect(hashHex(new TextEncoder().encode("abc"))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a3");
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => hashHex(bytes) === hashHexPortable(bytes)));
  });

  it("pins the bytes of an index node", () => {
    const node = { height: 0, keys: ["user/1", "user/2"], ids: [A, B] };
    const bytes = encodeNode(node);
    expect(hex(bytes)).toBe("0002" + "0006" + hex(new TextEncoder().encode("user/1")) + A + "0501" + "32" + B);
    expect(decodeNode(bytes)).toEqual(node);
    expect(hashHex(bytes)).toMatchInlineSnapshot(`"5e950cbf1dbb7c8c90c0a16a4151c44045d4bcfd"`);
  });

  it("pins the boundary hash and the root of a known keyset", async () => {
    expect([keyHash32("k000000", 0), keyHash32("k000000", 1), keyHash32("", 0)]).toMatchInlineSnapshot(`
      [
        1184677012,
        711582476,
        2388540327,
      ]
    `);
    const nodes = new NodeSource(new ObjectStore(new MemoryStore()));
    const batch = nodes.objects.batch();
    const entries = Array.from({ length: 1000 }, (_, i) => ({ key: `k${String(i).padStart(6, "0")}`, valueId: hashHex(new TextEncoder().encode(String(i))) }));
    expect(await buildTree(nodes, batch, entries)).toMatchInlineSnapshot(`"8f16f1f76f33fde32dad89b3d07da30ca6b6159f"`);
    expect(await buildTree(nodes, batch, [])).toBe(hashHex(new Uint8Array([0, 0])));
  });

  it("pins the bytes of a commit", () => {
    const bytes = encodeCommit(DEPTH_6);
    expect(hex(bytes)).toBe("03" + DEPTH_6_BODY);
    expect(decodedFields("x", bytes)).toEqual({ id: "x", ...DEPTH_6 });
  });

  it("pins a commit with a change record", () => {
    // Added "a", removed "b", modified "c": kind, key, the parent's id unless added, the
    // commit's id unless removed; the record's byte length (90) comes first, flag 8 marks it.
    const changes = [
      { key: "a", from: undefined, to: C },
      { key: "b", from: A, to: undefined },
      { key: "c", from: A, to: B },
    ];
    const fields = { root: A, parents: [B], generation: 3, depth: 3, lineJumps: [B], changeSummary: [null], changes, time: 0, message: "m" };
    const bytes = encodeCommit(fields);
    expect(hex(bytes)).toBe(
      "03" + "03" + "0000000000000000" + A + "01" + B + "03" + "09" + "00" + "5a" + "03" + "01" + "0161" + C + "02" + "0162" + A + "03" + "0163" + A + B + "01" + "6d",
    );
    expect(decodedFields("x", bytes)).toEqual({ id: "x", ...fields });
    expect(hashHex(bytes)).toMatchInlineSnapshot(`"e6787ace4e6589305d2dad80bafad0954abf9cda"`);
  });

  it("still reads commits of layout 2 (format 2), which have no change record", () => {
    const layout2 = Buffer.from("02" + DEPTH_6_BODY, "hex");
    expect(decodedFields("x", layout2)).toEqual({ id: "x", ...DEPTH_6 });
    expect(decodeCommit("x", layout2).changes).toBeUndefined();
    // Flag 8 did not exist in layout 2.
    const flagged = Buffer.from(layout2);
    flagged[1 + 1 + 8 + 20 + 1 + 20 + 1] |= 8;
    expect(() => decodeCommit("x", flagged)).toThrow(/unknown flags/);
  });

  it("pins a commit that covers only itself, with an unknown summary", () => {
    // Depth 3 (odd) covers only itself: its one jump is its first parent, stored as such.
    const fields = { root: A, parents: [B], generation: 3, depth: 3, lineJumps: [B], changeSummary: [null], time: 0 };
    const bytes = encodeCommit(fields);
    expect(hex(bytes)).toBe("03" + "03" + "0000000000000000" + A + "01" + B + "03" + "00" + "00");
    expect(decodedFields("x", bytes)).toEqual({ id: "x", ...fields });
  });

  it("pins the key hash of the change summaries", () => {
    expect([keyChangeHash("k000000"), keyChangeHash("")]).toMatchInlineSnapshot(`
      [
        3573864095,
        3956898675,
      ]
    `);
  });

  it("rejects corrupt nodes and commits with FormatError", () => {
    expect(() => decodeNode(new Uint8Array([0, 5, 0]))).toThrow(FormatError);
    expect(() => decodeNode(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(FormatError);
    expect(() => decodeCommit("x", new Uint8Array([0xc1]))).toThrow(FormatError);
    expect(() => decodeCommit("x", new Uint8Array([0x01, 0x02]))).toThrow(FormatError);
    const good = encodeCommit({ root: A, parents: [], generation: 1, depth: 1, lineJumps: [], changeSummary: [new Uint32Array(0)], time: 0, info: { a: 1 } });
    expect(decodeCommit("x", good).info).toEqual({ a: 1 });
    expect(decodeCommit("x", good).root).toBe(A);
    expect(() => decodeCommit("x", good.slice(0, 30))).toThrow(FormatError);
    // A commit of layout 1 (before change summaries) is not readable.
    expect(() => decodeCommit("x", Buffer.from("01" + "01" + "0000000000000000" + A + "00" + "00", "hex"))).toThrow(FormatError);
    // A root commit must be at depth 1, and a depth-6 commit must name its jumps.
    const rootAt2 = Buffer.from(good);
    rootAt2[1 + 1 + 8 + 20 + 1] = 2;
    expect(() => decodeCommit("x", rootAt2)).toThrow(FormatError);
    expect(() => encodeCommit({ root: A, parents: [B], generation: 2, depth: 6, lineJumps: [B], changeSummary: [null, null], time: 0 })).toThrow(/line jumps/);
    // Summary hashes must ascend: walks binary-search them.
    const unsorted = encodeCommit({ root: A, parents: [B], generation: 2, depth: 3, lineJumps: [B], changeSummary: [new Uint32Array([5, 2])], time: 0 });
    expect(() => decodeCommit("x", unsorted)).toThrow(/out of order/);
  });

  it("rejects damaged change records with a FormatError naming the commit", () => {
    const base = { root: A, parents: [B], generation: 3, depth: 3, lineJumps: [B], changeSummary: [null], time: 0 };
    const good = encodeCommit({ ...base, changes: [{ key: "a", from: A, to: B }, { key: "b", from: undefined, to: C }] });
    expect(decodeCommit("x", good).changes).toHaveLength(2);
    const recordAt = 1 + 1 + 8 + 20 + 1 + 20 + 1 + 1 + 1 + 1; // after the summary entry and the length
    const damage = (edit: (b: Buffer) => void) => {
      const b = Buffer.from(good);
      edit(b);
      return () => decodeCommit("c0ffee", b).changes;
    };
    expect(damage((b) => (b[recordAt + 1] = 7))).toThrow(/commit c0ffee is corrupt \(bad change kind\)/);
    expect(damage((b) => (b[recordAt + 3] = 0x63))).toThrow(/out of order/); // "c" before "b"
    expect(damage((b) => b.write(A, recordAt + 4 + 20, "hex"))).toThrow(/unchanged key/);
    expect(damage((b) => (b[recordAt] = 1))).toThrow(/length mismatch/);
    expect(damage((b) => (b[recordAt - 1] = 0xff))).toThrow(FormatError); // framing: caught when decoding
    expect(damage((b) => (b[recordAt + 1] = 7))).toThrow(FormatError);
    // A record needs a first parent; encoding refuses one that does not fit.
    expect(() => encodeCommit({ ...base, parents: [], depth: 1, lineJumps: [], generation: 1, changes: [] })).toThrow(/first parent/);
    const tooMany = Array.from({ length: 1025 }, (_, i) => ({ key: `k${String(i).padStart(4, "0")}`, from: undefined, to: C }));
    expect(() => encodeCommit({ ...base, changes: tooMany })).toThrow(/over its caps/);
    expect(() => encodeCommit({ ...base, changes: [{ key: "x".repeat(70_000), from: undefined, to: C }] })).toThrow(/over its caps/);
    const rootWithRecord = Buffer.from(encodeCommit({ ...base, parents: [], depth: 1, lineJumps: [], generation: 1 }));
    rootWithRecord[1 + 1 + 8 + 20 + 1 + 1] |= 8;
    expect(() => decodeCommit("x", rootWithRecord)).toThrow(FormatError);
    expect(() => decodeCommit("x", rootWithRecord)).toThrow(/change record without a parent/);
  });
});
