import type { KVStore } from "../kv/kv-store.ts";
import { ConcurrencyError, FormatError, RefError } from "../errors.ts";
import { backendCall, ObjectStore, type WriteBatch } from "../objects/object-store.ts";
import { isHashHex } from "../objects/hash.ts";
import { applyChanges, buildTree, diffTrees, EMPTY_ROOT, NodeSource, type KeyChange, type KeyDiff } from "../index/keyset-index.ts";
import { changeRecordFits, reversedChanges } from "./change-record.ts";
import { checkedAnnotations, decodeCommit, encodeCommit, type Commit, type CommitFields } from "./commit-object.ts";
import { lowestSetBit, rangeSummary, skipDepth, summaryDifference, summaryOf, unionSummaries } from "./change-summary.ts";
import { CommitGraph } from "./commit-graph.ts";
import { ensureFormat, FORMAT_KEY, FORMAT_VERSION, upgradeFormat } from "./format-marker.ts";
import { BranchHeads, checkBranchName } from "./refs.ts";
import { cleanOrphans, type CleanOrphansOptions, type GcResult } from "./gc.ts";
import { verifyStore, type VerifyReport } from "./verify.ts";
import { threeWayMerge, type MergeResolver, type RawConflict } from "./three-way-merge.ts";

export type Strategy = "no_op" | "fast_forward" | "three_way";

/** A value's bytes with their object id (`hashHex(bytes)`), hashed once by the caller. */
export interface EncodedValue {
  readonly bytes: Uint8Array;
  readonly id: string;
}

export interface CommitRequest {
  branch: string;
  /** The commit the changes were made against (the writer's `baseCommit`). */
  base: string;
  /** New value (bytes and their id) per key, or null to remove the key. */
  changes: ReadonlyMap<string, EncodedValue | null>;
  message?: string;
  info?: Record<string, unknown>;
  resolver: MergeResolver;
  /** Attempts after the first when the head keeps moving (default 32). */
  maxRetries?: number;
  /**
   * Runs after the objects are written and before the head moves, for a merged outcome:
   * whatever the caller must read to adopt the commit is read here, so nothing can fail
   * after the commit has landed. A throw abandons this attempt (nothing has moved).
   */
  prepare?: (outcome: { commit: string; root: string; strategy: "fast_forward" | "three_way" }) => Promise<void>;
  /**
   * The merge-policy object id for the new commit, given the policy id of the commit it is
   * made on top of (the base, or, when merging, the head: `mergingWith` is then its id).
   * Default: keep that one.
   */
  policies?: (current: string | undefined, batch: WriteBatch, mergingWith: string | undefined) => Promise<string | undefined>;
}

export interface CommitOutcome {
  merged: boolean;
  commit: string;
  strategy: Strategy;
  autoMergedKeys: string[];
  carriedKeys: string[];
  /** Set when merged is false. */
  conflicts?: RawConflict[];
  mergeErrors?: Record<string, Error>;
}

/** A merge function failed while building a criss-cross merge's virtual base. */
export interface VirtualBaseFailure {
  conflicts: RawConflict[];
  mergeErrors: Record<string, Error>;
}

export interface MergeOutcome extends CommitOutcome {
  root?: string;
  /** Keys only the merged-in side changed (the source of a branch merge). */
  appliedKeys: string[];
}

const EMPTY_COMMIT_MESSAGE = "initial commit";

/**
 * The versioned engine (SPEC §2): commits, branch heads moved only by CAS, three-way
 * merges, history and diff. Bytes in, bytes out; codecs and merge functions live above.
 */
export class Versioned {
  readonly objects: ObjectStore;
  readonly nodes: NodeSource;
  readonly commits: CommitGraph;
  readonly heads: BranchHeads;
  private emptyRootId: string | undefined;

  private constructor(readonly kv: KVStore) {
    this.objects = new ObjectStore(kv);
    this.nodes = new NodeSource(this.objects);
    this.commits = new CommitGraph(this.objects);
    this.heads = new BranchHeads(kv);
  }

