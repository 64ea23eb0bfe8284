import { defineConfig } from "vitest/config";

// The tests that exercise src/language, for a shorter Stryker run on that folder
// (`npx stryker run stryker.language.json`). The score it gives is a lower bound: tests left out
// (the evaluator's, the CLI's) may catch more.
export default defineConfig({
  test: {
    include: [
      "test/parser.test.ts",
      "test/parser-flat.test.ts",
      "test/conformance.test.ts",
      "test/lint.test.ts",
      "test/encoding.test.ts",
      "test/errors.test.ts",
      "test/pointer.test.ts",
      "test/writer.test.ts",
      "test/filter-shape.test.ts",
      "test/grammar.test.ts",
      "test/template.test.ts",
      "test/builder.test.ts",
      "test/mutation-language.test.ts",
    ],
    testTimeout: 60_000,
  },
});
