import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: {
    alias: [
      { find: /^kvgit\/disk$/, replacement: fileURLToPath(new URL("./src/disk.ts", import.meta.url)) },
      { find: /^kvgit\/keyv$/, replacement: fileURLToPath(new URL("./src/keyv.ts", import.meta.url)) },
      { find: /^kvgit$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