  /**
   * Opens (and for an empty backend, initialises — unless `create` is false) a store.
   * Foreign data: FormatError; an empty backend with `create: false`: FormatError too.
   */
  static async open(kv: KVStore, opts: { create?: boolean; codec?: string; upgradeCodec?: string } = {}): Promise<Versioned> {
    const create = opts.create !== false;
    const { codec, version } = await ensureFormat(kv, !create, opts.codec, opts.upgradeCodec);
    if (!create && (await backendCall(kv, "get", () => kv.get(FORMAT_KEY))) === undefined) {
      throw new FormatError(`there is no kvgit store at ${kv.description}; nothing was written`, { backend: kv.description });
    }
    const versioned = new Versioned(kv);
    versioned.codecName = codec;
    versioned.formatIsCurrent = version === FORMAT_VERSION;
    return versioned;
  }

  /**
   * The name of the codec the store's format record says its values are written with;
   * undefined for a store recorded before codecs were (opened read-only since). The engine
   * only carries the name: encoding values is the API layer's business.
   */
  codecName: string | undefined;

  /** False for a store of an older format until this engine writes its first commit. */
  private formatIsCurrent = true;

  /** Writes the empty keyset's node (once per engine) for a commit that names it. */
  private async writeEmptyRoot(): Promise<string> {
    if (this.emptyRootId) return this.emptyRootId;
    const batch = this.objects.batch();
    const root = await buildTree(this.nodes, batch, []);
    await batch.flush();
    return (this.emptyRootId = root);
  }

  /** The head of `branch`, creating the branch at a new empty root commit if absent. */
  async ensureBranch(branch: string): Promise<string> {
    checkBranchName(branch);
    for (;;) {
      const head = await this.heads.read(branch);
      if (head) return head;
      const batch = this.objects.batch();
      const id = await this.putCommit(batch, { root: await this.writeEmptyRoot(), parents: [], generation: 1, time: Date.now(), message: EMPTY_COMMIT_MESSAGE }, []);
      await batch.flush();
      if (await this.heads.cas(branch, id, undefined)) return id;
    }
  }

  async branchHead(branch: string): Promise<string> {
    const head = await this.heads.read(branch);
    if (!head) throw new RefError(branch, `branch ${JSON.stringify(branch)} does not exist`);
    return head;
  }

  async getCommit(id: string): Promise<Commit> {
    return this.commits.get(id);
  }

  /**
   * Writes a commit into `batch`. `changes` is the exact diff from the first parent's tree
   * (for a root commit: every key, added): its keys make the change summary `keyHistory`
   * uses (change-summary.ts), and it is stored as the commit's change record when it fits
   * (change-record.ts), so `diff(parent, commit)` reads no tree.
   */
  async putCommit(batch: WriteBatch, fields: Omit<CommitFields, "depth" | "lineJumps" | "changeSummary" | "changes">, changes: readonly KeyDiff[]): Promise<string> {
    const recorded = fields.parents.length > 0 && changeRecordFits(changes);
    const full: CommitFields = { ...fields, ...(await this.linePosition(fields.parents[0], changes.map((d) => d.key))), ...(recorded ? { changes } : {}) };
    const bytes = encodeCommit(full); // checks message and info (TypeError) before anything is stored
    // Raised when the batch is written, before this commit's objects: a batch that is never
    // flushed (tryMerge, a merge refused after this point) leaves an older store as it is.
    if (!this.formatIsCurrent) batch.beforeFlush = () => this.raiseFormat();
    const id = batch.put("c", bytes);
    // The cache holds the info as decoded from the bytes (and frozen), so this process reads
    // exactly what any other process reads, whatever becomes of the caller's object.
    this.commits.remember(full.info === undefined ? { id, ...full } : { id, ...full, info: decodeCommit(id, bytes).info });
    return id;
  }

  /** Raises an older format's record to this library's (`upgradeFormat`), once per engine. */
  private async raiseFormat(): Promise<void> {
    if (this.formatIsCurrent) return;
    await upgradeFormat(this.kv);
    this.formatIsCurrent = true;
  }

