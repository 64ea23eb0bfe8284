import { defineConfig } from "vitest/config";

// A narrow suite for mutation runs on src/query: only the tests that exercise the query modules.
// Scores measured with it are lower bounds (tests left out might catch more).
export default defineConfig({
  test: {
    include: [
      "test/query-params.test.ts",
      "test/query-engine.test.ts",
      "test/server-handler.test.ts",
      "test/patch-builder.test.ts",
      "test/mutation-*.test.ts",
    ],
    // The source-text check of server-handler.test.ts reads Stryker's instrumented files (which
    // mention `process.`), so it is left out here.
    testNamePattern: /^(?!.*keeps the main entry free of Node-only imports)/,
    testTimeout: 60_000,
  },
});
