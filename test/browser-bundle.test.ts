import { builtinModules } from "node:module";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

// The main entry as a browser gets it: bundled for the browser platform, minified. Two budgets,
// explained in docs/playground.md: the filter tools a user interface imports (the playground's
// library part), and everything the main entry holds.
const FILTER_TOOLS_BUDGET_GZIP = 68 * 1024;
const MAIN_ENTRY_BUDGET_GZIP = 104 * 1024;
const FILTER_TOOLS = "parseFilter, formatFilter, encodeQueryFilter, decodeQueryFilter, lintFilter, checkFilter, field, and, or, not, filter, compileFilter, matchesFilter, queryCollection";

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

async function bundle(entry: string, only?: string): Promise<{ bytes: Uint8Array; metafile: Metafile }> {
  const result = await build({
    ...(only === undefined ? { entryPoints: [entry] } : { stdin: { contents: `export { ${only} } from "./${entry}";`, resolveDir: process.cwd(), loader: "ts" as const } }),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { bytes: result.outputFiles[0]?.contents ?? new Uint8Array(), metafile: result.metafile };
}

function nodeImports(metafile: Metafile): string[] {
  return Object.entries(metafile.inputs).flatMap(([file, input]) =>
    input.imports.filter((i) => builtins.has(i.path) || i.path.startsWith("node:")).map((i) => `${file} imports ${i.path}`),
  );
}

describe("browser bundle of the main entry", () => {
  it("imports no Node built-in, and fits the gzip budget", async () => {
    const { bytes, metafile } = await bundle("src/index.ts");
    expect(nodeImports(metafile)).toEqual([]);
    const gzip = gzipSync(bytes, { level: 9 }).length;
    expect(gzip, `main entry: ${bytes.length} bytes minified, ${gzip} gzip; budget ${MAIN_ENTRY_BUDGET_GZIP}`).toBeLessThanOrEqual(MAIN_ENTRY_BUDGET_GZIP);
    expect(gzip).toBeGreaterThan(10 * 1024); // the parser really is in it
  }, 60_000);

  it("the filter tools a user interface imports fit a smaller budget", async () => {
    const { bytes, metafile } = await bundle("src/index.ts", FILTER_TOOLS);
    expect(nodeImports(metafile)).toEqual([]);
    const kept = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, input]) => input.bytesInOutput > 0).map(([file]) => file));
    expect(kept.some((file) => file.includes("node_modules/jose"))).toBe(false); // the server's JWT code is shaken off
    expect(kept.some((file) => file.includes("node_modules/chevrotain"))).toBe(true);
    const gzip = gzipSync(bytes, { level: 9 }).length;
    expect(gzip, `filter tools: ${bytes.length} bytes minified, ${gzip} gzip; budget ${FILTER_TOOLS_BUDGET_GZIP}`).toBeLessThanOrEqual(FILTER_TOOLS_BUDGET_GZIP);
    expect(gzip).toBeGreaterThan(10 * 1024);
  }, 60_000);

  it("would catch a Node built-in: the Node entry fails the same check", async () => {
    const failed = await bundle("src/node/index.ts").then(
      ({ metafile }) => nodeImports(metafile),
      (error: Error) => [error.message],
    );
    expect(failed.length).toBeGreaterThan(0);
  }, 60_000);

  it("the editor extension needs nothing from Node either", async () => {
    const { metafile } = await bundle("src/codemirror/index.ts");
    expect(nodeImports(metafile)).toEqual([]);
  }, 60_000);
});
