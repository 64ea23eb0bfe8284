import { describe, expect, it } from "vitest";
import { checkFilter, FilterSyntaxError, lintFilter } from "../src/index.js";

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

  it.each(["eqq", "ne", "neq", "in", "ew", "like", "EQQ", "sww", "contains", "gte"])("warns about the operator %s", (op) => {
    expect(codes(`/a ${op} 'x'`)).toEqual(["suspicious-operator"]);
  });

  it.each(["regex", "my_op", "op.1", "matches"])("accepts the extended operator %s quietly", (op) => {
    expect(codes(`/a ${op} 'x'`)).toEqual([]);
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
