import { defineConfig, type Options } from "tsup";

// Chevrotain 11, @noble/hashes 2 and jose 6 ship as ESM only. The ESM build keeps them external; the CommonJS
// build bundles them so that `require("crest-query")` works on every Node >= 20 without relying on
// require(esm). Both library entries are built together so that they share one copy of each module.
const configs: Options[] = [
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
    noExternal: ["chevrotain", "@noble/hashes", "jose"],
  },
  {
    entry: { cli: "src/cli/main.ts" },
    format: ["esm"],
    sourcemap: true,
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
    // One file: loading Chevrotain's ESM build means hundreds of lodash modules, which dominates start-up.
    noExternal: ["chevrotain", "@noble/hashes"],
  },
];

// `npm start` sets CREST_BUILD=cli to rebuild only the command-line bundle.
export default defineConfig(process.env.CREST_BUILD === "cli" ? configs.filter((c) => c.entry !== undefined && "cli" in c.entry) : configs);
