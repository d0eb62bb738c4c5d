// Shared by the profiling probes: runs `work` under V8's sampling profiler (in-process,
// 50 µs interval) and prints the functions with the most self time, and on request who
// calls one of them. Not a probe itself.
import { Session } from "node:inspector/promises";

type ProfileNode = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };

export async function printSelfTime(work: () => Promise<void>, opts: { top?: number; callersOf?: string } = {}): Promise<void> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 50 });
  await session.post("Profiler.start");
  await work();
  const { profile } = await session.post("Profiler.stop");
  const nodes = profile.nodes as ProfileNode[];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const self = new Map<string, number>();
  let total = 0;
  samples.forEach((id, i) => {
    const { callFrame: f } = byId.get(id)!;
    const name = `${f.functionName || "(anon)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + (deltas[i] ?? 0));
    total += deltas[i] ?? 0;
  });
  const share = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  // "dispatch" called from "post" is the profiler stopping, not the work.
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, opts.top ?? 25)) console.log(`${share(us)}  ${name}`);
  if (!opts.callersOf) return;
  const parent = new Map<number, number>();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const chains = new Map<string, number>();
  samples.forEach((id, i) => {
    if (byId.get(id)!.callFrame.functionName !== opts.callersOf) return;
    const names: string[] = [];
    for (let p = parent.get(id); p !== undefined && names.length < 4; p = parent.get(p)) names.push(byId.get(p)!.callFrame.functionName || "(anon)");
    const chain = names.join(" < ");
    chains.set(chain, (chains.get(chain) ?? 0) + (deltas[i] ?? 0));
  });
  for (const [chain, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${share(us)}  ${opts.callersOf} < ${chain}`);
}
