import { describe, expect, it } from "vitest";
import { checkFilter, FilterSyntaxError, lintFilter, parseFilter, positionAt, type SourcePosition } from "../src/index.js";

const pick = (p: SourcePosition) => ({ line: p.line, column: p.column });

const codes = (text: string) => lintFilter(text).map((w) => w.code);

describe("lintFilter", () => {
  it("is quiet on ordinary filters", () => {
    expect(lintFilter('/userName sw "bj" and (/age gt 30 or /mail co "@example.com") and !(/x pr)')).toEqual([]);
    expect(lintFilter("/name regex 'al.*' and /a eq 1.5e3")).toEqual([]);
  });

  it("warns about JSON escapes, at the backslash", () => {
    const [w, second] = lintFilter(String.raw`/n eq "a\nb\u0041"`);
    expect(w).toMatchObject({ code: "json-escape", offset: 8, length: 2, line: 1, column: 9 });
    expect(w?.message).toContain('"\\n" in a string is the character "n"');
    expect(second).toMatchObject({ code: "json-escape", offset: 11 });
    expect(codes(String.raw`/n eq "a\\b"`)).toEqual([]);
    expect(codes(String.raw`/n eq 'it\'s'`)).toEqual([]);
  });

  it("warns about fields starting with !", () => {
    expect(lintFilter("!a pr")).toEqual([
      expect.objectContaining({ code: "bang-field", offset: 0, length: 2 }),
    ]);
    expect(codes("!/a pr")).toEqual(["bang-field"]);
    expect(codes("! a pr")).toEqual([]);
  });

  it.each(["eqq", "ne", "neq", "like", "EQQ", "sww", "contains", "gte"])("warns about the operator %s", (op) => {
    expect(codes(`/a ${op} 'x'`)).toEqual(["suspicious-operator"]);
  });

  it.each(["ew", "ca", "EW"])("asks about %s, which connector endpoints implement, rather than calling it a typo", (op) => {
    const [w, ...rest] = lintFilter(`/a ${op} 'x'`);
    expect(rest).toEqual([]);
    expect(w).toMatchObject({ code: "endpoint-operator", offset: 3, length: 2 });
    expect(w?.message).toMatch(/^Is this filter for a connector endpoint .*\?/);
  });

  it.each(["regex", "my_op", "op.1", "matches", "in", "IN"])("accepts the extended operator %s quietly", (op) => {
    expect(codes(`/a ${op} 'x'`)).toEqual([]);
  });

  it.each([..."ntrbfu/"])("warns about the JSON-style escape \\%s", (letter) => {
    expect(lintFilter(`/n eq "a\\${letter}b"`)).toEqual([
      expect.objectContaining({ code: "json-escape", offset: 8, length: 2, message: expect.stringContaining(`"\\${letter}" in a string`) }),
    ]);
  });

  it.each([..."xaA'\"0"])("stays quiet about the plain escape \\%s", (letter) => {
    expect(codes(`/n eq '\\${letter}'`)).toEqual([]);
  });

  it("costs time linear in the number of warnings, with positions counted once", () => {
    // 100,000 escapes, each a warning: finding each position from the start took 12 s here.
    const text = `/n eq "${"\\n".repeat(100_000)}"`;
    const warnings = lintFilter(text);
    expect(warnings).toHaveLength(100_000);
    expect(warnings[99_999]).toMatchObject({ offset: 7 + 2 * 99_999, line: 1, column: 8 + 2 * 99_999 });
  });

  it("counts lines and columns (in code points) as positionAt does, whatever the order of warnings", () => {
    const text = '/a eq "😀\\n\n" and /b eq "x\\t😀\n\\u" and !c pr';
    for (const w of lintFilter(text)) expect({ line: w.line, column: w.column }).toEqual(pick(positionAt(text, w.offset)));
    expect(codes(text)).toEqual(["json-escape", "whitespace", "json-escape", "json-escape", "whitespace", "bang-field"]);
    expect(lintFilter(text).map((w) => w.line)).toEqual([1, 1, 2, 3, 2, 3]);
  });

  it("warns about keywords spelt with a letter the server folds to ASCII, naming it", () => {
    expect(parseFilter("/a ſw 'x' and falſe")).toEqual(parseFilter("/a sw 'x' and false"));
    const [w, second] = lintFilter("/a ſw 'x' and FALſE");
    expect(w).toMatchObject({ code: "keyword-spelling", offset: 3, length: 2 });
    expect(w?.message).toContain("U+017F LATIN SMALL LETTER LONG S");
    expect(w?.message).toContain("write sw");
    expect(second).toMatchObject({ code: "keyword-spelling", offset: 14 });
    expect(second?.message).toContain("write false");
    expect(codes("/a eq falſe")).toEqual(["keyword-spelling"]);
    // A field spelt like a keyword is just a field.
    expect(codes("ſw pr")).toEqual([]);
  });

  it("warns about tabs and line breaks where a space was meant", () => {
    expect(codes("/a eq 1.5\t")).toEqual(["whitespace"]);
    expect(codes('/a eq "x\ty"')).toEqual(["whitespace"]);
  });

  it("warns about number syntax only Java reads", () => {
    expect(codes("/a eq 1.5f")).toEqual(["number-syntax"]);
    expect(codes("/a eq 0x1.8p1")).toEqual(["number-syntax"]);
    expect(codes("/a eq \u0661")).toEqual(["number-syntax"]);
  });

  it("warns about percent-encoded bytes that are not UTF-8", () => {
    expect(codes("/a%e9 pr")).toEqual(["invalid-utf8"]);
  });

  it("throws for filters that do not parse", () => {
    expect(() => lintFilter("a eq")).toThrow(FilterSyntaxError);
  });
});

describe("checkFilter", () => {
  it("returns the filter and its warnings, or the error, without throwing", () => {
    const good = checkFilter("/a ne 1");
    expect(good.ok && good.filter.type).toBe("comparison");
    expect(good.ok && good.warnings.map((w) => w.code)).toEqual(["suspicious-operator"]);
    const bad = checkFilter("/a eq");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe("unexpected-end");
  });
});
