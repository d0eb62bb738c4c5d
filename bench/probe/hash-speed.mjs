import { hash, createHash } from "node:crypto";
import { sha256 } from "@noble/hashes/sha2.js";
import { blake3 } from "@noble/hashes/blake3.js";
for (const size of [64, 700, 4096]) {
  const buf = new Uint8Array(size).map((_, i) => i);
  const n = size > 1000 ? 50000 : 200000;
  const t = (name, f) => { for (let i=0;i<2000;i++) f(); const s=performance.now(); for (let i=0;i<n;i++) f(); const e=performance.now(); console.log(size, name, ((e-s)*1e6/n).toFixed(0), "ns"); };
  t("node hash", () => hash("sha256", buf, "buffer"));
  t("node createHash", () => createHash("sha256").update(buf).digest());
  t("noble sha256", () => sha256(buf));
  t("noble blake3", () => blake3(buf));
}
