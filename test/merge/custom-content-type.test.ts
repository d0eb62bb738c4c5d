// The custom content type example of docs/merge.md, kept working.
import { describe, expect, it } from "vitest";
import { DELETE, getRegisteredContentType, registerContentType, type ContentType } from "../../src/merge/index.ts";

type Presence = Record<string, number>;

const presence: ContentType<Presence> = {
  name: "myapp:presence",
  merge(base, ours, theirs, { key }) {
    if (ours === undefined || theirs === undefined) return DELETE;
    if (typeof ours !== "object" || typeof theirs !== "object") {
      throw new TypeError(`presence merge of ${key}: expected objects`);
    }
    const out: Presence = { ...theirs };
    for (const [user, seen] of Object.entries(ours)) out[user] = Math.max(seen, out[user] ?? 0);
    for (const user of Object.keys(base ?? {})) {
      if (!(user in ours) || !(user in theirs)) delete out[user];
    }
    return out;
  },
};

describe("docs/merge.md custom content type example", () => {
  it("registers and merges", () => {
    registerContentType(presence);
    const ct = getRegisteredContentType("myapp:presence");
    expect(ct.merge({ ann: 1, bob: 1 }, { ann: 5, cy: 2 }, { ann: 3, bob: 4 }, { key: "p" })).toEqual({ ann: 5, cy: 2 });
    expect(ct.merge({}, undefined, { a: 1 }, { key: "p" })).toBe(DELETE);
    expect(() => ct.merge({}, 1, {}, { key: "p" })).toThrow(/presence merge of p/);
  });
});
