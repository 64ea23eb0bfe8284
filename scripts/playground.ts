// `npm run playground`: writes docs/playground/index.html.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { playgroundHtml } from "./playground-build.js";

const dir = fileURLToPath(new URL("../docs/playground/", import.meta.url));
mkdirSync(dir, { recursive: true });
const html = await playgroundHtml();
writeFileSync(`${dir}index.html`, html);
console.log(`wrote ${dir}index.html (${(html.length / 1024).toFixed(0)} KiB)`);