  /** Depth, line jumps and change summary of a new commit on top of `firstParent` (change-summary.ts). */
  private async linePosition(firstParent: string | undefined, changedKeys: Iterable<string>): Promise<Pick<CommitFields, "depth" | "lineJumps" | "changeSummary">> {
    const own = summaryOf(changedKeys);
    if (firstParent === undefined) return { depth: 1, lineJumps: [], changeSummary: [own] };
    const parent = await this.commits.get(firstParent);
    const depth = parent.depth + 1;
    const summary = [own];
    const lineJumps: string[] = [];
    let covered = own; // every hash in the summary so far
    // The ancestor at depth - 2^(i-1) covers (depth - 2^i, depth - 2^(i-1)], and its range
    // ends at the next ancestor, its own last jump.
    let ancestor: Commit | undefined = parent;
    for (let span = 1; span < lowestSetBit(depth); span *= 2) {
      const range = rangeSummary(ancestor!.changeSummary);
      lineJumps.push(ancestor!.id);
      const union = unionSummaries(covered, range);
      // Unknown once the entries together would pass the cap, so a commit holds at most
      // SUMMARY_CAP hashes in all (docs/format.md).
      summary.push(union === null ? null : summaryDifference(range, covered));
      covered = union;
      ancestor = skipDepth(ancestor!.depth) > 0 ? await this.commits.get(ancestor!.lineJumps.at(-1)!) : undefined;
    }
    if (ancestor) lineJumps.push(ancestor.id); // where this commit's range ends
    return { depth, lineJumps, changeSummary: summary };
  }

  /**
   * Resolves a branch name, a full commit id, a unique id prefix of 7+ hex characters, or
   * any of those followed by `~N` (N first parents back) or `^`. Unknown or ambiguous:
   * RefError naming the ref.
   */
  async resolveRef(ref: string): Promise<string> {
    if (typeof ref !== "string") throw new TypeError(`ref must be a string, got ${typeof ref}`);
    const m = /^(.*?)((?:~\d*|\^)*)$/.exec(ref)!;
    const [, name, suffix] = m;
    let id = await this.resolveName(name, ref);
    for (const op of suffix.match(/~\d*|\^/g) ?? []) {
      const steps = op === "^" ? 1 : op === "~" ? 1 : Number(op.slice(1));
      for (let i = 0; i < steps; i++) {
        const c = await this.commits.get(id);
        if (c.parents.length === 0) throw new RefError(ref, `ref ${JSON.stringify(ref)} goes back past the first commit`);
        id = c.parents[0];
      }
    }
    return id;
  }

  private async resolveName(name: string, ref: string): Promise<string> {
    if (name.length === 0) throw new RefError(ref, `ref ${JSON.stringify(ref)} is empty`);
    const head = await this.heads.read(name);
    if (head) return head;
    const lower = name.toLowerCase();
    if (isHashHex(lower)) {
      if (await this.commits.exists(lower)) return lower;
    } else if (/^[0-9a-f]{7,39}$/.test(lower)) {
      const matches: string[] = [];
      await backendCall(this.kv, "keys", async () => {
        for await (const k of this.kv.keys(`c/${lower}`)) {
          matches.push(k.slice(2));
          if (matches.length > 1) break;
        }
      });
      if (matches.length === 1) return matches[0];
      if (matches.length > 1) {
        throw new RefError(ref, `ref ${JSON.stringify(ref)} is ambiguous: it prefixes several commits (${matches.join(", ")}, ...); use more characters`, { matches });
      }
    }
    throw new RefError(ref, `unknown ref ${JSON.stringify(ref)}: not a branch, a commit id, or a unique commit id prefix of 7+ characters`);
  }

  /**
   * Commits `changes` made against `base` to `branch` (SPEC §4.3): fast-forward when the
   * head is still `base`, else a three-way merge against the merge base, redone while the
   * head keeps moving. All objects are written before the head moves by CAS.
   */
  async commit(req: CommitRequest): Promise<CommitOutcome> {
    // message and info are checked (TypeError) before anything is read or written.
    req = { ...req, ...checkedAnnotations(req) };
    const batch = this.objects.batch();
    try {
      return await this.commitBatch(req, batch);
    } finally {
      this.nodes.releaseLeaves(batch);
    }
  }

