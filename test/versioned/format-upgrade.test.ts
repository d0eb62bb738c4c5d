import { describe, expect, it } from "vitest";
import { store, MemoryStore } from "kvgit";
import { encodeCommit } from "../../src/versioned/commit-object.ts";
import { decodedFields } from "../support/commit-fields.ts";
import { hashHex } from "../../src/objects/hash.ts";

const text = new TextEncoder();
const formatRecord = async (backend: MemoryStore) => JSON.parse(new TextDecoder().decode(await backend.get("kvgit")));

/**
 * A store as format 2 wrote it: built with this library, then its commits rewritten in
 * layout 2 (no change records) and its record set back to version 2.
 */
async function formatTwoStore(): Promise<{ backend: MemoryStore; root: string; head: string }> {
  const backend = new MemoryStore();
  const s = await store({ backend });
  s.a = 5;
  await s.commit();
  const asLayout2 = async (id: string, parents: string[]): Promise<string> => {
    const { id: _id, changes: _changes, ...fields } = decodedFields(id, (await backend.get(`c/${id}`))!);
    const bytes = encodeCommit({ ...fields, parents, lineJumps: parents.length ? [parents[0], ...fields.lineJumps.slice(1)] : [] });
    bytes[0] = 2;
    const newId = hashHex(bytes);
    await backend.set(`c/${newId}`, bytes);
    return newId;
  };
  const [oldRoot] = await s.parents(s.currentCommit);
  const root = await asLayout2(oldRoot, []);
  const head = await asLayout2(s.currentCommit, [root]);
  await backend.set("h/main", text.encode(head));
  await backend.set("kvgit", text.encode(JSON.stringify({ format: "kvgit", version: 2, codec: "msgpack" })));
  return { backend, root, head };
}

describe("format 2 stores", () => {
  it("are read as they are, and reading never upgrades them", async () => {
    const { backend, root, head } = await formatTwoStore();
    const s = await store({ backend });
    expect(s.a).toBe(5);
    expect(s.currentCommit).toBe(head);
    expect(await s.diff(root, head)).toEqual({ added: ["a"], removed: [], modified: [] }); // no record: the trees
    expect(await s.diff(head, root)).toEqual({ added: [], removed: ["a"], modified: [] });
    expect((await s.log()).map((c) => c.id)).toEqual([head, root]);
    expect((await s.verify()).problems).toEqual([]);
    expect(await formatRecord(backend)).toEqual({ format: "kvgit", version: 2, codec: "msgpack" });
  });

  it("get the format 3 record (codec kept) when the first commit is written, and stay readable", async () => {
    const { backend, root, head } = await formatTwoStore();
    const s = await store({ backend, create: false });
    s.b = 6;
    await s.commit();
    expect(await formatRecord(backend)).toEqual({ format: "kvgit", version: 3, codec: "msgpack" });
    const fresh = await store({ backend });
    expect(Object.fromEntries(fresh.entries())).toEqual({ a: 5, b: 6 });
    expect(await fresh.diff(head, fresh.currentCommit)).toEqual({ added: ["b"], removed: [], modified: [] });
    expect(await fresh.diff(root, fresh.currentCommit)).toEqual({ added: ["a", "b"], removed: [], modified: [] });
    expect((await fresh.verify()).problems).toEqual([]);
  });
});
