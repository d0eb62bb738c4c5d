import KeyvSqlite from "@keyv/sqlite";
import Keyv from "keyv";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeyvStore } from "../../src/kv/keyv-store.ts";
import { openBackend } from "../../src/kv/open-backend.ts";
import { kvStoreConformance } from "./conformance.ts";
import { runFixture } from "./fixtures/spawn.ts";
import { testNamespace } from "./services.ts";

const dir = mkdtempSync(join(tmpdir(), "kvgit-sqlite-"));
const file = join(dir, "keyv.sqlite");
const keyvs: Keyv[] = [];
function makeKeyv(label: string): Keyv {
  const k = new Keyv(new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 10_000 }), { namespace: testNamespace(label) });
  keyvs.push(k);
  return k;
}
afterAll(async () => {
  for (const k of keyvs) await k.disconnect().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

const main = makeKeyv("conf");
kvStoreConformance("KeyvStore on @keyv/sqlite", () => KeyvStore.open(main));

describe("KeyvStore on SQLite", () => {
  it("is recognised as SQLite: native atomic CAS; a plain Keyv reads the bytes back", async () => {
    const keyv = makeKeyv("layout");
    const s = await KeyvStore.open(keyv);
    expect(s.adapterKind).toBe("sqlite");
    expect(s.atomicCas).toBe(true);
    const bytes = new Uint8Array(256).map((_, i) => i);
    await s.set("obj/1", bytes);
    const rows = (await (keyv.store as KeyvSqlite).query("SELECT key, value FROM keyv WHERE key = ?", `${keyv.namespace}:obj/1`)) as Array<{ value: string }>;
    expect(rows[0].value).toBe(`{"value":":base64:${Buffer.from(bytes).toString("base64")}"}`);
    expect(Buffer.compare((await keyv.get("obj/1")) as Buffer, Buffer.from(bytes))).toBe(0);
    await s.clear();
    await s.close();
  });

  it("CAS is atomic across OS processes: 2 processes x 40 increments give exactly 80", async () => {
    const ns = testNamespace("mp");
    const url = `sqlite://${join(dir, "mp.sqlite")}`;
    const first = await openBackend({ url, namespace: ns }); // creates the table before the race
    await first.close();
    await Promise.all([0, 1].map(() => runFixture("url-cas-worker.ts", [url, ns, "40", "counter"])));
    const s = await openBackend({ url, namespace: ns });
    expect(Buffer.from((await s.get("counter"))!).toString()).toBe("80");
    await s.close();
  });
});