  private async commitBatch(req: CommitRequest, batch: WriteBatch): Promise<CommitOutcome> {
    const baseCommit = await this.commits.get(req.base);
    const changes: KeyChange[] = [];
    for (const [key, value] of req.changes) {
      if (value !== null) batch.putWithId("v", value.id, value.bytes);
      changes.push({ key, valueId: value === null ? null : value.id });
    }
    changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const applied: KeyDiff[] = []; // what really changed against the base
    const oursRoot = await applyChanges(this.nodes, batch, baseCommit.root, changes, applied).catch(async (err: unknown) => {
      // The base's tree may be gone because garbage collection swept it (see assertBaseStored).
      if (err instanceof FormatError) await this.assertBaseStored(req.branch, req.base);
      throw err;
    });
    const annotated = req.message !== undefined || req.info !== undefined;
    const policyFor = async (current: string | undefined, mergingWith: string | undefined) => (req.policies ? req.policies(current, batch, mergingWith) : current);
    const policies = await policyFor(baseCommit.policies, undefined);
    if (oursRoot === baseCommit.root && !annotated && policies === baseCommit.policies) {
      return { merged: true, commit: req.base, strategy: "no_op", autoMergedKeys: [], carriedKeys: [] };
    }
    const maxRetries = req.maxRetries ?? 32;
    for (let attempt = 0; ; attempt++) {
      const head = await this.branchHead(req.branch);
      let outcome: MergeOutcome;
      if (head === req.base) {
        const id = await this.putCommit(
          batch,
          { root: oursRoot, parents: [req.base], generation: baseCommit.generation + 1, time: Date.now(), ...annotations(req), ...(policies ? { policies } : {}) },
          applied,
        );
        outcome = { merged: true, commit: id, strategy: "fast_forward", autoMergedKeys: [], carriedKeys: [], appliedKeys: [] };
      } else {
        if (attempt === 0) await this.assertBaseStored(req.branch, req.base);
        const headPolicies = (await this.commits.get(head)).policies;
        const merged = await policyFor(headPolicies, head);
        outcome = await this.mergeInto(batch, head, req.base, oursRoot, req.resolver, { ...annotations(req), policies: merged }, applied);
        if (!outcome.merged) return outcome;
      }
      await batch.flush({ rewrite: attempt > 0 });
      if (req.prepare && outcome.strategy === "three_way") await req.prepare({ commit: outcome.commit, root: outcome.root!, strategy: "three_way" });
      else if (req.prepare && outcome.strategy === "fast_forward") await req.prepare({ commit: outcome.commit, root: oursRoot, strategy: "fast_forward" });
      if (outcome.commit === head || (await this.heads.cas(req.branch, outcome.commit, head))) {
        return outcome;
      }
      if (attempt >= maxRetries) {
        throw new ConcurrencyError(
          `branch ${JSON.stringify(req.branch)} kept moving: the commit could not land after ${attempt + 1} attempts; nothing was changed, try again`,
          { branch: req.branch, attempts: attempt + 1 },
        );
      }
      await backoff(attempt);
    }
  }

  /**
   * A three-way commit merges in what changed since `base`; if garbage collection removed
   * `base` (another process rebased the branch, or reset it back, and swept), those values
   * may be gone, and merging would write a tree naming objects that no longer exist.
   */
  private async assertBaseStored(branch: string, base: string): Promise<void> {
    if ((await this.objects.get("c", base)) !== undefined) return;
    throw new ConcurrencyError(
      `the commit this store object started from (${base}) was removed by garbage collection after branch ${JSON.stringify(branch)} moved on; ` +
        `nothing was written: call refresh() and make the changes again`,
      { branch, base },
    );
  }

