// Builds the playground into one self-contained HTML file: the script (the library, CodeMirror
// and the sample users) and the style are inlined, so the page works offline from a file or any
// static host. Used by `npm run playground` and by the browser tests.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The playground page as one HTML string. */
export async function playgroundHtml(): Promise<string> {
  const result = await build({
    entryPoints: [`${root}playground/main.ts`],
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
  });
  const script = (result.outputFiles[0]?.text ?? "").replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
  const style = readFileSync(`${root}playground/style.css`, "utf8");
  const template = readFileSync(`${root}playground/index.html`, "utf8");
  // Functions as replacements, so `$` in the script is never read as a pattern.
  return template.replace("/*STYLE*/", () => style).replace("/*SCRIPT*/", () => script);
}
