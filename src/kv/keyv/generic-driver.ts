import { NotSupportedError } from "../../errors.ts";
import { dedupe, type KeyvDriver } from "./driver.ts";

/** The storage-adapter surface every Keyv adapter (and a plain Map) has. */
interface KeyvAdapterLike {
  get(key: string): unknown;
  set(key: string, value: unknown): unknown;
  delete(key: string): unknown;
  has?: (key: string) => unknown;
  getMany?: (keys: string[]) => Promise<unknown[]>;
  setMany?: (entries: Array<{ key: string; value: unknown }>) => Promise<unknown>;
  deleteMany?: (keys: string[]) => Promise<unknown>;
  keys?: () => Iterable<string>;
  iterator?: (namespace?: string) => AsyncIterable<[string, unknown]>;
  disconnect?: () => Promise<unknown>;
  opts?: { dialect?: string; url?: string; uri?: string };
}

/** In-process locks for emulated CAS, per adapter object and key. */
const locks = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Any other adapter, through the Keyv adapter API. It has no compare-and-swap, so CAS is a
 * read-compare-write under an in-process lock: atomic among the stores of this process only.
 */
export class GenericDriver implements KeyvDriver {
  readonly kind = "generic";
  readonly atomicCas = false;
  readonly address: string;

  constructor(
    private readonly adapter: KeyvAdapterLike,
    private readonly namespace: string | undefined,
    private readonly owned: boolean,
  ) {
    const o = adapter.opts;
    this.address = adapter instanceof Map ? "keyv:memory" : `keyv:${o?.dialect ?? o?.url ?? o?.uri ?? "adapter"}`;
  }

  async ping(): Promise<void> {
    await this.adapter.get("\u0000kvgit-ping");
  }

  async get(key: string): Promise<unknown> {
    return (await this.adapter.get(key)) ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    if (keys.length === 0) return [];
    if (typeof this.adapter.getMany === "function") return this.adapter.getMany([...keys]);
    return Promise.all(keys.map((k) => this.get(k)));
  }

  async setMany(entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const all = dedupe(entries);
    if (all.length === 0) return;
    if (typeof this.adapter.setMany === "function") {
      await this.adapter.setMany(all.map(([key, value]) => ({ key, value })));
    } else {
      await Promise.all(all.map(([k, v]) => this.adapter.set(k, v)));
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    if (typeof this.adapter.deleteMany === "function") await this.adapter.deleteMany([...keys]);
    else await Promise.all(keys.map((k) => this.adapter.delete(k)));
  }

  async has(key: string): Promise<boolean> {
    if (typeof this.adapter.has === "function") return Boolean(await this.adapter.has(key));
    return (await this.get(key)) !== undefined;
  }

  async *scan(prefix: string): AsyncIterable<string[]> {
    const a = this.adapter;
    if (typeof a.keys === "function" && a instanceof Map) {
      yield [...(a.keys() as Iterable<string>)].filter((k) => k.startsWith(prefix));
      return;
    }
    if (typeof a.iterator !== "function") {
      throw new NotSupportedError(`this Keyv adapter (${this.address}) cannot list its keys, so kvgit cannot scan it`, { address: this.address });
    }
    let batch: string[] = [];
    for await (const [k] of a.iterator(this.namespace)) {
      if (!k.startsWith(prefix)) continue;
      batch.push(k);
      if (batch.length >= 1_000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async cas(key: string, value: string, expected: string | undefined): Promise<boolean> {
    return this.locked(key, async () => {
      const cur = await this.get(key);
      if (expected === undefined ? cur !== undefined : cur !== expected) return false;
      await this.adapter.set(key, value);
      return true;
    });
  }

  async casDelete(key: string, expected: string): Promise<boolean> {
    return this.locked(key, async () => {
      if ((await this.get(key)) !== expected) return false;
      await this.adapter.delete(key);
      return true;
    });
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let perKey = locks.get(this.adapter);
    if (!perKey) locks.set(this.adapter, (perKey = new Map()));
    const prev = perKey.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    perKey.set(key, tail);
    try {
      return await run;
    } finally {
      if (perKey.get(key) === tail) perKey.delete(key);
    }
  }

  async close(): Promise<void> {
    if (this.owned && typeof this.adapter.disconnect === "function") await this.adapter.disconnect();
  }
}
