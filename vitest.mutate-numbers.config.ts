import { defineConfig } from "vitest/config";

// A narrower test set for a Stryker run on src/language/numbers.ts alone
// (`npx stryker run stryker.numbers.json --mutate src/language/numbers.ts`): the tests that read
// number literals. Its score is a lower bound of the full language config's.
export default defineConfig({
  test: {
    include: ["test/parser.test.ts", "test/conformance.test.ts", "test/lint.test.ts", "test/mutation-language.test.ts"],
    testTimeout: 60_000,
  },
});