  /**
   * Merges the tree `oursRoot` (made on top of `oursCommit`) into `head`. Writes a merge
   * commit with parents [head, oursCommit] into `batch`; the caller moves the head.
   *
   * With `sinceOurs` (a writer committing its changes: the exact diff from `oursCommit`'s
   * tree to `oursRoot`), histories that share no commit — the branch was rebased after the
   * writer started — merge against `oursCommit`'s own tree: only what the writer changed
   * since then is applied, and everything else comes from the head (keys the rebase
   * dropped stay dropped, counters count once). Without it (merging another branch),
   * unrelated histories merge against the empty keyset.
   *
   * The merge starts from the diffs of the base against both sides; each one a change
   * record or `sinceOurs` already holds is taken from there instead of the trees.
   */
  async mergeInto(
    batch: WriteBatch,
    head: string,
    oursCommit: string,
    oursRoot: string,
    resolver: MergeResolver,
    fields: { message?: string; info?: Record<string, unknown>; policies?: string | undefined },
    sinceOurs?: readonly KeyDiff[],
  ): Promise<MergeOutcome> {
    fields = { ...fields, ...checkedAnnotations(fields) };
    const [headCommit, ours, bases] = await Promise.all([this.commits.get(head), this.commits.get(oursCommit), this.commits.mergeBases(head, oursCommit)]);
    const baseRoot = await this.mergeBaseRoot(batch, head, oursCommit, resolver, sinceOurs ? ours.root : EMPTY_ROOT, bases);
    if (typeof baseRoot !== "string") {
      return { merged: false, commit: head, strategy: "three_way", autoMergedKeys: [], carriedKeys: [], appliedKeys: [], ...baseRoot };
    }
    const base = bases.length === 1 ? bases[0] : undefined;
    const known = {
      // A diff depends only on the two roots: `sinceOurs` is ours' diff whenever the base's
      // root is `oursCommit`'s (the usual writer's case, and unrelated histories).
      ours: baseRoot === ours.root ? sinceOurs : oursRoot === ours.root ? recordedSince(base, ours) : undefined,
      theirs: recordedSince(base, headCommit),
    };
    const result = await threeWayMerge(this.nodes, this.objects, batch, { base: baseRoot, ours: oursRoot, theirs: headCommit.root }, resolver, "report", known);
    if (result.root === undefined) {
      return { merged: false, commit: head, strategy: "three_way", autoMergedKeys: result.autoMergedKeys, carriedKeys: result.carriedKeys, appliedKeys: result.appliedKeys, conflicts: result.conflicts, mergeErrors: result.mergeErrors };
    }
    const annotated = fields.message !== undefined || fields.info !== undefined;
    const policies = "policies" in fields ? fields.policies : headCommit.policies;
    const id =
      result.root === headCommit.root && !annotated && policies === headCommit.policies
        ? head // everything we had is already in the head: nothing new to record
        : await this.putCommit(
            batch,
            {
              root: result.root,
              parents: [head, oursCommit],
              generation: Math.max(headCommit.generation, ours.generation) + 1,
              time: Date.now(),
              ...(fields.message !== undefined ? { message: fields.message } : {}),
              ...(fields.info !== undefined ? { info: fields.info } : {}),
              ...(policies ? { policies } : {}),
            },
            result.changes,
          );
    return { merged: true, commit: id, strategy: "three_way", autoMergedKeys: result.autoMergedKeys, carriedKeys: result.carriedKeys, appliedKeys: result.appliedKeys, root: result.root };
  }

  /**
   * The keyset root to merge against: the lowest common ancestor's, or for criss-cross
   * histories with several, a virtual base merged from them (git's recursive strategy),
   * so counters and other merge functions see each change exactly once.
   */
  async mergeBaseRoot(batch: WriteBatch, a: string, b: string, resolver: MergeResolver, unrelated = EMPTY_ROOT, known?: readonly string[]): Promise<string | VirtualBaseFailure> {
    const bases = known ?? (await this.commits.mergeBases(a, b));
    if (bases.length === 0) return unrelated;
    let acc = (await this.commits.get(bases[0])).root;
    for (let i = 1; i < bases.length; i++) {
      const next = await this.commits.get(bases[i]);
      const sub = await this.mergeBaseRoot(batch, bases[0], bases[i], resolver);
      if (typeof sub !== "string") return sub;
      const r = await threeWayMerge(this.nodes, this.objects, batch, { base: sub, ours: acc, theirs: next.root }, resolver, "ours");
      // Only a merge function can fail here (plain conflicts keep "ours"): report it.
      if (r.root === undefined) return { conflicts: r.conflicts, mergeErrors: r.mergeErrors };
      acc = r.root;
    }
    return acc;
  }

