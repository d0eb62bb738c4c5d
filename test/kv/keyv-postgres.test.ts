import KeyvPostgres from "@keyv/postgres";
import Keyv from "keyv";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { BackendError } from "../../src/errors.ts";
import { KeyvStore } from "../../src/kv/keyv-store.ts";
import { openBackend } from "../../src/kv/open-backend.ts";
import { collect, kvStoreConformance } from "./conformance.ts";
import { runFixture } from "./fixtures/spawn.ts";
import { service, testNamespace } from "./services.ts";

const postgres = await service("postgres");
// @keyv/postgres keeps one pool per process; it is ended once, after every test.
const keyvs: Keyv[] = [];
function makeKeyv(label: string): Keyv {
  const k = new Keyv(new KeyvPostgres({ uri: postgres.url }), { namespace: testNamespace(label) });
  keyvs.push(k);
  return k;
}
afterAll(async () => {
  if (keyvs.length > 0) await keyvs[0].disconnect().catch(() => {});
});

const main = postgres.skip ? undefined : makeKeyv("conf");
kvStoreConformance("KeyvStore on @keyv/postgres", () => KeyvStore.open(main!), { skip: postgres.skip });

describe.skipIf(postgres.skip)("KeyvStore on PostgreSQL", () => {
  it("is recognised as PostgreSQL: native atomic CAS; rows hold base64 text under the namespace", async () => {
    const keyv = makeKeyv("layout");
    const ns = keyv.namespace!;
    const s = await KeyvStore.open(keyv);
    expect(s.adapterKind).toBe("postgres");
    expect(s.atomicCas).toBe(true);
    const bytes = new Uint8Array(256).map((_, i) => 255 - i);
    await s.set("obj/1", bytes);
    const adapter = keyv.store as KeyvPostgres;
    const rows = (await adapter.query("SELECT key, value FROM public.keyv WHERE key LIKE $1", [`${ns}:%`])) as Array<{ key: string; value: string }>;
    expect(rows).toEqual([{ key: `${ns}:obj/1`, value: `{"value":":base64:${Buffer.from(bytes).toString("base64")}"}` }]);
    expect(Buffer.compare((await keyv.get("obj/1")) as Buffer, Buffer.from(bytes))).toBe(0);
    const other = await KeyvStore.open(makeKeyv("layout-other"));
    expect(await collect(other.keys())).toEqual([]);
    await s.clear();
    await s.close();
    await other.close();
  });

  it("CAS is atomic across OS processes: 2 processes x 40 increments give exactly 80", async () => {
    const ns = testNamespace("mp");
    await Promise.all([0, 1].map(() => runFixture("url-cas-worker.ts", [postgres.url, ns, "40", "counter"])));
    const s = await openBackend({ url: postgres.url, namespace: ns });
    expect(Buffer.from((await s.get("counter"))!).toString()).toBe("80");
    await s.clear();
    await s.close();
  });

  it("openBackend(postgres://...) uses the layout of a plain Keyv with that namespace", async () => {
    const keyv = makeKeyv("url");
    const s = await openBackend({ url: postgres.url, namespace: keyv.namespace! });
    await s.set("x", new Uint8Array([1, 2]));
    expect(Buffer.compare((await keyv.get("x")) as Buffer, Buffer.from([1, 2]))).toBe(0);
    expect(s.description).toContain("127.0.0.1");
    await s.clear();
    await s.close();
  });

  it("the server ending a connection in the middle of a CAS: BackendError, then a retry succeeds", async () => {
    const app = testNamespace("kill").slice(0, 60);
    const ns = testNamespace("kill");
    const url = `${postgres.url}${postgres.url.includes("?") ? "&" : "?"}application_name=${app}`;
    const s = await openBackend({ url, namespace: ns });
    await s.set("head", new Uint8Array([1]));
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      // Hold the row so our CAS blocks inside the server, then end its connection.
      await admin.query("BEGIN");
      await admin.query("SELECT 1 FROM public.keyv WHERE key = $1 FOR UPDATE", [`${ns}:head`]);
      const cas = s.cas("head", new Uint8Array([2]), new Uint8Array([1])).catch((e: unknown) => e);
      for (;;) {
        const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [app]);
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [app]);
      const err = await cas;
      expect(err).toBeInstanceOf(BackendError);
      expect((err as Error).message).toContain("127.0.0.1");
      await admin.query("ROLLBACK");
      expect(await s.get("head")).toEqual(new Uint8Array([1])); // the failed CAS changed nothing
      expect(await s.cas("head", new Uint8Array([2]), new Uint8Array([1]))).toBe(true);
    } finally {
      await admin.query("ROLLBACK").catch(() => {});
      await admin.end();
    }
    await s.clear();
    await s.close();
  });
});
