import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagramsHtml } from "../scripts/grammar-html.js";

describe("grammar/", () => {
  it("diagrams.html is what the live parser draws (run npm run grammar after changing the grammar)", () => {
    const committed = readFileSync(new URL("../grammar/diagrams.html", import.meta.url), "utf8");
    expect(committed).toBe(diagramsHtml());
  });

  it("diagrams.html shows every rule of the parser", () => {
    const html = diagramsHtml();
    for (const rule of ["filter", "orExpr", "andExpr", "notExpr", "test"]) {
      expect(html).toMatch(new RegExp(`"type": "Rule",\\s*"name": "${rule}"`));
    }
  });

  it("query-filter.ebnf names every production the parser has", () => {
    const ebnf = readFileSync(new URL("../grammar/query-filter.ebnf", import.meta.url), "utf8");
    for (const rule of ["filter", "or-expr", "and-expr", "not-expr", "primary", "operator", "value", "string", "word", "number", "field"]) {
      expect(ebnf).toMatch(new RegExp(`^${rule}\\s+=`, "m"));
    }
  });
});
