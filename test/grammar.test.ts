import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagramsHtml } from "../scripts/grammar-html.js";
import { serializedGrammar } from "../src/language/parser.js";

describe("grammar/", () => {
  it("diagrams.html is what the live parser draws (run npm run grammar after changing the grammar)", () => {
    const committed = readFileSync(new URL("../grammar/diagrams.html", import.meta.url), "utf8");
    expect(committed).toBe(diagramsHtml());
  });

  it("diagrams.html shows every rule of the parser, each with a diagram", () => {
    const html = diagramsHtml();
    const rules = serializedGrammar().map((r) => (r as typeof r & { name: string }).name);
    expect(rules).toEqual(expect.arrayContaining(["filter", "orExpr", "andExpr", "notExpr", "test"]));
    for (const rule of rules) expect(html).toMatch(new RegExp(`<section id="rule-${rule}">\\s*<h2>[^]*?<svg class="railroad"`));
  });

  it("every rule box links to a rule drawn on the page", () => {
    const html = diagramsHtml();
    const links = [...html.matchAll(/<a href="#rule-(\w+)"><g class="rule">/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(5);
    for (const target of links) expect(html).toContain(`id="rule-${target}"`);
  });

  it("diagrams.html draws without a network: no script, no stylesheet link, no remote address", () => {
    const html = diagramsHtml();
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    // The only absolute address is the SVG namespace, which is a name, never loaded.
    const addresses = [...html.matchAll(/(?:https?:)?\/\/[\w.-]+[^\s"'<>]*/g)].map((m) => m[0]);
    expect(new Set(addresses)).toEqual(new Set(["http://www.w3.org/2000/svg"]));
  });

  it("diagrams.html shows the server's language only, not what the template tag adds", () => {
    const html = diagramsHtml();
    expect(html).not.toMatch(/interpolat/i);
    // The parser does have template-only alternatives; the page leaves them out.
    expect(JSON.stringify(serializedGrammar())).toMatch(/an interpolated value/);
    for (const token of ["a field", "an operator", "a string", "a number"]) expect(html).toContain(`>${token}</text>`);
    for (const keyword of ["or", "and", "!", "(", ")", "true", "false", "pr"]) expect(html).toContain(`>${keyword}</text>`);
  });

  it("query-filter.ebnf names every production the parser has", () => {
    const ebnf = readFileSync(new URL("../grammar/query-filter.ebnf", import.meta.url), "utf8");
    for (const rule of ["filter", "or-expr", "and-expr", "not-expr", "primary", "operator", "value", "string", "word", "number", "field"]) {
      expect(ebnf).toMatch(new RegExp(`^${rule}\\s+=`, "m"));
    }
  });
});
