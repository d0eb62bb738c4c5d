import { ConcurrencyError, FormatError, MergeConflict, NotSupportedError, RefError, type Conflict } from "../errors.ts";
import type { ContentType, MergeFn } from "../merge/merge-fn.ts";
import { getValueId, provePath, type KeyDiff } from "../index/keyset-index.ts";
import { hashHex } from "../objects/hash.ts";
import { checkBranchName } from "../versioned/refs.ts";
import type { RawConflict } from "../versioned/three-way-merge.ts";
import { backoff, type CommitOutcome, type EncodedValue, type Strategy } from "../versioned/versioned.ts";
import type { CleanOrphansOptions } from "../versioned/gc.ts";
import type { VerifyReport } from "../versioned/verify.ts";
import { keyChanges } from "../versioned/key-history.ts";
import { dictProxy } from "./dict-proxy.ts";
import { Namespaced, type NamespacedStore } from "./namespaced.ts";
import { decodeValue, encodeValue } from "../codec/resolve-codec.ts";
import type { Codec } from "../codec/codec.ts";
import { MergeRegistry, type CommitMergeOptions, type SidePolicies } from "./merge-registry.ts";
import { buildProof, type Proof } from "./proof.ts";
import { Snapshot } from "./snapshot.ts";
import { mergeSorted } from "./sorted-keys.ts";
import { checkKey, checkReadKey, commitInfoOf, missingKey, type CommitInfo, type StoreContext } from "./store-context.ts";
import { ABSENT, WorkingCopy, type CommittedEntry, type CommittedView, type KnownChanges, type WorkingCopyUpdate } from "./working-copy.ts";
import { loadCommitted, readsFromIndex } from "./load-committed.ts";
import { ChunkStream } from "./chunk-stream.ts";
import { IndexedWorkingCopy } from "./indexed-working-copy.ts";
import { StoreValueDecoder } from "./value-decoder.ts";
import { applyPolicyEdits, loadPolicy, loadPolicyObject, putPolicy, type MergePolicy, type PolicyEdit } from "./merge-policy.ts";
import { assertContentType, builtinContentType, hasContentType, registerContentType } from "../merge/registry.ts";
import { encodingFor, hasOwnEncodings, policyNameFor } from "./key-encoding.ts";
import type { WriteBatch } from "../objects/object-store.ts";
import { setOwnValue } from "../merge/equal.ts";
import { checkCommitOptions, checkedKeySet, checkOptionsObject } from "./commit-options.ts";
import { checkedAnnotations } from "../versioned/commit-object.ts";

/** Everything a store object needs to move to another commit, read ahead of time. */
interface Move {
  commitId: string;
  update: WorkingCopyUpdate;
  policy: MergePolicy;
  /** Id of the merge-policy object (undefined: none), to tell whether it changed. */
  policyId: string | undefined;
  /** A view that replaces the current one instead of `update` (a store grown big enough to be read from its index). */
  replacement?: CommittedView;
}

export interface MergeResult {
  merged: boolean;
  commit: string;
  strategy: Strategy;
  autoMergedKeys: string[];
  carriedKeys: string[];
}

export interface CommitOptions extends CommitMergeOptions {
  message?: string;
  info?: Record<string, unknown>;
  /** Commit only these keys; other staged changes stay staged. */
  keys?: Iterable<string>;
  onConflict?: "raise" | "abandon";
}

export interface RebaseOptions {
  /** Keys to keep; absent ones are ignored and listed in `ignoredKeys`. */
  keepKeys?: Iterable<string>;
  message?: string;
  info?: Record<string, unknown>;
  /** Age guard for the orphan cleaning that follows (default one hour, as for cleanOrphans). */
  orphanMinAgeMs?: number;
}

export interface RebaseResult {
  performed: boolean;
  newCommit: string | null;
  droppedKeys: string[];
  keptKeys: string[];
  /** `keepKeys` entries that were not in the store. */
  ignoredKeys: string[];
  totalSizeBefore: number;
  totalSizeAfter: number;
  orphansCleaned: number;
}

export interface DiffResult {
  added: string[];
  removed: string[];
  modified: string[];
}

export interface BranchMergeOptions {
  resolution?: "raise" | "ours" | "theirs";
  message?: string;
  info?: Record<string, unknown>;
}

const REMOVED: unique symbol = Symbol("kvgit.removed");
type StagedValue = unknown | typeof REMOVED;

/**
 * A store object with buffered writes (SPEC §4.2): reads see staged changes, then the
 * committed state of `baseCommit`; `commit()` lands the staged changes on the branch.
 * Every failure leaves `currentCommit` and the staged changes exactly as they were.
 */
/** Keys and value types of a store; the default allows any key with an `unknown` value. */
export type Schema = object;
type KeyOf<S> = keyof S & string;
type ValueOf<S, K> = K extends keyof S ? S[K] : unknown;

/** What `store()` returns: the Staged API plus the schema's keys as properties. */
export type Store<S extends Schema = Record<string, unknown>> = Staged<S> & S;

export class Staged<S extends Schema = Record<string, unknown>> {
  readonly #ctx: StoreContext;
  #branch: string | null;
  #base: string;
  #committed: CommittedView;
  readonly #staged = new Map<string, StagedValue>();
  readonly #merges: MergeRegistry;
  /** Merge-policy changes waiting for the next commit. */
  #policyEdits: PolicyEdit[] = [];
  /** Id of the merge-policy object in force at `baseCommit`. */
  #policyId: string | undefined;
  #lastMergeResult: MergeResult | undefined;
  #lastRebaseResult: RebaseResult | undefined;
  /** Recency of reads and writes per key (kept when water marks are set), for choosing the coldest keys to drop. */
  readonly #lastUse = new Map<string, number>();
  #tick = 0;
  #queue: Promise<unknown> = Promise.resolve();

