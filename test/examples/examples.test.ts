/**
 * Runs every program in examples/ as a child process (`node --import tsx examples/x.ts`, from
 * the repository root, as a user would) and checks it exits 0 and prints what it promises,
 * so the examples cannot rot. A new example must get an entry in EXPECTED.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it, type ExpectStatic } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLES = fileURLToPath(new URL("../../examples/", import.meta.url));

/** Lines (or patterns) each example's output must contain, in this order. */
const EXPECTED: Record<string, (string | RegExp)[]> = {
  "quickstart.ts": [
    /^committed [0-9a-f]{12} \(fast_forward\): keys \["score","user","visits"\]$/,
    "main.score = 0, dev.score = 999",
    'second writer: three_way, auto-merged ["visits"], visits = 3',
    "after merging dev: score = 999",
  ],
  "agent-memory.ts": [
    "step 2: likes = [\"tea\",\"chess\"]",
    "step 3 (bad): userName = <script>alert(1)</script>, timezone = (gone)",
    'bad step changed {"added":[],"removed":["agent/facts/timezone"],"modified":["agent/facts/userName","agent/scratch/plan"]}',
    "before the bad step: userName = Ada",
    "rolled back: true; userName = Ada, timezone = Europe/London, plan = suggest a chess opening",
    'memory keys: ["facts/likes","facts/timezone","facts/userName","scratch/plan"]',
  ],
  "feature-flags.ts": [
    'review: {"added":[],"removed":[],"modified":["flags/banner","flags/checkoutRolloutPercent","flags/newCheckout"]}',
    "conflict on flags/checkoutRolloutPercent: base 0, ours -1, theirs 25",
    'merge refused: MERGE_CONFLICT on ["flags/checkoutRolloutPercent"]; main still at percent = -1',
    'merged (three_way): {"banner":"Try our new checkout!","checkoutRolloutPercent":-1,"darkMode":true,"newCheckout":true}',
    /^merge commit [0-9a-f]{10} "merge rollout, keep the freeze" has 2 parents$/,
    'branches after cleanup: ["main"]',
  ],
  "counters.ts": [
    '4 workers; hits/home merges as "counter"',
    /^commits by strategy: .*"three_way":\d+/,
    'counts: {"home":34,"pricing":33,"docs":33}',
    "total = 100 (expected 100)",
  ],
  "time-travel.ts": [
    "main~1 is tuesday: true; prefix",
    'monday: {"price/apple":1.2,"price/pear":0.9}',
    'diff monday..main: {"added":["price/plum"],"removed":["price/pear"],"modified":["price/apple"]}',
    "price/apple changed in: wednesday, tuesday, monday",
    "price/pear changed in: wednesday, monday",
    "thursday's root equals monday's: true",
    /^proof of price\/apple = 1\.25 at root [0-9a-f]{10}: valid true$/,
    "tampered proof (value 0.01): valid false",
    "absence proof of price/plum on monday: present false, valid true",
  ],
  "custom-content-type.ts": [
    'phone: cart/ada merges with "shopping-cart"',
    'phone commit: three_way, auto-merged ["cart/ada"]',
    'cart/ada = {"apple":3,"milk":1,"bread":1}',
    'merge promo: three_way, auto-merged ["cart/ada"]',
    'cart/ada = {"apple":1,"milk":1,"bread":1,"free-gift":1}',
  ],
};

function run(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", `examples/${file}`], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Each expected line must appear in order (a string matches a line it starts with). */
function expectLinesInOrder(expect: ExpectStatic, stdout: string, expected: (string | RegExp)[]): void {
  const lines = stdout.split("\n");
  let from = 0;
  for (const want of expected) {
    const i = lines.findIndex((line, n) => n >= from && (typeof want === "string" ? line.startsWith(want) : want.test(line)));
    expect(i, `expected a line ${String(want)} after line ${from} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
    from = i + 1;
  }
}

const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".ts")).sort();

describe("examples", () => {
  it("has an expectation for every example and an example for every expectation", () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    it.concurrent(`${file} runs and prints what it promises`, async ({ expect }) => {
      const { code, stdout, stderr } = await run(file);
      expect(stderr, `stderr of ${file}`).toBe("");
      expect(code, `exit code of ${file}\n${stdout}`).toBe(0);
      expectLinesInOrder(expect, stdout, EXPECTED[file] ?? []);
    });
  }
});
