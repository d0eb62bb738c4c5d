import type { ContentType, MergeFn } from "../merge/merge-fn.ts";
import { dictProxy } from "./dict-proxy.ts";
import { checkKey } from "./store-context.ts";
import { setOwnValue } from "../merge/equal.ts";
import { checkCommitOptions } from "./commit-options.ts";

const ROOT = Symbol("kvgit.namespace.root");

/** What a namespace needs from the store under it (Staged, Live or another Namespaced). */
export interface NamespaceRoot {
  get(key: string, defaultValue?: unknown): unknown;
  set(key: string, value: unknown): unknown;
  delete(key: string): boolean;
  remove(key: string): void;
  has(key: string): boolean;
  isStaged?(key: string): boolean;
  keys(prefix?: string): string[];
  setMergeFn(key: string, fn: MergeFn | undefined): void;
  setContentType(key: string, ct: ContentType | undefined, opts?: { prefix?: boolean; persist?: boolean }): void;
  getContentType(key: string): ContentType | undefined;
}

/** Throws RangeError unless `name` can be a namespace name. */
export function checkNamespaceName(name: unknown): asserts name is string {
  if (typeof name !== "string") throw new TypeError(`namespace name must be a string, got ${typeof name}`);
  if (name.length === 0) throw new RangeError(`namespace name must not be empty`);
  if (name.includes("/")) throw new RangeError(`namespace name ${JSON.stringify(name)} must not contain "/"; nest namespaces instead: s.namespace("a").namespace("b")`);
}

/**
 * A key-prefixed view (`name/key`) with the same dict API and Proxy (SPEC §4.5). Merge
 * functions registered here apply to the prefixed key; every other call (commit, branches,
 * history, flush, ...) goes to the store at the root, with keys prefixed where it takes any.
 */
/** A namespace as returned by `namespace(name)`: the API plus the schema's keys. */
export type NamespacedStore<S extends object = Record<string, unknown>> = Namespaced<S> & S;
type KeyOf<S> = keyof S & string;
type ValueOf<S, K> = K extends keyof S ? S[K] : unknown;

export class Namespaced<S extends object = Record<string, unknown>> {
  readonly #root: NamespaceRoot & Record<string, any>;
  readonly #prefix: string;
  /** The full namespace path, e.g. "a/b". */
  readonly namespace: string;

  /** `parent` may be a Staged, a Live or another Namespaced (nesting gives "a/b"). */
  constructor(parent: NamespaceRoot | Namespaced<any>, name: string) {
    checkNamespaceName(name);
    const outer = parent instanceof Namespaced ? parent[ROOT]() : undefined;
    this.#root = (outer ? outer.root : parent) as NamespaceRoot & Record<string, any>;
    this.namespace = outer ? `${outer.path}/${name}` : name;
    this.#prefix = `${this.namespace}/`;
    return dictProxy(this);
  }

