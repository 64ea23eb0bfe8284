import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_NESTING, FilterSyntaxError, formatFilter, parseFilter, type Filter } from "../src/index.js";
import { filterish } from "./helpers/arbitraries.js";

const pr = (...field: string[]): Filter => ({ type: "presence", field });

describe("parseFilter: structure", () => {
  it("gives and precedence over or, and keeps n-ary chains flat", () => {
    expect(parseFilter("a pr or b pr and c pr or d pr")).toEqual({
      type: "or",
      filters: [pr("a"), { type: "and", filters: [pr("b"), pr("c")] }, pr("d")],
    });
  });

  it("keeps a parenthesised group of the same operator nested, as the server does", () => {
    expect(parseFilter("(a pr and b pr) and c pr")).toEqual({
      type: "and",
      filters: [{ type: "and", filters: [pr("a"), pr("b")] }, pr("c")],
    });
  });

  it("reads keywords by position: fields named and, or, pr, eq", () => {
    expect(parseFilter("and eq 1 and or pr")).toEqual({
      type: "and",
      filters: [{ type: "comparison", operator: "eq", field: ["and"], value: 1n }, pr("or")],
    });
    expect(parseFilter("pr pr")).toEqual(pr("pr"));
  });

  it("treats ! as negation only as a whole word", () => {
    expect(parseFilter("!(a pr)")).toEqual({ type: "not", filter: pr("a") });
    expect(parseFilter("! a pr")).toEqual({ type: "not", filter: pr("a") });
    expect(parseFilter("!a pr")).toEqual(pr("!a"));
    expect(parseFilter("! ! eq 1")).toEqual({ type: "not", filter: { type: "comparison", operator: "eq", field: ["!"], value: 1n } });
  });

  it("stores core operators in lower case and extended operators as written", () => {
    expect(parseFilter("a EQ 1")).toMatchObject({ operator: "eq" });
    expect(parseFilter("a Regex 'x'")).toMatchObject({ operator: "Regex" });
    expect(parseFilter("a and 5")).toMatchObject({ operator: "and" });
  });

  it("keeps integer and decimal literals apart, and integers exact", () => {
    expect(parseFilter("a eq 1")).toMatchObject({ value: 1n });
    expect(parseFilter("a eq 1.0")).toMatchObject({ value: 1 });
    expect(parseFilter("a eq 9007199254740993")).toMatchObject({ value: 9007199254740993n });
    expect(parseFilter("a eq -9223372036854775808")).toMatchObject({ value: -(2n ** 63n) });
    expect(Object.is((parseFilter("a eq -0.0") as { value: number }).value, -0)).toBe(true);
  });

  it("accepts the Java number forms the server accepts", () => {
    expect(parseFilter("a eq 1.5f")).toMatchObject({ value: 1.5 });
    expect(parseFilter("a eq 2.D")).toMatchObject({ value: 2 });
    expect(parseFilter("a eq 0x1.8p1")).toMatchObject({ value: 3 });
    expect(parseFilter("a eq 1.5\t")).toMatchObject({ value: 1.5 });
    expect(parseFilter("a eq \u0661\u0662")).toMatchObject({ value: 12n });
    expect(parseFilter("a eq \uff15")).toMatchObject({ value: 5n });
  });

  it("unescapes strings: a backslash makes the next character literal", () => {
    expect(parseFilter(String.raw`a eq "x\"y\\z\n"`)).toMatchObject({ value: 'x"y\\zn' });
    expect(parseFilter(`a eq 'it''s'`.replace("''", "\\'"))).toMatchObject({ value: "it's" });
  });
});

describe("parseFilter: limits", () => {
  const nested = (n: number) => `${"(".repeat(n)}a pr${")".repeat(n)}`;

  it("accepts 63 nested groups and rejects 64, like the server", () => {
    expect(parseFilter(nested(DEFAULT_MAX_NESTING))).toEqual(pr("a"));
    expect(() => parseFilter(nested(DEFAULT_MAX_NESTING + 1))).toThrow(/at most 63 nested groups/);
  });

  it("makes the limit configurable, and bounds it", () => {
    expect(() => parseFilter(nested(3), { maxNesting: 2 })).toThrow(FilterSyntaxError);
    expect(parseFilter(nested(200), { maxNesting: 500 })).toEqual(pr("a"));
    const error = (() => {
      try {
        parseFilter(nested(5000), { maxNesting: 1e9 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FilterSyntaxError);
    expect((error as FilterSyntaxError).code).toBe("nesting-too-deep");
  });

  it("parses a flat chain of 10,000 terms", () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `/f${i} eq ${i}`).join(" or ");
    const filter = parseFilter(text);
    expect(filter.type).toBe("or");
    expect((filter as { filters: readonly Filter[] }).filters).toHaveLength(10_000);
    expect(parseFilter(formatFilter(filter))).toEqual(filter);
  });

  it("answers hostile 1 MB inputs with a result or a FilterSyntaxError, never a crash", () => {
    const mb = 1 << 20;
    const inputs = [
      "(".repeat(mb),
      "! (".repeat(mb / 3),
      "a".repeat(mb),
      `a eq "${"\\".repeat(mb - 8)}`,
      `a eq "${"x".repeat(mb - 8)}"`,
      "a pr and ".repeat(mb / 9) + "a pr",
      ")".repeat(mb),
    ];
    for (const input of inputs) {
      try {
        parseFilter(input);
      } catch (e) {
        expect(e).toBeInstanceOf(FilterSyntaxError);
      }
    }
  });

  it("rejects lone surrogates anywhere (they cannot be sent as UTF-8)", () => {
    expect(() => parseFilter("a eq '\ud800'")).toThrow(/lone surrogate/);
    expect(() => parseFilter("\udc00 pr")).toThrow(FilterSyntaxError);
  });

  it("refuses non-strings with a TypeError", () => {
    expect(() => parseFilter(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("parseFilter: totality", () => {
  function check(input: string): void {
    let result: Filter | undefined;
    try {
      result = parseFilter(input);
    } catch (error) {
      expect(error).toBeInstanceOf(FilterSyntaxError);
      const e = error as FilterSyntaxError;
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(input.length);
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.caret).toContain("^");
      expect(e.expected.length).toBeGreaterThan(0);
      return;
    }
    // What parses must write back to something that parses to the same tree.
    expect(parseFilter(formatFilter(result))).toEqual(result);
  }

  it("returns a filter or throws FilterSyntaxError on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 60 }), check), { numRuns: 1500 });
  });

  it("returns a filter or throws FilterSyntaxError on near-filters", () => {
    fc.assert(fc.property(filterish, check), { numRuns: 3000 });
  });
});
