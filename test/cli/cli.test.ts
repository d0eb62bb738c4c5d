import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { store } from "kvgit";
import { ROOT } from "../support/spawn.ts";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "kvgit-cli-"));
const path = join(dir, "store");
let first = "";

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  const s = await store({ kind: "disk", path });
  s.user = { name: "alice" };
  s["cfg/mode"] = "fast";
  first = (await s.commit({ message: "seed" })).commit;
  const dev = await s.createBranch("dev");
  dev.flag = true;
  await dev.commit({ message: "flag on dev" });
  await s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("kvgit CLI", () => {
  it("log, branches, keys, get, show and diff print what the store holds", async () => {
    const log = await cli("log", "--store", path);
    expect(log.code).toBe(0);
    expect(log.stdout).toContain("seed");
    const branches = await cli("branches", "--store", path, "--json");
    expect(JSON.parse(branches.stdout).map((b: { name: string }) => b.name)).toEqual(["dev", "main"]);
    expect((await cli("keys", "--store", path, "--prefix", "cfg/")).stdout.trim()).toBe("cfg/mode");
    expect(JSON.parse((await cli("get", "user", "--store", path, "--json")).stdout)).toEqual({ name: "alice" });
    expect((await cli("get", "flag", "--store", path, "--branch", "dev")).stdout.trim()).toBe("true");
    const show = await cli("show", "dev", "--store", path);
    expect(show.stdout).toContain("+ flag");
    expect(JSON.parse((await cli("diff", first, "dev", "--store", path, "--json")).stdout)).toEqual({ added: ["flag"], removed: [], modified: [] });
    expect((await cli("get", "user", "--at", first.slice(0, 8), "--store", path)).stdout).toContain("alice");
  });

  it("reads a store with the codec it records; --codec must match it", async () => {
    const sjPath = join(dir, "superjson-store");
    const s = await store({ kind: "disk", path: sjPath, codec: "superjson" });
    s.when = new Date(0);
    await s.commit();
    await s.close();
    const got = await cli("get", "when", "--store", sjPath);
    expect(got.code).toBe(0);
    expect(got.stdout).toContain("1970-01-01T00:00:00.000Z");
    const wrong = await cli("get", "when", "--store", sjPath, "--codec", "json", "--json");
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).error.code).toBe("CODEC");
    expect((await cli("get", "when", "--store", sjPath, "--codec", "nope")).code).toBe(2);
  });

  it("merge, verify and gc maintain the store", async () => {
    const merged = await cli("merge", "dev", "--store", path, "--json");
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout).strategy).toBe("fast_forward");
    const verify = await cli("verify", "--store", path);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("ok");
    const gc = await cli("gc", "--store", path, "--min-age", "0", "--json");
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout)).toHaveProperty("deleted");
  });

  it("reports bad usage with exit code 2 and errors with exit code 1, writing nothing", async () => {
    expect((await cli("frobnicate", "--store", path)).code).toBe(2);
    expect((await cli("get", "--store", path)).code).toBe(2);
    const missing = await cli("get", "nope", "--store", path);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nope");
    const missingJson = await cli("get", "nope", "--store", path, "--json");
    expect(missingJson.code).toBe(1);
    expect(JSON.parse(missingJson.stdout).error).toMatchObject({ code: "KEY_NOT_FOUND", data: { key: "nope" } });
    const unknownOption = await cli("log", "--store", path, "--namespace", "other");
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("--namespace");
    const badRef = await cli("show", "no-such-ref", "--store", path);
    expect(badRef.code).toBe(1);
    expect(badRef.stderr).toContain("BAD_REF");
    const empty = join(dir, "empty");
    const none = await cli("log", "--store", empty);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no kvgit store/);
    const noBranch = await cli("log", "--store", path, "--branch", "ghost");
    expect(noBranch.code).toBe(1);
    expect((await cli("branches", "--store", path, "--json")).stdout).not.toContain("ghost");
  });
});
