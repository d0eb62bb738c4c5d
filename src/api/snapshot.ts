import type { Versioned } from "../versioned/versioned.ts";
import { getValueId, getValueIds, scanEntries } from "../index/keyset-index.ts";
import { checkKey } from "./store-context.ts";
import { setOwnValue } from "../merge/equal.ts";

/**
 * A read-only view of one commit (`at(ref)`): time travel. Reads go through the index, so
 * each costs index depth plus what it returns; nothing is loaded up front.
 */
export class Snapshot {
  constructor(
    private readonly versioned: Versioned,
    /** The commit viewed. */
    readonly commit: string,
    /** Its keyset root: equal contents give an equal root on any store. */
    readonly root: string,
    private readonly decode: (key: string, bytes: Uint8Array) => unknown,
  ) {}

  async get(key: string, defaultValue?: unknown): Promise<unknown> {
    checkKey(key);
    const id = await getValueId(this.versioned.nodes, this.root, key);
    if (id === undefined) return defaultValue;
    const bytes = await this.versioned.objects.get("v", id);
    return bytes === undefined ? defaultValue : this.decode(key, bytes);
  }

  async getMany(keys: Iterable<string>): Promise<Record<string, unknown>> {
    const list = [...keys];
    for (const k of list) checkKey(k);
    const ids = await getValueIds(this.versioned.nodes, this.root, list);
    const values = await this.versioned.objects.getMany("v", ids.values());
    const out: Record<string, unknown> = {};
    for (const [key, id] of [...ids].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const bytes = values.get(id);
      if (bytes) setOwnValue(out, key, this.decode(key, bytes));
    }
    return out;
  }

  async has(key: string): Promise<boolean> {
    checkKey(key);
    return (await getValueId(this.versioned.nodes, this.root, key)) !== undefined;
  }

  /** Keys in ascending order, optionally only those starting with `prefix`. */
  async keys(prefix = ""): Promise<string[]> {
    return (await scanEntries(this.versioned.nodes, this.root, prefix)).map(([k]) => k);
  }

  async entries(prefix = ""): Promise<[string, unknown][]> {
    const pairs = await scanEntries(this.versioned.nodes, this.root, prefix);
    const values = await this.versioned.objects.getMany("v", pairs.map(([, id]) => id));
    return pairs.map(([k, id]) => [k, this.decode(k, values.get(id)!)]);
  }

  async size(): Promise<number> {
    return (await scanEntries(this.versioned.nodes, this.root)).length;
  }
}
