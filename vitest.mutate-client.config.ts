import { defineConfig } from "vitest/config";

// A narrow suite for mutation runs on src/client: only the tests that exercise the client.
// Scores measured with it are lower bounds (tests left out might catch more).
export default defineConfig({
  test: {
    include: ["test/client*.test.ts", "test/crest-client.test.ts", "test/patch-builder.test.ts", "test/mutation-*.test.ts"],
    testTimeout: 60_000,
  },
});
