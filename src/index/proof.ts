import { hashHex } from "../objects/hash.ts";
import { decodeNode, encodeNode } from "./node.ts";
import type { NodeSource } from "./node-source.ts";
import { childIndexFor, leafIndexOf } from "./read.ts";

/**
 * A Merkle path for `key`: the encoded nodes from the root down to the leaf the search for
 * `key` ends in. It proves inclusion (the leaf holds the key, with its value id) or
 * absence (the leaf that would hold it does not), checkable with nothing but the root id.
 */
export async function provePath(nodes: NodeSource, root: string, key: string): Promise<Uint8Array[]> {
  const path: Uint8Array[] = [];
  let node = await nodes.get(root);
  for (;;) {
    path.push(encodeNode(node));
    if (node.height === 0) return path;
    node = await nodes.get(node.ids[childIndexFor(node, key)]);
  }
}

/**
 * Checks a path against `root`. Returns the value id stored under `key` (null when the
 * path proves absence), or undefined when the path does not prove anything about `key`.
 * Never throws.
 */
export function verifyPath(root: string, key: string, path: readonly Uint8Array[]): string | null | undefined {
  try {
    let expected = root;
    let height = -1;
    for (let i = 0; i < path.length; i++) {
      const bytes = path[i];
      if (hashHex(bytes) !== expected) return undefined;
      const node = decodeNode(bytes);
      if (height >= 0 && node.height !== height - 1) return undefined;
      height = node.height;
      if (node.height === 0) {
        if (i !== path.length - 1) return undefined;
        const at = leafIndexOf(node, key);
        return at < 0 ? null : node.ids[at];
      }
      if (node.keys.length === 0) return undefined;
      expected = node.ids[childIndexFor(node, key)];
    }
    return undefined;
  } catch {
    return undefined;
  }
}
