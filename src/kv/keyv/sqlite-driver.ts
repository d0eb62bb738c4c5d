import { chunks, dedupe, type KeyvDriver } from "./driver.ts";

/** What @keyv/sqlite exposes: `query(sql, ...params) => rows` and its table options. */
interface SqliteLikeAdapter {
  query: (sql: string, ...params: unknown[]) => Promise<Array<Record<string, unknown>>>;
  opts: { dialect?: string; table?: string; db?: string };
  disconnect?: () => Promise<unknown>;
}

export function isSqliteAdapter(adapter: unknown): adapter is SqliteLikeAdapter {
  const a = adapter as Partial<SqliteLikeAdapter> | null;
  return typeof a?.query === "function" && a.opts?.dialect === "sqlite" && typeof a.opts.table === "string";
}

const BATCH = 5_000;

/**
 * Native operations on the adapter's table. Every operation is one SQL statement, so it is
 * atomic even with other processes on the same file; CAS is a conditional
 * `UPDATE ... WHERE value = ?` or `INSERT ... ON CONFLICT DO NOTHING`, with RETURNING
 * telling whether a row changed.
 */
export class SqliteDriver implements KeyvDriver {
  readonly kind = "sqlite";
  readonly atomicCas = true;
  readonly address: string;
  private readonly table: string;

  constructor(
    private readonly adapter: SqliteLikeAdapter,
    private readonly owned: boolean,
  ) {
    this.table = adapter.opts.table!; // the adapter already reduced it to [A-Za-z0-9_]
    this.address = `sqlite://${adapter.opts.db ?? ""}`;
  }

  private q(sql: string, ...params: unknown[]): Promise<Array<Record<string, unknown>>> {
    return this.adapter.query(sql, ...params);
  }

  async ping(): Promise<void> {
    const rows = await this.q("SELECT 1 AS one");
    if (Number(rows[0]?.one) !== 1) throw new Error("unexpected reply to SELECT 1");
  }

  async get(key: string): Promise<unknown> {
    const rows = await this.q(`SELECT value FROM ${this.table} WHERE key = ?`, key);
    return rows[0]?.value ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    const found = new Map<string, unknown>();
    for (const c of chunks(keys, BATCH)) {
      const rows = await this.q(`SELECT key, value FROM ${this.table} WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(c));
      for (const r of rows) found.set(String(r.key), r.value);
    }
    return keys.map((k) => found.get(k));
  }

  async setMany(entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
    for (const c of chunks(dedupe(entries), BATCH)) {
      // "WHERE true" resolves SQLite's parsing ambiguity between SELECT ... ON and ON CONFLICT.
      await this.q(
        `INSERT INTO ${this.table} (key, value)
         SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]') FROM json_each(?) AS j WHERE true
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        JSON.stringify(c),
      );
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const c of chunks(keys, BATCH)) {
      await this.q(`DELETE FROM ${this.table} WHERE key IN (SELECT value FROM json_each(?))`, JSON.stringify(c));
    }
  }

  async has(key: string): Promise<boolean> {
    return (await this.q(`SELECT 1 AS one FROM ${this.table} WHERE key = ?`, key)).length > 0;
  }

  async *scan(prefix: string): AsyncIterable<string[]> {
    // SQLite's LIKE ignores ASCII case, so compare the leading characters instead.
    const chars = [...prefix].length;
    let after: string | undefined;
    for (;;) {
      const rows =
        after === undefined
          ? await this.q(`SELECT key FROM ${this.table} WHERE key >= ? AND substr(key, 1, ?) = ? ORDER BY key LIMIT ${BATCH}`, prefix, chars, prefix)
          : await this.q(`SELECT key FROM ${this.table} WHERE key > ? AND substr(key, 1, ?) = ? ORDER BY key LIMIT ${BATCH}`, after, chars, prefix);
      const keys = rows.map((r) => String(r.key));
      if (keys.length > 0) yield keys;
      if (keys.length < BATCH) return;
      after = keys[keys.length - 1];
    }
  }

  async cas(key: string, value: string, expected: string | undefined): Promise<boolean> {
    const rows =
      expected === undefined
        ? await this.q(`INSERT INTO ${this.table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING RETURNING key`, key, value)
        : await this.q(`UPDATE ${this.table} SET value = ? WHERE key = ? AND value = ? RETURNING key`, value, key, expected);
    return rows.length === 1;
  }

  async casDelete(key: string, expected: string): Promise<boolean> {
    return (await this.q(`DELETE FROM ${this.table} WHERE key = ? AND value = ? RETURNING key`, key, expected)).length === 1;
  }

  async close(): Promise<void> {
    if (this.owned && typeof this.adapter.disconnect === "function") await this.adapter.disconnect();
  }
}
