import { defineConfig } from "vitest/config";

// A narrow suite for mutation runs on src/eval: only the tests that exercise the evaluator.
// Scores measured with it are lower bounds (tests left out might catch more).
export default defineConfig({
  test: {
    include: ["test/evaluator*.test.ts", "test/conformance.test.ts", "test/query-engine.test.ts", "test/mutation-*.test.ts"],
    testTimeout: 60_000,
  },
});