  /** Use `store()`; this wires an already loaded working copy. */
  constructor(ctx: StoreContext, branch: string | null, base: string, committed: CommittedView, merges = new MergeRegistry(), policyId?: string) {
    this.#ctx = ctx;
    this.#policyId = policyId;
    this.#branch = branch;
    this.#base = base;
    this.#committed = committed;
    this.#merges = merges;
    return dictProxy(this);
  }

  /** Opens a store object on `branch` (created at an empty root commit if absent). */
  static async open<S extends Schema>(ctx: StoreContext, branch: string, create = true): Promise<Store<S>> {
    const head = create ? await ctx.versioned.ensureBranch(branch) : await ctx.versioned.branchHead(branch);
    const commit = await ctx.versioned.getCommit(head);
    const merges = new MergeRegistry();
    merges.setPersisted(await loadPolicy(ctx.versioned, head));
    const copy = await loadCommitted(ctx.versioned, commit.root, new StoreValueDecoder(ctx.codec, merges), ctx.workingCopy ?? "auto");
    return new Staged<S>(ctx, branch, head, copy, merges, commit.policies) as Store<S>;
  }

  // ---- properties ------------------------------------------------------------------

  /** The commit this object's committed state is (same as `baseCommit`). */
  get currentCommit(): string {
    return this.#base;
  }

  /** The commit staged changes are relative to; a commit merges from here. */
  get baseCommit(): string {
    return this.#base;
  }

  /** The branch, or null for a detached checkout of a commit. */
  get currentBranch(): string | null {
    return this.#branch;
  }

  get lastMergeResult(): MergeResult | undefined {
    return this.#lastMergeResult;
  }

  get lastRebaseResult(): RebaseResult | undefined {
    return this.#lastRebaseResult;
  }

  get hasChanges(): boolean {
    return this.#staged.size > 0 || this.#policyEdits.length > 0;
  }

  get size(): number {
    let n = this.#committed.size;
    for (const [key, v] of this.#staged) {
      const inBase = this.#committed.has(key);
      if (v === REMOVED && inBase) n--;
      else if (v !== REMOVED && !inBase) n++;
    }
    return n;
  }

  // ---- dict reads ------------------------------------------------------------------

