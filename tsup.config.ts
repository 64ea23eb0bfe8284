import { defineConfig } from "tsup";

// Chevrotain 11 and @noble/hashes 2 ship as ESM only. The ESM build keeps them external; the CommonJS
// build bundles them so that `require("crest-query")` works on every Node >= 20 without relying on
// require(esm). Both library entries are built together so that they share one copy of each module.
export default defineConfig([
  {
    entry: { index: "src/index.ts", node: "src/node/index.ts", codemirror: "src/codemirror/index.ts" },
    format: ["esm"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
  },
  {
    entry: { index: "src/index.ts", node: "src/node/index.ts", codemirror: "src/codemirror/index.ts" },
    format: ["cjs"],
    dts: true,
    sourcemap: true,
    target: "node20",
    noExternal: ["chevrotain", "@noble/hashes"],
  },
  {
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  },
]);
