import { readFile, stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * LMDB takes a shared fcntl lock on byte 0 of lock.mdb and would block forever (no timeout)
 * if another process held an exclusive one there. LMDB itself only holds it exclusively for
 * an instant while it sets up a new environment, so an exclusive lock that persists means a
 * foreign locker. Linux lists POSIX locks in /proc/locks; elsewhere this returns undefined.
 *
 * Returns the pid of a process holding such a lock for longer than `graceMs`.
 */
export async function findForeignExclusiveLock(lockFile: string, graceMs = 1_500): Promise<number | undefined> {
  if (process.platform !== "linux") return undefined;
  let id: string;
  try {
    const st = await stat(lockFile, { bigint: true });
    id = `${hex(devMajor(st.dev))}:${hex(devMinor(st.dev))}:${st.ino}`;
  } catch {
    return undefined; // no lock file yet: nobody has the store open
  }
  const deadline = Date.now() + graceMs;
  for (;;) {
    const pid = await exclusiveHolder(id);
    if (pid === undefined || Date.now() >= deadline) return pid;
    await sleep(50);
  }
}

async function exclusiveHolder(fileId: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile("/proc/locks", "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    // "1: POSIX  ADVISORY  WRITE 3773 fe:00:1474687 0 EOF"; waiting requests have "->".
    const f = line.trim().split(/\s+/);
    if (f[1] === "->" || f.length < 8) continue;
    const [, kind, , mode, pid, file, start] = f;
    if ((kind === "POSIX" || kind === "OFDLCK") && mode === "WRITE" && start === "0" && sameFile(file, fileId)) {
      const n = Number(pid);
      if (n !== process.pid) return n;
    }
  }
  return undefined;
}

function sameFile(a: string, b: string): boolean {
  // /proc/locks pads nothing, but compare numerically to be safe about leading zeros.
  const pa = a.split(":");
  const pb = b.split(":");
  return pa.length === 3 && parseInt(pa[0], 16) === parseInt(pb[0], 16) && parseInt(pa[1], 16) === parseInt(pb[1], 16) && pa[2] === pb[2];
}

function devMajor(dev: bigint): bigint {
  return ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
}

function devMinor(dev: bigint): bigint {
  return (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
}

function hex(n: bigint): string {
  return n.toString(16).padStart(2, "0");
}