  get<K extends KeyOf<S>>(key: K): ValueOf<S, K> | undefined;
  get<K extends KeyOf<S>, D>(key: K, defaultValue: D): ValueOf<S, K> | D;
  get(key: string, defaultValue?: unknown): unknown {
    checkReadKey(key);
    if (this.#ctx.water) this.#lastUse.set(key, ++this.#tick);
    if (this.#staged.size > 0 && this.#staged.has(key)) {
      const staged = this.#staged.get(key);
      return staged === REMOVED ? defaultValue : staged;
    }
    const value = this.#committed.read(key);
    return value === ABSENT ? defaultValue : value;
  }

  /** The existing keys among `keys`, with their values. */
  getMany<K extends KeyOf<S>>(keys: Iterable<K>): Partial<Pick<S, K>> {
    const out: Record<string, unknown> = {};
    for (const key of keys) if (this.has(key)) setOwnValue(out, key, this.get(key as KeyOf<S>));
    return out as Partial<Pick<S, K>>;
  }

  has(key: string): boolean {
    checkReadKey(key);
    if (this.#staged.has(key)) return this.#staged.get(key) !== REMOVED;
    return this.#committed.has(key);
  }

  /** Keys in ascending order; with `prefix`, only those starting with it (O(log N + matches)). */
  keys(prefix = ""): string[] {
    const base = this.#committed.keys(prefix);
    if (this.#staged.size === 0) return base;
    const added: string[] = [];
    for (const [key, v] of this.#staged) if (v !== REMOVED && key.startsWith(prefix) && !this.#committed.has(key)) added.push(key);
    const kept = base.filter((key) => this.#staged.get(key) !== REMOVED);
    return mergeSorted(kept, added.sort());
  }

  values(): unknown[] {
    return this.keys().map((k) => this.get(k as KeyOf<S>));
  }

  entries(): [string, unknown][] {
    return this.keys().map((k) => [k, this.get(k as KeyOf<S>)]);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.keys()[Symbol.iterator]();
  }

  isStaged(key: string): boolean {
    checkReadKey(key);
    return this.#staged.has(key);
  }

  // ---- dict writes -----------------------------------------------------------------

  set<K extends KeyOf<S>>(key: K, value: ValueOf<S, K>): this {
    checkKey(key);
    if (this.#ctx.water) this.#lastUse.set(key, ++this.#tick);
    this.#staged.set(key, value);
    return this;
  }

  /** Removes `key`; KeyError if it is absent. */
  remove(key: string): void {
    if (!this.delete(key)) throw missingKey(key);
  }

  /** Removes `key` if present; says whether it was. Removing a key only staged cancels it. */
  delete(key: string): boolean {
    checkKey(key);
    const present = this.has(key);
    if (this.#committed.has(key)) {
      if (present) this.#staged.set(key, REMOVED);
    } else {
      this.#staged.delete(key);
    }
    return present;
  }

  /** Drops all staged changes. */
  reset(): void {
    this.#staged.clear();
    this.#policyEdits = [];
  }

  /** A key-prefixed view (`name/key`) of this store. */
  namespace<N extends object = Record<string, unknown>>(name: string): NamespacedStore<N> {
    return new Namespaced<N>(this, name) as NamespacedStore<N>;
  }

  // ---- merge registry --------------------------------------------------------------

  setMergeFn(key: string, fn: MergeFn | undefined): void {
    checkKey(key);
    if (fn !== undefined && typeof fn !== "function") throw new TypeError(`merge function for ${JSON.stringify(key)} must be a function`);
    this.#merges.setMergeFn(key, fn);
  }

  /**
   * The merge function for keys no other rule decides; with `{ prefix }`, only for keys
   * starting with it (what a namespace's `setDefaultMerge` sets), the longest prefix winning.
   */
  setDefaultMerge(fn: MergeFn | undefined, opts: { prefix?: string } = {}): void {
    if (fn !== undefined && typeof fn !== "function") throw new TypeError(`default merge must be a function`);
    // setDefaultMerge(fn, "ns/") would otherwise set the default for every key.
    checkOptionsObject(opts, "setDefaultMerge()", "{ prefix? }");
    if (opts.prefix !== undefined && typeof opts.prefix !== "string") throw new TypeError(`setDefaultMerge() option "prefix" must be a string, got ${typeof opts.prefix}`);
    this.#merges.setDefaultMerge(fn, opts.prefix ?? "");
  }

  /**
   * Attaches a content type to `key`, or with `{ prefix: true }` to every key starting with
   * it. By default the attachment is a merge policy stored with the branch at the next
   * commit (copied to new branches, used by every process that registered the type's
   * name); `{ persist: false }` keeps it to this store object. `undefined` removes it.
   */
  setContentType(key: string, ct: ContentType | undefined, opts: { prefix?: boolean; persist?: boolean } = {}): void {
    checkKey(key);
    if (ct !== undefined) {
      assertContentType(ct, `content type for ${JSON.stringify(key)}`);
      if (opts.persist === false && ct.encode !== undefined) {
        throw new TypeError(
          `content type ${JSON.stringify(ct.name)} has its own encoding, so it must be stored with the branch: other processes, and this one reading old commits, decode ${JSON.stringify(key)} by the stored policy. Drop { persist: false }.`,
        );
      }
      if (opts.persist !== false && builtinContentType(ct.name) === undefined && !hasContentType(ct.name)) registerContentType(ct);
    }
    const prefix = opts.prefix === true;
    this.#merges.setContentType(key, ct, prefix);
    if (opts.persist !== false) this.#policyEdits = [...this.#policyEdits, { target: key, prefix, name: ct?.name ?? null }];
  }

  getContentType(key: string): ContentType | undefined {
    checkKey(key);
    return this.#merges.contentTypeFor(key);
  }

  // ---- commit ----------------------------------------------------------------------

  commit(opts: CommitOptions = {}): Promise<MergeResult> {
    return this.#serial(() => this.#commit(opts));
  }

  async #commit(opts: CommitOptions): Promise<MergeResult> {
    const branch = this.#requireBranch("commit");
    const { versioned, codec } = this.#ctx;
    const only = checkCommitOptions(opts);
    // Encode first: a value the codec cannot encode fails the commit before any write.
    const changes = new Map<string, EncodedValue | null>();
    const committedKeys = new Map<string, StagedValue>();
    let newKeys = 0;
    // Values are written with the encodings of the policy this commit will hold.
    const edits = this.#policyEdits;
    const policyBefore = this.#merges.persistedPolicy();
    const policyAfter = edits.length > 0 ? applyPolicyEdits(policyBefore, edits) : policyBefore;
    for (const [key, value] of this.#staged) {
      if (only && !only.has(key)) continue;
      committedKeys.set(key, value);
      const before = this.#committed.get(key);
      if (value === REMOVED) {
        if (before) changes.set(key, null);
        continue;
      }
      const bytes = encodeValue(encodingFor(policyAfter, key, codec), value, key);
      const id = hashHex(bytes);
      if (before?.id !== id) changes.set(key, { bytes, id });
      if (!before) newKeys++;
    }
    if (edits.length > 0) await this.#reencode(edits, policyBefore, policyAfter, committedKeys, changes);
    const sides: SidePolicies = { base: policyBefore, ours: policyAfter, theirs: policyBefore, result: policyAfter };
    let committedPolicy: MergePolicy | undefined;
    let prepared: Move | undefined;
    // onConflict "abandon" covers both ways of not landing (SPEC §4.3): a conflict, and a
    // head that kept moving through every retry.
    const landing = versioned.commit({
      branch,
      base: this.#base,
      changes,
      message: opts.message,
      info: opts.info,
      resolver: this.#merges.resolver(codec, opts, false, sides),
      prepare: async ({ commit, root, strategy }) => {
        // A fast-forward moves a loaded working copy by the changes themselves (below), with
        // no read; an index view, or a copy about to become one, plans its move here.
        const direct = strategy === "fast_forward" && this.#committed instanceof WorkingCopy && !readsFromIndex(versioned, root, this.#ctx.workingCopy ?? "auto");
        prepared = direct ? undefined : await this.#planMoveTo(commit, strategy === "fast_forward" ? { changes, newKeys } : undefined);
      },
      policies: async (current: string | undefined, batch: WriteBatch, mergingWith: string | undefined) => {
        if (current === this.#policyId && edits.length === 0) {
          // The head holds our policy again: an earlier attempt may have set other sides.
          sides.theirs = sides.result = policyBefore;
          return current;
        }
        const merging = mergingWith !== undefined;
        const headPolicy = current === this.#policyId ? policyBefore : await loadPolicyObject(versioned, current);
        const policy = applyPolicyEdits(headPolicy, edits);
        // For a three-way merge: the head's values read by its policy, and what a merge
        // function decides written with the policy this commit will hold.
        sides.theirs = headPolicy;
        sides.result = policy;
        // Encoding edits were planned against our base (#reencode): values others committed
        // meanwhile under the edited keys would keep the encoding the edit changes.
        if (merging && edits.length > 0 && (hasOwnEncodings(headPolicy) || hasOwnEncodings(policy))) {
          throw new ConcurrencyError(
            `another writer committed while this commit changes content types in a store that uses content types with their own encoding; nothing was written and the staged changes are kept: refresh() (which drops them), then set the content types and values again`,
            { branch },
          );
        }
        // The head does not descend from our base (someone reset or rebased the branch): the
        // merge base is older than ours, and values changed between it and our base (a
        // re-encoding among them) would land under the head's policy unchecked.
        if (merging && current !== this.#policyId && (hasOwnEncodings(headPolicy) || hasOwnEncodings(policyBefore)) && !(await versioned.commits.isAncestor(this.#base, mergingWith))) {
          throw new ConcurrencyError(
            `the branch was reset or rebased to a line that does not contain this store object's commit, and content types with their own encoding differ between the two; nothing was written and the staged changes are kept: refresh() (which drops them) and make the changes again`,
            { branch },
          );
        }
        // Another writer changed the policy since our base: our values were encoded by the
        // old one, and must not land where a key now reads with another encoding.
        if (current !== this.#policyId) {
          for (const [key, change] of changes) {
            if (change !== null && encodingFor(policy, key, codec) !== encodingFor(policyAfter, key, codec)) {
              throw new ConcurrencyError(
                `another writer changed how ${JSON.stringify(key)} is encoded (its content type) while this commit was in flight; nothing was written and the staged changes are kept: refresh() (which drops them) and make the changes again`,
                { branch, key },
              );
            }
          }
        }
        if (edits.length === 0) return current;
        committedPolicy = policy;
        return putPolicy(batch, policy);
      },
    });
    const outcome: CommitOutcome =
      opts.onConflict === "abandon"
        ? await landing.catch((err: unknown): CommitOutcome => {
            // Only the head that kept moving: a swept base or an encoding race needs refresh().
            if (!(err instanceof ConcurrencyError) || !("attempts" in err.data)) throw err;
            return { merged: false, commit: this.#base, strategy: "three_way", autoMergedKeys: [], carriedKeys: [] };
          })
        : await landing;
    if (!outcome.merged) {
      const conflicts = this.#decodeConflicts(outcome.conflicts ?? [], false, sides);
      if (opts.onConflict === "abandon") {
        return (this.#lastMergeResult = { merged: false, commit: this.#base, strategy: outcome.strategy, autoMergedKeys: outcome.autoMergedKeys, carriedKeys: outcome.carriedKeys });
      }
      throw new MergeConflict(conflicts, outcome.mergeErrors ?? {});
    }
    let move: Move | undefined;
    if (outcome.strategy === "no_op") {
      move = undefined; // nothing changed
    } else if (outcome.strategy === "fast_forward" && !prepared) {
      const set = new Map<string, CommittedEntry>();
      const removed: string[] = [];
      for (const [key, value] of changes) {
        if (value === null) removed.push(key);
        else set.set(key, value);
      }
      const committed = await versioned.getCommit(outcome.commit);
      move = { commitId: outcome.commit, update: { root: committed.root, set, removed }, policy: committedPolicy ?? this.#merges.persistedPolicy(), policyId: committed.policies };
    } else {
      move = prepared!; // read before the head moved (see CommitRequest.prepare)
    }
    // Nothing below can fail: the commit has landed, adopt it. Values and policy edits
    // staged while it was in flight stay staged.
    if (move) this.#adopt(move);
    this.#policyEdits = this.#policyEdits.slice(edits.length);
    for (const [key, value] of committedKeys) if (this.#staged.get(key) === value) this.#staged.delete(key);
    const water = this.#ctx.water;
    if (water && this.#committed.totalBytes() > water.high) {
      this.#lastRebaseResult = await this.#rebase({}, new Set(changes.keys())).catch(() => this.#noRebase());
    }
    return (this.#lastMergeResult = {
      merged: true,
      commit: outcome.commit,
      strategy: outcome.strategy,
      autoMergedKeys: outcome.autoMergedKeys,
      carriedKeys: outcome.carriedKeys,
    });
  }

  /** Reloads from the branch head (re-reading only what changed) and drops staged changes. */
  refresh(): Promise<void> {
    return this.#serial(async () => {
      const head = this.#branch === null ? this.#base : await this.#ctx.versioned.branchHead(this.#branch);
      this.#adopt(await this.#planMoveTo(head));
      this.#staged.clear();
      this.#policyEdits = [];
    });
  }

  // ---- garbage collection ------------------------------------------------------

  /**
   * Replaces the branch's history with one root commit holding the kept keys, then cleans
   * orphans. Without `keepKeys`, the coldest keys (least recently read or written by this
   * object), then the largest, are dropped until the total is at most `lowWaterBytes`.
   * Loses a race with another writer: ConcurrencyError, nothing deleted.
   */
  rebase(opts: RebaseOptions = {}): Promise<RebaseResult> {
    return this.#serial(() => this.#rebase(opts, new Set()));
  }

  /** Rebases only when the total value size exceeds `highWaterBytes`. */
  maybeRebase(): Promise<RebaseResult> {
    return this.#serial(async () => {
      const water = this.#ctx.water;
      if (!water || this.#committed.totalBytes() <= water.high) return (this.#lastRebaseResult = this.#noRebase());
      return this.#rebase({}, new Set());
    });
  }

  /** Walks every branch and re-hashes every reachable commit, index node and value. */
  async verify(opts: { onProgress?: (objectsChecked: number) => void } = {}): Promise<VerifyReport> {
    checkOptionsObject(opts, "verify()", "{ onProgress? }");
    if (opts.onProgress !== undefined && typeof opts.onProgress !== "function") {
      throw new TypeError(`verify() option "onProgress" must be a function (objectsChecked: number) => void, got ${typeof opts.onProgress}`);
    }
    return this.#ctx.versioned.verify(opts);
  }

  /** Deletes objects no branch reaches, older than `minAgeMs` (default one hour); returns the count. */
  async cleanOrphans(opts: CleanOrphansOptions = {}): Promise<number> {
    return (await this.#ctx.versioned.cleanOrphans(opts)).deleted;
  }

  async #rebase(opts: RebaseOptions, justWritten: Set<string>): Promise<RebaseResult> {
    const branch = this.#requireBranch("rebase");
    const { versioned, water } = this.#ctx;
    const committed = this.#committed;
    const totalSizeBefore = committed.totalBytes();
    const ignoredKeys: string[] = [];
    let kept: string[];
    if (opts.keepKeys !== undefined) {
      kept = [];
      for (const key of checkedKeySet(opts.keepKeys, `rebase() option "keepKeys"`)) {
        (committed.has(key) ? kept : ignoredKeys).push(key);
      }
    } else {
      if (!water) throw new RangeError(`rebase() without keepKeys needs the highWaterBytes/lowWaterBytes options of store()`);
      kept = this.#keysToKeep(water.low, justWritten);
    }
    kept.sort();
    ignoredKeys.sort();
    const keptSet = new Set(kept);
    const droppedKeys = committed.keys().filter((k) => !keptSet.has(k));
    const baseCommit = await versioned.getCommit(this.#base);
    const newCommit = await versioned.rebaseBranch(
      branch,
      this.#base,
      kept.map((key) => ({ key, valueId: committed.get(key)!.id })),
      { message: opts.message ?? "rebase", ...(opts.info !== undefined ? { info: opts.info } : {}), ...(baseCommit.policies ? { policies: baseCommit.policies } : {}) },
    );
    if (newCommit === null) {
      throw new ConcurrencyError(`branch ${JSON.stringify(branch)} moved while rebasing; nothing was changed or deleted. Refresh and try again.`, { branch });
    }
    committed.apply({ root: (await versioned.getCommit(newCommit)).root, set: new Map(), removed: droppedKeys });
    this.#base = newCommit;
    const orphansCleaned = (await versioned.cleanOrphans({ minAgeMs: opts.orphanMinAgeMs ?? 3_600_000 })).deleted;
    return (this.#lastRebaseResult = {
      performed: true,
      newCommit,
      droppedKeys,
      keptKeys: kept,
      ignoredKeys,
      totalSizeBefore,
      totalSizeAfter: committed.totalBytes(),
      orphansCleaned,
    });
  }

  /** Coldest first, then largest, dropped until the rest fits in `low`; `protect` goes last. */
  #keysToKeep(low: number, protect: Set<string>): string[] {
    const committed = this.#committed;
    const order = committed.keys().map((key) => ({ key, use: protect.has(key) ? Infinity : (this.#lastUse.get(key) ?? 0), size: committed.sizeOf(key) }));
    order.sort((a, b) => a.use - b.use || b.size - a.size || (a.key < b.key ? -1 : 1));
    let total = committed.totalBytes();
    let i = 0;
    while (total > low && i < order.length) total -= order[i++].size;
    return order.slice(i).map((e) => e.key);
  }

  #noRebase(): RebaseResult {
    const total = this.#committed.totalBytes();
    return { performed: false, newCommit: null, droppedKeys: [], keptKeys: [], ignoredKeys: [], totalSizeBefore: total, totalSizeAfter: total, orphansCleaned: 0 };
  }

  // ---- branches --------------------------------------------------------------------

  async listBranches(): Promise<string[]> {
    return [...(await this.#ctx.versioned.heads.list()).keys()];
  }

  /** Creates branch `name` at `at` (default: this object's current commit) and opens it. */
  async createBranch(name: string, opts: { at?: string } = {}): Promise<Store<S>> {
    checkBranchName(name);
    const at = opts.at === undefined ? this.#base : await this.#ctx.versioned.resolveRef(opts.at);
    await this.#ctx.versioned.createBranch(name, at);
    return this.#openAt(name, at);
  }

  /**
   * Opens another store object: on branch `ref`, or on commit `ref` — detached (read-only)
   * unless `{ branch }` names a new branch to create there.
   */
  async checkout(ref: string, opts: { branch?: string } = {}): Promise<Store<S>> {
    const { versioned } = this.#ctx;
    if (opts.branch !== undefined) return this.createBranch(opts.branch, { at: ref });
    const head = await versioned.heads.read(ref);
    if (head) return this.#openAt(ref, head);
    return this.#openAt(null, await versioned.resolveRef(ref));
  }

  /** Moves this object to branch `name` (which must exist); staged changes are kept. */
  switchBranch(name: string): Promise<void> {
    return this.#serial(async () => {
      checkBranchName(name);
      const head = await this.#ctx.versioned.branchHead(name);
      this.#adopt(await this.#planMoveTo(head));
      this.#branch = name;
    });
  }

  /**
   * Deletes branch `name`, then reclaims what only it held (objects older than
   * `minAgeMs`, default one hour, as for cleanOrphans); `{ reclaim: false }` skips that.
   */
  async deleteBranch(name: string, opts: { reclaim?: boolean; minAgeMs?: number } = {}): Promise<void> {
    checkBranchName(name);
    if (name === this.#branch) throw new RefError(name, `cannot delete branch ${JSON.stringify(name)}: it is this store object's current branch; switch to another branch first`);
    const { versioned } = this.#ctx;
    for (;;) {
      const head = await versioned.branchHead(name); // RefError if it does not exist
      if (await versioned.heads.delete(name, head)) break; // else a commit just landed: retry
    }
    if (opts.reclaim !== false) await versioned.cleanOrphans({ minAgeMs: opts.minAgeMs ?? 3_600_000 });
  }

  /** Reads `key` at the head of another branch without switching. */
  async peek(key: string, opts: { branch?: string; at?: string } = {}): Promise<unknown> {
    checkKey(key);
    const { versioned, codec } = this.#ctx;
    const ref = opts.at ?? opts.branch ?? this.#branch ?? this.#base;
    const commit = await versioned.getCommit(await versioned.resolveRef(ref));
    const id = await getValueId(versioned.nodes, commit.root, key);
    if (id === undefined) return undefined;
    const bytes = await versioned.objects.get("v", id);
    if (!bytes) return undefined;
    return decodeValue(encodingFor(await loadPolicyObject(versioned, commit.policies), key, codec), bytes, key); // that commit's encodings
  }

  /**
   * Moves the current branch to `ref` (CAS from the head this object last saw) and reloads
   * it; staged changes are dropped. False when another writer moved the head meanwhile.
   */
  resetTo(ref: string): Promise<boolean> {
    return this.#serial(async () => {
      const branch = this.#requireBranch("resetTo");
      const { versioned } = this.#ctx;
      const target = await versioned.resolveRef(ref);
      const move = await this.#planMoveTo(target);
      if (!(await versioned.moveBranch(branch, target, this.#base))) return false;
      this.#adopt(move);
      this.#staged.clear();
      this.#policyEdits = [];
      return true;
    });
  }

  // ---- cross-branch merge ----------------------------------------------------------

  /**
   * Merges branch or commit `source` into the current branch (staged changes stay staged).
   * Conflicts raise MergeConflict unless `resolution` picks a side.
   */
  merge(source: string, opts: BranchMergeOptions = {}): Promise<MergeResult> {
    return this.#serial(async () => {
      const branch = this.#requireBranch("merge");
      checkOptionsObject(opts, "merge()", "{ resolution?, message?, info? }");
      const resolution = opts.resolution ?? "raise";
      if (!["raise", "ours", "theirs"].includes(resolution)) throw new RangeError(`resolution must be "raise", "ours" or "theirs", got ${JSON.stringify(resolution)}`);
      checkedAnnotations(opts); // also when the merge turns out a fast-forward, which writes no commit
      const { versioned } = this.#ctx;
      const src = await versioned.resolveRef(source);
      for (let attempt = 0; ; attempt++) {
        const head = await versioned.branchHead(branch);
        const outcome = await this.#mergeCommits(head, src, resolution, opts, true);
        if (!outcome.merged) throw new MergeConflict(outcome.decodedConflicts ?? [], outcome.mergeErrors ?? {});
        const move = await this.#planMoveTo(outcome.commit);
        if (outcome.commit === head || (await versioned.moveBranch(branch, outcome.commit, head))) {
          this.#adopt(move);
          const result: MergeResult = { merged: true, commit: outcome.commit, strategy: outcome.strategy, autoMergedKeys: outcome.autoMergedKeys, carriedKeys: outcome.carriedKeys };
          return (this.#lastMergeResult = result);
        }
        if (attempt >= 31) throw new ConcurrencyError(`branch ${JSON.stringify(branch)} kept moving during the merge; nothing was changed, try again`, { branch });
        await backoff(attempt);
      }
    });
  }

  /** What `merge(source)` would do, without writing anything. */
  async tryMerge(source: string): Promise<{ ok: boolean; conflicts: Conflict[] }> {
    const branch = this.#requireBranch("tryMerge");
    const { versioned } = this.#ctx;
    const src = await versioned.resolveRef(source);
    const head = await versioned.branchHead(branch);
    const outcome = await this.#mergeCommits(head, src, "raise", {}, false);
    return { ok: outcome.merged, conflicts: outcome.merged ? [] : (outcome.decodedConflicts ?? []) };
  }

  async #mergeCommits(head: string, src: string, resolution: "raise" | "ours" | "theirs", opts: BranchMergeOptions, write: boolean): Promise<CommitOutcome & { decodedConflicts?: Conflict[] }> {
    const { versioned, codec } = this.#ctx;
    const none = { autoMergedKeys: [] as string[], carriedKeys: [] as string[] };
    // One walk down both sides (batched per generation step on a remote backend) tells
    // whether either side already contains the other.
    const bases = await versioned.commits.mergeBases(head, src);
    if (bases.length === 1 && bases[0] === src) return { merged: true, commit: head, strategy: "no_op" as Strategy, ...none };
    if (bases.length === 1 && bases[0] === head) {
      const carried = (await versioned.diff(head, src)).map((d) => d.key);
      return { merged: true, commit: src, strategy: "fast_forward" as Strategy, autoMergedKeys: [], carriedKeys: carried };
    }
    // The engine merges "ours" (here: the source) onto "theirs" (the head); swap so user
    // merge functions see ours = this branch, theirs = the source.
    // Each side's values read by its own commit's policy; the result keeps the head's.
    const policyOf = (id: string) => loadPolicy(versioned, id);
    const [headPolicy, srcPolicy, basePolicy] = await Promise.all([policyOf(head), policyOf(src), bases.length === 1 ? policyOf(bases[0]) : undefined]);
    const sides: SidePolicies = { base: basePolicy ?? headPolicy, ours: srcPolicy, theirs: headPolicy, result: headPolicy };
    const resolver = this.#merges.resolver(codec, {}, true, sides);
    // A side picked by `resolution` keeps its value; the source's bytes are re-encoded when
    // the target reads the key with another encoding (engine "ours" is the source).
    const fromSource = (key: string, bytes: Uint8Array) => {
      const [from, to] = [encodingFor(srcPolicy, key, codec), encodingFor(headPolicy, key, codec)];
      return from === to ? bytes : encodeValue(to, decodeValue(from, bytes, key), key);
    };
    const sided = resolution === "raise" ? resolver : {
      has: () => true,
      resolve: (key: string, base: Uint8Array | undefined, ours: Uint8Array | undefined, theirs: Uint8Array | undefined) =>
        resolver.has(key) ? resolver.resolve(key, base, ours, theirs) : resolution === "ours" ? (theirs ?? null) : ours === undefined ? null : fromSource(key, ours),
    };
    const batch = versioned.objects.batch();
    const srcCommit = await versioned.getCommit(src);
    const outcome = await versioned.mergeInto(batch, head, src, srcCommit.root, sided, {
      message: opts.message ?? `merge ${src.slice(0, 12)} into ${this.#branch}`,
      ...(opts.info !== undefined ? { info: opts.info } : {}),
    });
    // Values a merge function or `resolution` decided are written with the head's encodings already.
    if (outcome.merged) await this.#assertSameEncodings(headPolicy, srcPolicy, srcCommit.root, outcome.appliedKeys ?? []);
    if (write && outcome.merged) await batch.flush();
    // For a branch merge, "carried" means what the source brought in.
    return { ...outcome, carriedKeys: outcome.appliedKeys, ...(outcome.merged ? {} : { decodedConflicts: this.#decodeConflicts(outcome.conflicts ?? [], true, sides) }) };
  }

  /**
   * A three-way branch merge keeps the target's policies, so a value the source brings in
   * must be encoded the same way on both branches (key-encoding.ts); otherwise the merge
   * would store bytes the result reads with another encoding. Refused before any write.
   */
  async #assertSameEncodings(target: MergePolicy, source: MergePolicy, sourceRoot: string, keys: readonly string[]): Promise<void> {
    const { codec, versioned } = this.#ctx;
    if (target === source) return;
    for (const key of keys) {
      const [t, s] = [encodingFor(target, key, codec), encodingFor(source, key, codec)];
      if (t !== s && (await getValueId(versioned.nodes, sourceRoot, key)) !== undefined) { // a deletion carries no bytes
        throw new NotSupportedError(
          `cannot merge: ${JSON.stringify(key)} is stored with the ${JSON.stringify(s.name)} encoding on the source and ${JSON.stringify(t.name)} on ${JSON.stringify(this.#branch)} (their content types differ); attach the same content type to it on both branches and commit, then merge. Nothing was written.`,
          { op: "merge", key },
        );
      }
    }
  }

  // ---- history ---------------------------------------------------------------------

  /** Commit ids newest first from `ref` (default: this object's commit). */
  history(ref?: string, opts: { allParents?: boolean } = {}): AsyncIterable<string> {
    const { versioned } = this.#ctx;
    // Like the generator it replaces, it starts where this object is at the first next().
    return new ChunkStream(async () => versioned.commits.walkIds(ref === undefined ? this.#base : await versioned.resolveRef(ref), opts.allParents === true));
  }

  async log(opts: { limit?: number; ref?: string; allParents?: boolean } = {}): Promise<CommitInfo[]> {
    if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${opts.limit}`);
    const { versioned } = this.#ctx;
    const from = opts.ref === undefined ? this.#base : await versioned.resolveRef(opts.ref);
    const out: CommitInfo[] = [];
    if (opts.limit === 0) return out;
    for await (const c of versioned.commits.walk(from, opts.allParents === true)) {
      out.push(commitInfoOf(c));
      if (opts.limit !== undefined && out.length >= opts.limit) break;
    }
    return out;
  }

  async diff(a: string, b?: string): Promise<DiffResult> {
    const { versioned } = this.#ctx;
    const [ia, ib] = await Promise.all([versioned.resolveRef(a), b === undefined ? this.#base : versioned.resolveRef(b)]);
    const out: DiffResult = { added: [], removed: [], modified: [] };
    for (const d of await versioned.diff(ia, ib)) {
      if (d.from === undefined) out.added.push(d.key);
      else if (d.to === undefined) out.removed.push(d.key);
      else out.modified.push(d.key);
    }
    return out;
  }

  async commitInfo(ref?: string): Promise<CommitInfo> {
    const { versioned } = this.#ctx;
    return commitInfoOf(await versioned.getCommit(ref === undefined ? this.#base : await versioned.resolveRef(ref)));
  }

  async parents(ref?: string): Promise<string[]> {
    return (await this.commitInfo(ref)).parents;
  }

  /**
   * Commits on this object's first-parent line that changed `key`, newest first. Skips
   * the stretches of history whose change summaries rule the key out (key-history.ts).
   */
  async keyHistory(key: string, opts: { limit?: number } = {}): Promise<CommitInfo[]> {
    checkKey(key);
    if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${opts.limit}`);
    const { versioned } = this.#ctx;
    const out: CommitInfo[] = [];
    if (opts.limit === 0) return out;
    for await (const c of keyChanges(versioned.commits, versioned.nodes, this.#base, key)) {
      out.push(commitInfoOf(c));
      if (opts.limit !== undefined && out.length >= opts.limit) break;
    }
    return out;
  }

  /** A read-only view of any commit: time travel. */
  async at(ref: string): Promise<Snapshot> {
    const { versioned, codec } = this.#ctx;
    const id = await versioned.resolveRef(ref);
    const commit = await versioned.getCommit(id);
    // Read with that commit's own policy: the encodings its values were written with.
    const policy = await loadPolicyObject(versioned, commit.policies);
    return new Snapshot(versioned, id, commit.root, (key, bytes) => decodeValue(encodingFor(policy, key, codec), bytes, key));
  }

  /** An inclusion or absence proof for `key` at `at` (default: this object's commit). */
  async prove(key: string, opts: { at?: string } = {}): Promise<Proof> {
    checkKey(key);
    const { versioned, codec } = this.#ctx;
    const id = opts.at === undefined ? this.#base : await versioned.resolveRef(opts.at);
    const commit = await versioned.getCommit(id);
    const path = await provePath(versioned.nodes, commit.root, key);
    const valueId = await getValueId(versioned.nodes, commit.root, key);
    const [bytes, commitBytes] = await Promise.all([valueId === undefined ? undefined : versioned.objects.get("v", valueId), versioned.objects.get("c", id)]);
    if (!commitBytes) throw new RefError(id, `commit ${id} does not exist in this store`);
    const keyCodec = encodingFor(await loadPolicyObject(versioned, commit.policies), key, codec);
    return buildProof({ commit: id, commitBytes, root: commit.root, key, path, bytes, codec: keyCodec.name, value: bytes === undefined ? undefined : decodeValue(keyCodec, bytes, key) });
  }

  /** The first commit of this object's first-parent line. */
  async initialCommit(): Promise<string> {
    let last = this.#base;
    for await (const c of this.#ctx.versioned.commits.walk(this.#base, false)) last = c.id;
    return last;
  }

  /** Closes the backend shared by every store object opened from the same `store()`. */
  async close(): Promise<void> {
    await this.#queue.catch(() => {});
    await this.#ctx.versioned.close();
  }

  /**
   * Committed values whose encoding the policy edits change (a content type with its own
   * encoding attached to or removed from their key or a prefix of it), and that this
   * commit does not write anyway: read with the old encoding, written with the new one, so
   * every value stays readable by the policy of the commit that holds it (key-encoding.ts).
   */
  async #reencode(edits: readonly PolicyEdit[], before: MergePolicy, after: MergePolicy, written: ReadonlyMap<string, unknown>, changes: Map<string, EncodedValue | null>): Promise<void> {
    const { versioned, codec } = this.#ctx;
    const keys = new Set<string>();
    for (const e of edits) {
      if (!e.prefix) keys.add(e.target);
      else for (const key of this.#committed.keys(e.target)) keys.add(key);
    }
    for (const key of keys) {
      const entry = written.has(key) ? undefined : this.#committed.get(key);
      if (!entry) continue;
      // Changing the type of a key whose current type this process does not know could leave
      // bytes of an unknown encoding to be read with another one.
      const current = policyNameFor(before, key);
      if (current !== undefined && current !== policyNameFor(after, key) && !hasContentType(current)) {
        throw new NotSupportedError(
          `cannot change the content type of ${JSON.stringify(key)}: its values are stored by content type ${JSON.stringify(current)}, which this process has not registered; call registerContentType() with it first. Nothing was written.`,
          { contentType: current, key },
        );
      }
      const from = encodingFor(before, key, codec);
      const to = encodingFor(after, key, codec);
      if (from === to) continue;
      const stored = await versioned.objects.get("v", entry.id);
      if (!stored) throw new FormatError(`value ${entry.id} of ${JSON.stringify(key)} is missing from the backend; the store's data is damaged`, { id: entry.id, key });
      const bytes = encodeValue(to, decodeValue(from, stored, key), key);
      changes.set(key, { bytes, id: hashHex(bytes) });
    }
  }

  // ---- internals -------------------------------------------------------------------

  #requireBranch(op: string): string {
    if (this.#branch === null) {
      throw new NotSupportedError(`${op} needs a branch, but this store object is a detached checkout of ${this.#base}; use checkout(ref, { branch: "name" })`, { op });
    }
    return this.#branch;
  }

  /** Reads everything moving to `commitId` needs; changes nothing. */
  async #planMoveTo(commitId: string, known?: KnownChanges): Promise<Move> {
    const { versioned, codec, workingCopy = "auto" } = this.#ctx;
    const commit = await versioned.getCommit(commitId);
    // A loaded working copy that grew past the size read from the index becomes an index view.
    const replace = this.#committed instanceof WorkingCopy && readsFromIndex(versioned, commit.root, workingCopy);
    const recorded = known || replace ? undefined : await this.#recordedMove(commitId);
    const [update, policy] = await Promise.all([replace ? undefined : this.#planCommittedMove(commit.root, known, recorded), loadPolicy(versioned, commitId)]);
    const move: Move = { commitId, update: update ?? { root: commit.root, set: new Map(), removed: [] }, policy, policyId: commit.policies };
    if (replace) move.replacement = new IndexedWorkingCopy(versioned, new StoreValueDecoder(codec, this.#merges), commit.root);
    else if (update === null) move.replacement = await loadCommitted(versioned, commit.root, new StoreValueDecoder(codec, this.#merges), workingCopy);
    return move;
  }

  /**
   * The diff from the committed view to `commitId` when a change record holds it: moving
   * to the base's child or parent (a refresh after one commit by another writer, say)
   * then reads no tree. Undefined otherwise, also when the base can no longer be read (a
   * rebase swept it: #planCommittedMove then reloads).
   */
  async #recordedMove(commitId: string): Promise<KeyDiff[] | undefined> {
    const { versioned } = this.#ctx;
    try {
      if (this.#committed.root !== (await versioned.getCommit(this.#base)).root) return undefined;
      return await versioned.recordedDiff(this.#base, commitId);
    } catch (err) {
      if (err instanceof FormatError || err instanceof RefError) return undefined;
      throw err;
    }
  }

  /**
   * The update moving the committed view to `root`, or null when the view's own tree can
   * no longer be read (another process rebased the branch and swept it): then the caller
   * loads `root` afresh instead of moving there by a diff.
   */
  async #planCommittedMove(root: string, known: KnownChanges | undefined, recorded: readonly KeyDiff[] | undefined): Promise<WorkingCopyUpdate | null> {
    try {
      return await this.#committed.planMove(root, known, recorded);
    } catch (err) {
      // If `root` itself is damaged, loading it afresh reports that.
      if (err instanceof FormatError) return null;
      throw err;
    }
  }

  /** Makes a planned move this object's state; in memory only, so it cannot fail halfway. */
  #adopt(move: Move): void {
    if (move.replacement) this.#committed = move.replacement;
    else this.#committed.apply(move.update);
    this.#base = move.commitId;
    if (move.policyId !== this.#policyId) {
      this.#policyId = move.policyId;
      this.#merges.setPersisted(move.policy);
      this.#committed.forgetDecoded();
    }
  }

  async #openAt(branch: string | null, commitId: string): Promise<Store<S>> {
    const merges = new MergeRegistry();
    merges.setPersisted(await loadPolicy(this.#ctx.versioned, commitId));
    const commit = await this.#ctx.versioned.getCommit(commitId);
    const copy = await loadCommitted(this.#ctx.versioned, commit.root, new StoreValueDecoder(this.#ctx.codec, merges), this.#ctx.workingCopy ?? "auto");
    return new Staged<S>(this.#ctx, branch, commitId, copy, merges, commit.policies) as Store<S>;
  }

  /** Conflicts with decoded sides, each read by its commit's policy (`sides`, the engine's sides). */
  #decodeConflicts(raw: RawConflict[], swap: boolean, sides: SidePolicies): Conflict[] {
    const { codec } = this.#ctx;
    return raw.map((c) => {
      const dec = (b: Uint8Array | undefined, side: "base" | "ours" | "theirs") => (b === undefined ? undefined : safeDecode(() => encodingFor(sides[side], c.key, codec), b, c.key));
      const [ours, theirs] = swap ? [dec(c.theirs, "theirs"), dec(c.ours, "ours")] : [dec(c.ours, "ours"), dec(c.theirs, "theirs")];
      return { key: c.key, base: dec(c.base, "base"), ours, theirs };
    });
  }

  /** Runs state-changing operations one at a time, in call order. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }
}

/** A conflict's value for the report: decoded, or the raw bytes if they cannot be decoded here. */
function safeDecode(codec: () => Codec, bytes: Uint8Array, key: string): unknown {
  try {
    return decodeValue(codec(), bytes, key);
  } catch {
    return bytes;
  }
}
