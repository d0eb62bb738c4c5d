import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Starts `node --import tsx <script> ...args` from the repository root. */
export function spawnScript(script: URL, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", fileURLToPath(script), ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
}

/** Runs a script to completion; resolves its stdout, rejects with its stderr if it fails. */
export function runScript(script: URL, args: string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnScript(script, args, options);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${fileURLToPath(script)} exited with ${code ?? signal}: ${err.slice(-2000)}`));
    });
  });
}
