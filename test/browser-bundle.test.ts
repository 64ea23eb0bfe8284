import { builtinModules } from "node:module";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

// The main entry as a browser gets it (the playground's library part): bundled for the browser
// platform, minified. The budget and its reason are in docs/playground.md.
const BROWSER_BUNDLE_BUDGET_GZIP = 72 * 1024;

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

async function bundle(entry: string): Promise<{ bytes: Uint8Array; metafile: Metafile }> {
  const result = await build({
    entryPoints: [entry],
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
    expect(gzip, `main entry: ${bytes.length} bytes minified, ${gzip} gzip; budget ${BROWSER_BUNDLE_BUDGET_GZIP}`).toBeLessThanOrEqual(BROWSER_BUNDLE_BUDGET_GZIP);
    expect(gzip).toBeGreaterThan(10 * 1024); // the parser really is in it
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
