import { store } from "../api/store.ts";
import { codecNames, type CodecName } from "../codec/resolve-codec.ts";
import type { Store } from "../api/staged.ts";
import type { CommitInfo } from "../api/store-context.ts";
import { KeyError } from "../errors.ts";
import { flag, intFlag, UsageError, type CliArgs } from "./args.ts";
import { show, type Output } from "./output.ts";

export const USAGE = `usage: kvgit <command> --store <dir|redis://...|postgres://...> [--branch b] [--codec c] [--json]

commands:
  log [--limit n] [--all]          commits of the branch, newest first (--all: every parent)
  branches                         branches and their heads
  show <ref>                       a commit and what it changed
  get <key> [--at ref]             one value
  keys [--at ref] [--prefix p]     keys, ascending
  diff <a> <b>                     keys added, removed and modified from a to b
  merge <source> [--into b]        merge a branch or commit into b (default: --branch)
  gc [--min-age ms]                remove objects no branch reaches (default age guard 1 h)
  verify                           walk every branch and re-hash every object

--codec (msgpack, superjson, json, bytes) is only needed for a store that does not record
its codec (made before kvgit recorded codecs); otherwise the recorded one is used.
refs: a branch, a commit id, a unique id prefix of 7+ characters, with ~N for ancestors.
Reading commands never write; exit code 1 on an error, 2 on bad usage.`;

type Command = (s: Store, args: CliArgs, out: Output) => Promise<number | void>;

export const COMMANDS: Record<string, { write: boolean; run: Command }> = {
  log: { write: false, run: log },
  branches: { write: false, run: branches },
  show: { write: false, run: showCommit },
  get: { write: false, run: get },
  keys: { write: false, run: keys },
  diff: { write: false, run: diff },
  merge: { write: true, run: merge },
  gc: { write: true, run: gc },
  verify: { write: false, run: verify },
};

export async function openStore(args: CliArgs, branch?: string): Promise<Store> {
  const url = flag(args, "store") ?? process.env.KVGIT_STORE;
  if (!url) throw new UsageError("--store is required (a directory, redis://... or postgres://...), or set KVGIT_STORE");
  const codec = flag(args, "codec");
  if (codec !== undefined && !(codecNames as readonly string[]).includes(codec)) {
    throw new UsageError(`--codec must be one of ${codecNames.join(", ")}, got ${JSON.stringify(codec)} (a custom codec can only be used from code)`);
  }
  return store({ url, branch: branch ?? flag(args, "branch") ?? "main", create: false, ...(codec ? { codec: codec as CodecName } : {}) });
}

function need(args: CliArgs, n: number, what: string): string[] {
  if (args.positional.length < n) throw new UsageError(`${args.command} needs ${what}`);
  return args.positional;
}

function commitLine(c: CommitInfo): string {
  const when = new Date(c.time).toISOString().replace("T", " ").slice(0, 19);
  const merge = c.parents.length > 1 ? " (merge)" : "";
  return `${c.id.slice(0, 12)}  ${when}  ${c.message ?? ""}${merge}`;
}

async function log(s: Store, args: CliArgs, out: Output) {
  const commits = await s.log({ limit: intFlag(args, "limit"), allParents: args.flags.has("all") });
  out.result(commits, () => commits.forEach((c) => out.line(commitLine(c))));
}

async function branches(s: Store, _args: CliArgs, out: Output) {
  const names = await s.listBranches();
  const heads = await Promise.all(names.map(async (name) => ({ name, head: (await s.commitInfo(name)).id })));
  out.result(heads, () => heads.forEach((b) => out.line(`${b.name === s.currentBranch ? "*" : " "} ${b.name}  ${b.head.slice(0, 12)}`)));
}

async function showCommit(s: Store, args: CliArgs, out: Output) {
  const [ref] = need(args, 1, "a ref");
  const info = await s.commitInfo(ref);
  const changes = info.parents.length > 0 ? await s.diff(info.parents[0], info.id) : { added: await (await s.at(info.id)).keys(), removed: [], modified: [] };
  out.result({ ...info, changes }, () => {
    out.line(`commit ${info.id}`);
    if (info.parents.length) out.line(`parents ${info.parents.join(" ")}`);
    out.line(`time   ${new Date(info.time).toISOString()}`);
    if (info.message !== undefined) out.line(`\n    ${info.message}\n`);
    if (info.info !== undefined) out.line(`info   ${show(info.info)}`);
    for (const k of changes.added) out.line(`+ ${k}`);
    for (const k of changes.removed) out.line(`- ${k}`);
    for (const k of changes.modified) out.line(`M ${k}`);
  });
}

async function get(s: Store, args: CliArgs, out: Output) {
  const [key] = need(args, 1, "a key");
  const at = flag(args, "at");
  const view = at === undefined ? undefined : await s.at(at);
  const present = view ? await view.has(key) : s.has(key);
  if (!present) throw new KeyError(key, `key ${JSON.stringify(key)} is not in ${at ?? s.currentBranch}`);
  const value = view ? await view.get(key) : s.get(key);
  out.result(value);
}

async function keys(s: Store, args: CliArgs, out: Output) {
  const at = flag(args, "at");
  const prefix = flag(args, "prefix") ?? "";
  const list = at === undefined ? s.keys(prefix) : await (await s.at(at)).keys(prefix);
  out.result(list, () => list.forEach((k) => out.line(k)));
}

async function diff(s: Store, args: CliArgs, out: Output) {
  const [a, b] = need(args, 2, "two refs");
  const d = await s.diff(a, b);
  out.result(d, () => {
    for (const k of d.added) out.line(`+ ${k}`);
    for (const k of d.removed) out.line(`- ${k}`);
    for (const k of d.modified) out.line(`M ${k}`);
  });
}

async function merge(s: Store, args: CliArgs, out: Output) {
  const [source] = need(args, 1, "a source branch or commit");
  const r = await s.merge(source);
  out.result(r, () => out.line(`${r.strategy}: ${s.currentBranch} is now ${r.commit.slice(0, 12)} (${r.carriedKeys.length} keys brought in, ${r.autoMergedKeys.length} auto-merged)`));
}

async function gc(s: Store, args: CliArgs, out: Output) {
  const minAgeMs = intFlag(args, "min-age");
  let bytes = 0;
  const deleted = await s.cleanOrphans({
    ...(minAgeMs !== undefined ? { minAgeMs } : {}),
    onProgress: (p) => {
      bytes = p.bytesReclaimed;
      out.progress(`gc: ${p.phase}  listed ${p.listed}  marked ${p.marked}  swept ${p.swept}`);
    },
  });
  out.endProgress();
  out.result({ deleted, bytesReclaimed: bytes }, () => out.line(`removed ${deleted} unreachable objects (${bytes} bytes)`));
}

async function verify(s: Store, _args: CliArgs, out: Output) {
  const report = await s.verify({ onProgress: (n) => out.progress(`verify: ${n} objects checked`) });
  out.endProgress();
  out.result(report, () => {
    out.line(`${report.commits} commits, ${report.nodes} index nodes, ${report.values} values checked`);
    for (const p of report.problems) out.line(`damaged: ${p}`);
    out.line(report.ok ? "ok" : `${report.problems.length} problem(s)`);
  });
  return report.ok ? 0 : 1;
}