  #k(key: string): string {
    checkKey(key);
    return this.#prefix + key;
  }

  get<K extends KeyOf<S>>(key: K): ValueOf<S, K> | undefined;
  get<K extends KeyOf<S>, D>(key: K, defaultValue: D): ValueOf<S, K> | D;
  get(key: string, defaultValue?: unknown): unknown {
    return this.#root.get(this.#k(key), defaultValue);
  }

  getMany<K extends KeyOf<S>>(keys: Iterable<K>): Partial<Pick<S, K>> {
    const out: Record<string, unknown> = {};
    for (const key of keys) if (this.has(key)) setOwnValue(out, key, this.get(key));
    return out as Partial<Pick<S, K>>;
  }

  set<K extends KeyOf<S>>(key: K, value: ValueOf<S, K>): this {
    this.#root.set(this.#k(key), value);
    return this;
  }

  delete(key: string): boolean {
    return this.#root.delete(this.#k(key));
  }

  remove(key: string): void {
    this.#root.remove(this.#k(key));
  }

  has(key: string): boolean {
    return this.#root.has(this.#k(key));
  }

  isStaged(key: string): boolean {
    return this.#root.isStaged?.(this.#k(key)) ?? false;
  }

  /** Direct children only (keys with no further "/"), ascending, without the prefix. */
  keys(): string[] {
    return this.descendantKeys().filter((k) => !k.includes("/"));
  }

  /** Every key under this namespace, nested ones included, without the prefix. */
  descendantKeys(): string[] {
    const cut = this.#prefix.length;
    return this.#root.keys(this.#prefix).map((k) => k.slice(cut));
  }

  values(): unknown[] {
    return this.keys().map((k) => this.get(k as KeyOf<S>));
  }

  entries(): [string, unknown][] {
    return this.keys().map((k) => [k, this.get(k as KeyOf<S>)]);
  }

  get size(): number {
    return this.keys().length;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  /** A nested namespace: `ns.child("b")` is `name/b/...`. */
  child<C extends object = Record<string, unknown>>(name: string): NamespacedStore<C> {
    return new Namespaced<C>(this, name) as NamespacedStore<C>;
  }

  /** The store at the root and this namespace's path (for nesting). */
  [ROOT](): { root: NamespaceRoot; path: string } {
    return { root: this.#root, path: this.namespace };
  }

  setMergeFn(key: string, fn: MergeFn | undefined): void {
    this.#root.setMergeFn(this.#k(key), fn);
  }

  /** With `{ prefix: true }`, `""` attaches the type to every key of the namespace. */
  setContentType(key: string, ct: ContentType | undefined, opts: { prefix?: boolean; persist?: boolean } = {}): void {
    this.#root.setContentType(key === "" && opts?.prefix === true ? this.#prefix : this.#k(key), ct, opts);
  }

  getContentType(key: string): ContentType | undefined {
    return this.#root.getContentType(this.#k(key));
  }

  // ---- delegated to the root store ---------------------------------------------------

  commit(opts: { keys?: Iterable<string>; mergeFns?: Record<string, MergeFn>; [k: string]: unknown } = {}): Promise<any> {
    return this.#delegate("commit", () => {
      // Checked as the root's commit() checks them, before the keys are prefixed: spreading
      // a string ("msg") or a key string ("ab") would otherwise pass as something else.
      const only = checkCommitOptions(opts);
      const mapped: Record<string, unknown> = { ...opts };
      if (only !== undefined) mapped.keys = [...only].map((k) => this.#prefix + k);
      if (opts.mergeFns !== undefined) mapped.mergeFns = Object.fromEntries(Object.entries(opts.mergeFns).map(([k, fn]) => [this.#k(k), fn]));
      return [mapped];
    });
  }

  peek(key: string, opts?: unknown): Promise<unknown> {
    return this.#delegate("peek", () => [this.#k(key), opts]);
  }

  keyHistory(key: string, opts?: unknown): Promise<any> {
    return this.#delegate("keyHistory", () => [this.#k(key), opts]);
  }

  prove(key: string, opts?: unknown): Promise<any> {
    return this.#delegate("prove", () => [this.#k(key), opts]);
  }

  // ---- the root store's state, read through ------------------------------------------

  get hasChanges(): boolean {
    return this.#root.hasChanges;
  }
  get currentBranch(): string | null {
    return this.#root.currentBranch;
  }
  get currentCommit(): string {
    return this.#root.currentCommit;
  }
  get baseCommit(): string {
    return this.#root.baseCommit;
  }
  get lastMergeResult(): any {
    return this.#root.lastMergeResult;
  }
  get lastRebaseResult(): any {
    return this.#root.lastRebaseResult;
  }
  /** The default merge for this namespace's keys only (the root's default stays for the rest). */
  setDefaultMerge(fn: MergeFn | undefined): void {
    if (fn !== undefined && typeof fn !== "function") throw new TypeError(`default merge must be a function (base, ours, theirs, ctx) => merged, got ${typeof fn}`);
    // A Live root has no merges (its setMergeFn is a no-op): nothing to scope there.
    if (typeof this.#root.setDefaultMerge !== "function") return;
    this.#root.setDefaultMerge(fn, { prefix: this.#prefix });
  }
  initialCommit(): Promise<string> {
    return this.#delegate("initialCommit", () => []);
  }
  rebase(opts?: unknown): Promise<any> {
    return this.#delegate("rebase", () => [opts]);
  }
  maybeRebase(): Promise<any> {
    return this.#delegate("maybeRebase", () => []);
  }
  cleanOrphans(opts?: unknown): Promise<number> {
    return this.#delegate("cleanOrphans", () => [opts]);
  }
  verify(opts?: unknown): Promise<any> {
    return this.#delegate("verify", () => [opts]);
  }

  reset(): void {
    this.#root.reset();
  }
  refresh(): Promise<void> {
    return this.#delegate("refresh", () => []);
  }
  flush(): Promise<void> {
    return this.#delegate("flush", () => []);
  }
  close(): Promise<void> {
    return this.#delegate("close", () => []);
  }
  createBranch(name: string, opts?: unknown): Promise<any> {
    return this.#delegate("createBranch", () => [name, opts]);
  }
  checkout(ref: string, opts?: unknown): Promise<any> {
    return this.#delegate("checkout", () => [ref, opts]);
  }
  switchBranch(name: string): Promise<void> {
    return this.#delegate("switchBranch", () => [name]);
  }
  deleteBranch(name: string): Promise<void> {
    return this.#delegate("deleteBranch", () => [name]);
  }
  listBranches(): Promise<string[]> {
    return this.#delegate("listBranches", () => []);
  }
  resetTo(ref: string): Promise<boolean> {
    return this.#delegate("resetTo", () => [ref]);
  }
  merge(source: string, opts?: unknown): Promise<any> {
    return this.#delegate("merge", () => [source, opts]);
  }
  tryMerge(source: string): Promise<any> {
    return this.#delegate("tryMerge", () => [source]);
  }
  history(ref?: string, opts?: unknown): AsyncIterable<string> {
    return (this.#root as any).history(ref, opts);
  }
  log(opts?: unknown): Promise<any> {
    return this.#delegate("log", () => [opts]);
  }
  diff(a: string, b?: string): Promise<any> {
    return this.#delegate("diff", () => [a, b]);
  }
  commitInfo(ref?: string): Promise<any> {
    return this.#delegate("commitInfo", () => [ref]);
  }
  parents(ref?: string): Promise<string[]> {
    return this.#delegate("parents", () => [ref]);
  }
  at(ref: string): Promise<any> {
    return this.#delegate("at", () => [ref]);
  }

  /** Calls the root's `method`; argument errors reject the returned promise, never throw. */
  #delegate(method: string, args: () => unknown[]): Promise<any> {
    return Promise.resolve().then(() => {
      const fn = this.#root[method];
      if (typeof fn !== "function") throw new TypeError(`${method}() is not available on this store`);
      return fn.apply(this.#root, args());
    });
  }
}