  /**
   * What changed from commit `a` to commit `b`, ascending by key. Between a commit and its
   * first parent (either way round) the child's change record answers without reading the
   * trees; otherwise the trees are diffed.
   */
  async diff(a: string, b: string): Promise<KeyDiff[]> {
    const [ca, cb] = await Promise.all([this.commits.get(a), this.commits.get(b)]);
    return recordedBetween(ca, cb) ?? diffTrees(this.nodes, ca.root, cb.root);
  }

  /** `diff(a, b)` when a change record holds it (one is the other's first parent), else undefined. */
  async recordedDiff(a: string, b: string): Promise<KeyDiff[] | undefined> {
    const [ca, cb] = await Promise.all([this.commits.get(a), this.commits.get(b)]);
    return recordedBetween(ca, cb);
  }

  /** Creates `branch` at commit `at` (CAS from absent). RefError if it exists. */
  async createBranch(branch: string, at: string): Promise<void> {
    checkBranchName(branch);
    await this.commits.get(at);
    if (!(await this.heads.cas(branch, at, undefined))) {
      throw new RefError(branch, `branch ${JSON.stringify(branch)} already exists; pick another name or use checkout/switchBranch`);
    }
  }

  /** Moves `branch` to `target` by CAS from `expected`. */
  async moveBranch(branch: string, target: string, expected: string): Promise<boolean> {
    await this.commits.get(target);
    return this.heads.cas(branch, target, expected);
  }

  /**
   * Replaces `branch`'s history with a single root commit holding `entries` (sorted key ->
   * existing value id), moving the head by CAS from `expected`. Null when the CAS lost.
   */
  async rebaseBranch(branch: string, expected: string, entries: readonly KeyChange[], fields: { message?: string; info?: Record<string, unknown>; policies?: string }): Promise<string | null> {
    fields = { ...fields, ...checkedAnnotations(fields) };
    const batch = this.objects.batch();
    const root = await buildTree(this.nodes, batch, entries);
    const id = await this.putCommit(
      batch,
      { root, parents: [], generation: 1, time: Date.now(), ...annotations(fields), ...(fields.policies ? { policies: fields.policies } : {}) },
      entries.map((e) => ({ key: e.key, from: undefined, to: e.valueId ?? undefined })),
    );
    await batch.flush();
    return (await this.heads.cas(branch, id, expected)) ? id : null;
  }

  /** Removes unreachable objects older than `minAgeMs` (see gc.ts). */
  cleanOrphans(opts: CleanOrphansOptions = {}): Promise<GcResult> {
    return cleanOrphans(this, opts);
  }

  /** Re-hashes every object reachable from every branch (see verify.ts). */
  verify(opts: { onProgress?: (objectsChecked: number) => void } = {}): Promise<VerifyReport> {
    return verifyStore(this, opts);
  }

  async close(): Promise<void> {
    await this.kv.close();
  }
}

function annotations(req: { message?: string; info?: Record<string, unknown> }): { message?: string; info?: Record<string, unknown> } {
  const out: { message?: string; info?: Record<string, unknown> } = {};
  if (req.message !== undefined) out.message = req.message;
  if (req.info !== undefined) out.info = req.info;
  return out;
}

/** Jittered exponential backoff so contending writers spread out. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(50, 2 ** Math.min(attempt, 6)) * Math.random();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `diff(a, b)` from a change record, when one of the two is the other's first parent (a copy). */
function recordedBetween(a: Commit, b: Commit): KeyDiff[] | undefined {
  const forward = recordedSince(a.id, b);
  if (forward) return forward.slice();
  const backward = recordedSince(b.id, a);
  return backward && reversedChanges(backward);
}

/**
 * `commit`'s change record when it is the diff from `base` (its first parent). Parents
 * are checked first: a record is decoded (and a damaged one reported) only when it answers.
 */
function recordedSince(base: string | undefined, commit: Commit): readonly KeyDiff[] | undefined {
  return base !== undefined && commit.parents[0] === base ? commit.changes : undefined;
}
