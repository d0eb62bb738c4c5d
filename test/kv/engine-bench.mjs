// Measures the candidate embedded engines for the disk backend (docs/backends.md).
// Not part of the test run. The candidates other than the chosen one are not dependencies:
//   npm install --no-save better-sqlite3@12 classic-level   (lmdb is a devDependency)
//   node --import tsx test/kv/engine-bench.mjs [engine-name-prefix]
// Every write is durable when it returns (fsync on commit), as the disk backend requires.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const N = 10_000;
const key = (i) => "o/" + createHash("sha256").update(String(i)).digest("hex");
const value = (i, size) => {
  const b = Buffer.alloc(size);
  for (let j = 0; j < size; j++) b[j] = (i * 31 + j) & 255;
  return b;
};

async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

function rng(seed) {
  let x = seed;
  return () => (x = (x * 48271) % 2147483647);
}

async function bench(name, make, size) {
  const dir = mkdtempSync(join(tmpdir(), "kvbench-"));
  const s = await make(dir);
  const keys = Array.from({ length: N }, (_, i) => key(i));
  const r = {};
  // setMany: 100 batches of 100 entries
  r.setMany_ms_per_100 =
    (await time(async () => {
      for (let b = 0; b < N / 100; b++) {
        const entries = [];
        for (let i = b * 100; i < (b + 1) * 100; i++) entries.push([keys[i], value(i, size)]);
        await s.setMany(entries);
      }
    })) /
    (N / 100);
  const next = rng(42);
  const G = 20_000;
  r.get_ops_per_s = Math.round(
    G /
      ((await time(async () => {
        for (let g = 0; g < G; g++) if (!(await s.get(keys[next() % N]))) throw new Error("miss");
      })) /
        1000),
  );
  r.getMany_ms_per_100 =
    (await time(async () => {
      for (let b = 0; b < 200; b++) {
        const ks = [];
        for (let j = 0; j < 100; j++) ks.push(keys[next() % N]);
        const m = await s.getMany(ks);
        if (m.size === 0) throw new Error("miss");
      }
    })) / 200;
  const C = 1000;
  let cur = undefined;
  r.cas_ops_per_s = Math.round(
    C /
      ((await time(async () => {
        for (let c = 0; c < C; c++) {
          const v = value(c, size);
          if (!(await s.cas("head/main", v, cur))) throw new Error("cas lost");
          cur = v;
        }
      })) /
        1000),
  );
  await s.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ engine: name, value_bytes: size, ...r }));
}

const engines = {
  // The shipped backend, through the KVStore interface (async calls, key encoding, copies).
  async "kvgit DiskStore"(dir) {
    const { DiskStore } = await import("../../src/kv/disk-store.ts");
    return DiskStore.open(dir);
  },
  async lmdb(dir) {
    const { open } = await import("lmdb");
    // overlappingSync off: the fsync happens inside the commit, so a write is durable on return
    const db = open({ path: dir, encoding: "binary", compression: false, overlappingSync: false });
    return {
      get: async (k) => {
        db.resetReadTxn(); // see writes other processes committed since the last call
        return db.getBinary(k);
      },
      getMany: async (ks) => {
        const m = new Map();
        db.resetReadTxn();
        for (const k of ks) {
          const v = db.getBinary(k);
          if (v !== undefined) m.set(k, v);
        }
        return m;
      },
      setMany: async (entries) =>
        db.transactionSync(() => {
          for (const [k, v] of entries) db.putSync(k, v);
        }),
      cas: async (k, v, exp) =>
        db.transactionSync(() => {
          const cur = db.getBinary(k);
          if (exp === undefined ? cur !== undefined : cur === undefined || !cur.equals(exp)) return false;
          db.putSync(k, v);
          return true;
        }),
      close: () => db.close(),
    };
  },
  ...Object.fromEntries(
    ["FULL", "NORMAL"].map((sync) => [
      `better-sqlite3 (WAL, synchronous=${sync})`,
      async (dir) => {
        const { default: Database } = await import("better-sqlite3");
        const db = new Database(join(dir, "kv.sqlite"));
        db.pragma("journal_mode = WAL");
        db.pragma(`synchronous = ${sync}`);
        db.exec("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB NOT NULL)");
        const get = db.prepare("SELECT v FROM kv WHERE k = ?").pluck();
        const put = db.prepare("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v");
        const upd = db.prepare("UPDATE kv SET v = ? WHERE k = ? AND v = ?");
        const ins = db.prepare("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT DO NOTHING");
        const many = db.transaction((entries) => {
          for (const [k, v] of entries) put.run(k, v);
        });
        const readMany = db.transaction((ks) => {
          const m = new Map();
          for (const k of ks) {
            const v = get.get(k);
            if (v !== undefined) m.set(k, v);
          }
          return m;
        });
        return {
          get: async (k) => get.get(k),
          getMany: async (ks) => readMany(ks),
          setMany: async (e) => many(e),
          cas: async (k, v, exp) => (exp === undefined ? ins.run(k, v) : upd.run(v, k, exp)).changes === 1,
          close: async () => db.close(),
        };
      },
    ]),
  ),
  async "classic-level (single process only)"(dir) {
    const { ClassicLevel } = await import("classic-level");
    const db = new ClassicLevel(dir, { keyEncoding: "utf8", valueEncoding: "buffer" });
    await db.open();
    let lock = Promise.resolve();
    return {
      get: async (k) => db.get(k),
      getMany: async (ks) => {
        const vs = await db.getMany(ks);
        const m = new Map();
        ks.forEach((k, i) => vs[i] !== undefined && m.set(k, vs[i]));
        return m;
      },
      setMany: (e) => db.batch(e.map(([key, value]) => ({ type: "put", key, value })), { sync: true }),
      cas: (k, v, exp) =>
        (lock = lock.then(async () => {
          const cur = await db.get(k);
          if (exp === undefined ? cur !== undefined : cur === undefined || !cur.equals(exp)) return false;
          await db.put(k, v, { sync: true });
          return true;
        })),
      close: () => db.close(),
    };
  },
};

const only = process.argv[2];
for (const [name, make] of Object.entries(engines)) {
  if (only && !name.startsWith(only)) continue;
  for (const size of [100, 1000]) {
    try {
      await bench(name, make, size);
    } catch (e) {
      console.log(JSON.stringify({ engine: name, error: String(e) }));
    }
  }
}
