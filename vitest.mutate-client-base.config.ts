import { defineConfig } from "vitest/config";

// The client's narrow mutation suite without test/mutation-client.test.ts: the "before" figure.
export default defineConfig({
  test: {
    include: ["test/client*.test.ts", "test/crest-client.test.ts", "test/patch-builder.test.ts", "test/mutation-*.test.ts"],
    exclude: ["test/mutation-client.test.ts"],
    testTimeout: 60_000,
  },
});
