/** Facts about the library build and the machine, for the result file. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface ImplInfo {
  impl: "typescript";
  library: "kvgit";
  library_version: string;
  library_commit: string | null;
  /** Whether the checkout had uncommitted changes (the commit alone does not say what ran). */
  library_dirty: boolean | null;
  runtime: string;
  codec: string;
}

export interface MachineInfo {
  nproc: number;
  cpu_model: string;
  mem_total_gib: number;
  os: string;
  tmpdir: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export function implInfo(codec: string): ImplInfo {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const status = git(["status", "--porcelain"]);
  return {
    impl: "typescript",
    library: "kvgit",
    library_version: pkg.version,
    library_commit: git(["rev-parse", "HEAD"]),
    library_dirty: status === null ? null : status.length > 0,
    runtime: `node ${process.version}`,
    codec,
  };
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    nproc: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    cpu_model: cpus[0]?.model?.trim() ?? "unknown",
    mem_total_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    tmpdir: os.tmpdir(),
  };
}
