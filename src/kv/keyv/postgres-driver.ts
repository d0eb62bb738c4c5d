import { chunks, dedupe, redactUrl, type KeyvDriver } from "./driver.ts";

/** What @keyv/postgres exposes: `query(sql, values) => rows` and its table options. */
export interface PostgresLikeAdapter {
  query: (sql: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>;
  opts: { dialect?: string; table?: string; schema?: string; uri?: string };
}

export function isPostgresAdapter(adapter: unknown): adapter is PostgresLikeAdapter {
  const a = adapter as Partial<PostgresLikeAdapter> | null;
  return typeof a?.query === "function" && a.opts?.dialect === "postgres" && typeof a.opts.table === "string";
}

const BATCH = 1_000;

/**
 * Native operations on the adapter's own table. CAS is one statement: a conditional
 * `UPDATE ... WHERE value = $expected` (row-locked; a concurrent winner makes it match
 * nothing) or `INSERT ... ON CONFLICT DO NOTHING` when the key must be absent.
 */
export class PostgresDriver implements KeyvDriver {
  readonly kind = "postgres";
  readonly atomicCas = true;
  readonly address: string;
  private readonly table: string;

  constructor(
    private readonly adapter: PostgresLikeAdapter,
    /** For a pool kvgit made itself: create the table @keyv/postgres would, and end the pool on close. */
    private readonly own?: { end: () => Promise<void> },
  ) {
    const { schema = "public", table = "keyv", uri } = adapter.opts;
    // The adapter names its table unquoted in its own queries; do the same to hit that table.
    this.table = `${schema}.${table}`;
    this.address = uri ? redactUrl(uri) : "postgres";
  }

  private q(sql: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    return this.adapter.query(sql, values);
  }

  async ping(): Promise<void> {
    const rows = await this.q("SELECT 1 AS one");
    if (Number(rows[0]?.one) !== 1) throw new Error("unexpected reply to SELECT 1");
    if (this.own) {
      try {
        await this.q(`CREATE TABLE IF NOT EXISTS ${this.table}(key VARCHAR(255) PRIMARY KEY, value TEXT)`);
      } catch (err) {
        if ((err as { code?: string }).code !== "23505") throw err; // another process created it at the same time
      }
    }
  }

  async get(key: string): Promise<unknown> {
    const rows = await this.q(`SELECT value FROM ${this.table} WHERE key = $1`, [key]);
    return rows[0]?.value ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    const found = new Map<string, unknown>();
    await Promise.all(
      chunks(keys, BATCH * 5).map(async (c) => {
        for (const r of await this.q(`SELECT key, value FROM ${this.table} WHERE key = ANY($1)`, [c])) found.set(String(r.key), r.value);
      }),
    );
    return keys.map((k) => found.get(k));
  }

  async setMany(entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
    // Rows are locked in key order, so concurrent writers of overlapping keys (identical
    // content-addressed objects) never deadlock each other.
    const sorted = [...dedupe(entries)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const c of chunks(sorted, BATCH * 5)) {
      await this.q(
        `INSERT INTO ${this.table} (key, value) SELECT * FROM UNNEST($1::text[], $2::text[])
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [c.map((e) => e[0]), c.map((e) => e[1])],
      );
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    const sorted = [...keys].sort();
    for (const c of chunks(sorted, BATCH * 5)) await this.q(`DELETE FROM ${this.table} WHERE key = ANY($1)`, [c]);
  }

  async has(key: string): Promise<boolean> {
    return (await this.q(`SELECT 1 FROM ${this.table} WHERE key = $1`, [key])).length > 0;
  }

  async *scan(prefix: string): AsyncIterable<string[]> {
    // '!' as the LIKE escape character works whatever standard_conforming_strings says.
    const pattern = prefix.replace(/[!%_]/g, "!$&") + "%";
    let after: string | undefined;
    for (;;) {
      const rows =
        after === undefined
          ? await this.q(`SELECT key FROM ${this.table} WHERE key LIKE $1 ESCAPE '!' ORDER BY key LIMIT ${BATCH}`, [pattern])
          : await this.q(`SELECT key FROM ${this.table} WHERE key LIKE $1 ESCAPE '!' AND key > $2 ORDER BY key LIMIT ${BATCH}`, [pattern, after]);
      const keys = rows.map((r) => String(r.key));
      if (keys.length > 0) yield keys;
      if (keys.length < BATCH) return;
      after = keys[keys.length - 1];
    }
  }

  async cas(key: string, value: string, expected: string | undefined): Promise<boolean> {
    const rows =
      expected === undefined
        ? await this.q(`INSERT INTO ${this.table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`, [key, value])
        : await this.q(`UPDATE ${this.table} SET value = $2 WHERE key = $1 AND value = $3 RETURNING key`, [key, value, expected]);
    return rows.length === 1;
  }

  async casDelete(key: string, expected: string): Promise<boolean> {
    // Row-locked like the conditional UPDATE: a concurrent change makes it match nothing.
    return (await this.q(`DELETE FROM ${this.table} WHERE key = $1 AND value = $2 RETURNING key`, [key, expected])).length === 1;
  }

  async close(): Promise<void> {
    // A user's @keyv/postgres adapter is left alone: it keeps one module-wide pool and its
    // disconnect() ends whichever pool is current, possibly another store's.
    await this.own?.end();
  }
}
