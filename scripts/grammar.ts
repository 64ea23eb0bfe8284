// Writes grammar/diagrams.html: railroad diagrams drawn from the live parser, so the picture cannot
// drift from the code. `npm run grammar` regenerates it; test/grammar.test.ts fails when it is stale.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { diagramsHtml } from "./grammar-html.js";

const target = fileURLToPath(new URL("../grammar/diagrams.html", import.meta.url));
writeFileSync(target, diagramsHtml());
console.log(`wrote ${target}`);
