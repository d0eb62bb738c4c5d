import { MemoryStore } from "../../src/kv/memory-store.ts";
import { kvStoreConformance } from "./conformance.ts";

kvStoreConformance("MemoryStore", async () => new MemoryStore());
