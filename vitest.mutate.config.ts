import { defineConfig } from "vitest/config";

// The unit tests that exercise the core modules, for `npm run mutate` (Stryker). Tests that start
// processes, pack the package or drive a browser are left out: they test the same code through
// slower doors, and Stryker reruns the suite once per mutant.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/package.test.ts", "test/cli*.test.ts", "test/docs.test.ts", "test/examples.test.ts", "test/browser*.test.ts", "test/repl*.test.ts", "test/postgres*.test.ts", "test/serve-database.test.ts", "test/server-cli.test.ts"],
    // The source-text check of server-handler.test.ts reads Stryker's instrumented files (which
    // mention `process.`), so it is left out here.
    testNamePattern: /^(?!.*keeps the main entry free of Node-only imports)/,
    testTimeout: 60_000,
  },
});
