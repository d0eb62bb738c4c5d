import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { decodeNode, encodeNode, type IndexNode } from "../../src/index/node.ts";

/** The node layout of docs/format.md written out plainly, one key and id at a time. */
function referenceEncoding(node: IndexNode): Uint8Array {
  const out: number[] = [];
  const varint = (n: number) => {
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
  };
  varint(node.height);
  varint(node.keys.length);
  let prev = new Uint8Array(0);
  node.keys.forEach((key, i) => {
    const bytes = new TextEncoder().encode(key);
    let shared = 0;
    while (shared < Math.min(prev.length, bytes.length) && prev[shared] === bytes[shared]) shared++;
    varint(shared);
    varint(bytes.length - shared);
    out.push(...bytes.subarray(shared), ...Buffer.from(node.ids[i], "hex"));
    prev = bytes;
  });
  return Uint8Array.from(out);
}

const keyArb = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) }, // beyond ASCII, surrogate pairs included
  { weight: 1, arbitrary: fc.string({ minLength: 400, maxLength: 3000 }) }, // 3 × 400 is past the key scratch space at first
);
const nodeArb = fc
  .record({
    height: fc.nat(5),
    keys: fc.uniqueArray(keyArb, { maxLength: 66 }),
  })
  .chain(({ height, keys }) => {
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { minLength: sorted.length, maxLength: sorted.length }).map((ids) => ({
      height,
      keys: sorted,
      ids: ids.map((b) => Buffer.from(b).toString("hex")),
    }));
  });

describe("index node encoding", () => {
  it("writes exactly the documented layout, and decodes back, whatever the keys and whatever was encoded before", () => {
    fc.assert(
      fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 4 }), (nodes) => {
        // Several nodes in a row: the encoder's reused scratch space must not carry over.
        const encoded = nodes.map((node) => {
          const bytes = encodeNode(node);
          expect(bytes).toEqual(referenceEncoding(node));
          expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
          expect(decodeNode(bytes)).toEqual(node);
          return bytes;
        });
        expect(encodeNode(nodes[0])).toEqual(referenceEncoding(nodes[0]));
        // Nor may a returned node share it: every earlier result is intact after later encodings.
        nodes.forEach((node, i) => expect(encoded[i]).toEqual(referenceEncoding(node)));
      }),
      { numRuns: 150 },
    );
  });
});
