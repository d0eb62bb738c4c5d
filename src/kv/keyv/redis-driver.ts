import { createHash } from "node:crypto";
import { chunks, dedupe, redactUrl, type KeyvDriver } from "./driver.ts";

/** A node-redis (`sendCommand(args)`) or ioredis/iovalkey (`call(cmd, ...args)`) client. */
interface RedisLikeClient {
  sendCommand?: (args: string[]) => Promise<unknown>;
  call?: (command: string, ...args: string[]) => Promise<unknown>;
  connect?: () => Promise<unknown>;
  destroy?: () => void;
  isOpen?: boolean;
  isReady?: boolean;
  slots?: unknown;
  options?: { url?: string; socket?: { host?: string; port?: number } };
}

interface RedisLikeAdapter {
  client?: RedisLikeClient;
  namespace?: string;
  createKeyPrefix?: (key: string, namespace?: string) => string;
  disconnect?: () => Promise<unknown>;
}

// Compare-and-swap on the server: ARGV[1] "1" if a value is expected, ARGV[2] the expected
// text, ARGV[3] the new text. GET of an absent key gives false in Lua.
const CAS_SCRIPT = `local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if cur ~= ARGV[2] then return 0 end
elseif cur then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
return 1`;
const CAS_SHA = createHash("sha1").update(CAS_SCRIPT).digest("hex");
// Compare-and-delete: ARGV[1] the expected text.
const CAS_DELETE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;
const CAS_DELETE_SHA = createHash("sha1").update(CAS_DELETE_SCRIPT).digest("hex");

const BATCH = 1_000;

/** A client that can send raw commands to a single Redis server (not a cluster). */
export function redisClientOf(adapter: unknown): RedisLikeClient | undefined {
  const client = (adapter as RedisLikeAdapter | null)?.client;
  if (client === null || typeof client !== "object") return undefined;
  if (typeof client.call !== "function" && typeof client.sendCommand !== "function") return undefined;
  if (client.slots !== undefined) return undefined; // a cluster spreads keys over nodes
  return client;
}

export class RedisDriver implements KeyvDriver {
  readonly kind = "redis";
  readonly atomicCas = true;
  readonly address: string;
  private readonly adapterKey: (k: string) => string;
  private readonly strip: number;
  private connecting: Promise<unknown> | undefined;

  constructor(
    private readonly adapter: RedisLikeAdapter,
    private readonly client: RedisLikeClient,
    private readonly owned: boolean,
  ) {
    const url = client.options?.url;
    const sock = client.options?.socket;
    this.address = url ? redactUrl(url) : sock?.host ? `redis://${sock.host}:${sock.port ?? 6379}` : "redis";
    // The adapter may add its own namespace prefix ("ns::key"); mirror it exactly.
    const mk = adapter.createKeyPrefix;
    this.adapterKey = typeof mk === "function" ? (k) => mk.call(adapter, k, adapter.namespace) : (k) => k;
    this.strip = this.adapterKey("").length;
  }

  private async exec(args: string[]): Promise<unknown> {
    const c = this.client;
    if (c.isOpen === false && typeof c.connect === "function") {
      // One connect at a time: node-redis rejects a second connect() while the first runs.
      this.connecting ??= c.connect().finally(() => (this.connecting = undefined));
      await this.connecting;
    }
    if (typeof c.call === "function") return c.call(args[0], ...args.slice(1));
    return c.sendCommand!(args);
  }

  async ping(): Promise<void> {
    const r = await this.exec(["PING"]);
    if (r !== "PONG") throw new Error(`unexpected PING reply ${JSON.stringify(r)}`);
  }

  async get(key: string): Promise<unknown> {
    const v = await this.exec(["GET", this.adapterKey(key)]);
    return v ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<unknown[]> {
    const parts = await Promise.all(chunks(keys, BATCH).map((c) => this.exec(["MGET", ...c.map(this.adapterKey)]) as Promise<unknown[]>));
    return parts.flat().map((v) => v ?? undefined);
  }

  async setMany(entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const all = dedupe(entries);
    await Promise.all(chunks(all, BATCH).map((c) => this.exec(["MSET", ...c.flatMap(([k, v]) => [this.adapterKey(k), v])])));
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    await Promise.all(chunks(keys, BATCH).map((c) => this.exec(["DEL", ...c.map(this.adapterKey)])));
  }

  async has(key: string): Promise<boolean> {
    return Number(await this.exec(["EXISTS", this.adapterKey(key)])) === 1;
  }

  async *scan(prefix: string): AsyncIterable<string[]> {
    const match = escapeGlob(this.adapterKey(prefix)) + "*";
    const seen = new Set<string>(); // SCAN may return a key more than once
    let cursor = "0";
    do {
      const [next, keys] = (await this.exec(["SCAN", cursor, "MATCH", match, "COUNT", String(BATCH)])) as [unknown, string[]];
      cursor = String(next);
      const fresh: string[] = [];
      for (const k of keys) {
        if (seen.has(k)) continue;
        seen.add(k);
        fresh.push(k.slice(this.strip));
      }
      if (fresh.length > 0) yield fresh;
    } while (cursor !== "0");
  }

  async cas(key: string, value: string, expected: string | undefined): Promise<boolean> {
    const args = ["1", this.adapterKey(key), expected === undefined ? "0" : "1", expected ?? "", value];
    return Number(await this.script(CAS_SHA, CAS_SCRIPT, args)) === 1;
  }

  async casDelete(key: string, expected: string): Promise<boolean> {
    return Number(await this.script(CAS_DELETE_SHA, CAS_DELETE_SCRIPT, ["1", this.adapterKey(key), expected])) === 1;
  }

  /** Runs a Lua script by its SHA, sending its text when the server does not know it yet. */
  private async script(sha: string, text: string, args: string[]): Promise<unknown> {
    try {
      return await this.exec(["EVALSHA", sha, ...args]);
    } catch (err) {
      if (!/NOSCRIPT/i.test(String((err as Error)?.message ?? err))) throw err;
      return this.exec(["EVAL", text, ...args]);
    }
  }

  async close(): Promise<void> {
    if (!this.owned || this.client.isOpen === false) return;
    // Still connecting (or reconnecting): a graceful QUIT would wait for the server.
    if (this.client.isReady === false && typeof this.client.destroy === "function") this.client.destroy();
    else if (typeof this.adapter.disconnect === "function") await this.adapter.disconnect();
  }
}

/** Escapes Redis glob characters so a prefix matches literally. */
export function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, "\\$&");
}
