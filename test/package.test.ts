import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Packs the library as npm would publish it, installs the tarball into a fresh project, and uses
// it from ESM and CommonJS: what a user gets, not what the source tree happens to hold.
const root = fileURLToPath(new URL("..", import.meta.url));
let project = "";

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_loglevel: "error" } });
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "crest-query-pack-"));
  // dist/ is built by the global setup; packing need not build it again.
  run("npm", ["pack", "--ignore-scripts", "--pack-destination", project], root);
  const tarball = join(project, readdirSync(project).find((name) => name.endsWith(".tgz")) ?? "missing.tgz");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], project);
}, 180_000);

afterAll(() => {
  if (project !== "") rmSync(project, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("works through import", () => {
    writeFileSync(join(project, "esm.mjs"), `import { parseFilter, formatFilter } from "crest-query";\nconsole.log(formatFilter(parseFilter("A EQ 1")));\n`);
    expect(run("node", ["esm.mjs"], project).trim()).toBe("/A eq 1");
  });

  it("works through require", () => {
    writeFileSync(join(project, "cjs.cjs"), `const { parseFilter, encodeQueryFilter } = require("crest-query");\nconsole.log(encodeQueryFilter(parseFilter("a eq 'x y'")));\n`);
    expect(run("node", ["cjs.cjs"], project).trim()).toBe("%2Fa%20eq%20%22x%20y%22");
  });

  it("has one error class across the ESM and CommonJS builds loaded in one process", () => {
    writeFileSync(
      join(project, "both.mjs"),
      [
        `import { createRequire } from "node:module";`,
        `import { CrestError, FilterSyntaxError, parseFilter, queryCollection } from "crest-query";`,
        `const cjs = createRequire(import.meta.url)("crest-query");`,
        `const caught = (f) => { try { f(); } catch (e) { return e; } };`,
        `const fromCjs = caught(() => cjs.parseFilter("a eq"));`,
        `const fromEsm = caught(() => parseFilter("a eq"));`,
        `const crestFromCjs = caught(() => cjs.queryCollection([], {}));`,
        `console.log([cjs.FilterSyntaxError !== FilterSyntaxError, fromCjs instanceof FilterSyntaxError, fromEsm instanceof cjs.FilterSyntaxError, crestFromCjs instanceof CrestError, caught(() => queryCollection([], {})) instanceof cjs.CrestError, fromCjs instanceof CrestError, new Error("x") instanceof FilterSyntaxError].join(" "));`,
      ].join("\n"),
    );
    expect(run("node", ["both.mjs"], project).trim()).toBe("true true true true true false false");
  });

  it("ships the guides but not the generated API pages or the playground", () => {
    const docs = readdirSync(join(project, "node_modules/crest-query/docs"));
    expect(docs).toContain("language.md");
    expect(docs).not.toContain("api");
    expect(docs).not.toContain("playground");
  });

  it("ships type declarations without any, and a working bin", () => {
    const dts = readFileSync(join(project, "node_modules/crest-query/dist/index.d.ts"), "utf8");
    expect(dts).toMatch(/declare function parseFilter\(/);
    expect(dts).toMatch(/export \{[^}]*\bparseFilter\b/);
    const code = dts.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    expect(code).not.toMatch(/\bany\b/);
    expect(run("node", ["node_modules/.bin/crest-query", "format", "b PR"], project).trim()).toBe("/b pr");
  });
});

// Installing straight from the repository: npm clones it, installs its dev dependencies and runs the
// `prepare` script, which builds dist/. Without that script a git install has no dist/ at all.
describe("installed from git", () => {
  let consumer = "";
  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), "crest-query-git-"));
    const commit = run("git", ["rev-parse", "HEAD"], root).trim();
    writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", `git+file://${root}#${commit}`], consumer);
  }, 600_000);

  afterAll(() => {
    if (consumer !== "") rmSync(consumer, { recursive: true, force: true });
  });

  it("works through import and require, with the Node entry", () => {
    writeFileSync(join(consumer, "esm.mjs"), `import { formatFilter, parseFilter } from "crest-query";\nimport { createMockServer } from "crest-query/node";\nconsole.log(formatFilter(parseFilter("A EQ 1")), typeof createMockServer);\n`);
    expect(run("node", ["esm.mjs"], consumer).trim()).toBe("/A eq 1 function");
    writeFileSync(join(consumer, "cjs.cjs"), `const { encodeQueryFilter } = require("crest-query");\nconst { createMockServer } = require("crest-query/node");\nconsole.log(encodeQueryFilter("a pr"), typeof createMockServer);\n`);
    expect(run("node", ["cjs.cjs"], consumer).trim()).toBe("a%20pr function");
  });

  it("ships no generated API pages, and a licence", () => {
    const installed = join(consumer, "node_modules", "crest-query");
    expect(readdirSync(installed)).toContain("LICENSE");
    expect(readdirSync(join(installed, "docs")).some((entry) => entry === "api")).toBe(false);
  });
});
