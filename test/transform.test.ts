import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  filterEquals,
  foldFilter,
  forEachTest,
  formatFilter,
  mapFields,
  parseFilter,
  referencedFields,
  simplifyFilter,
  transformFilter,
  type Filter,
} from "../src/index.js";
import { filter as arbitraryFilter } from "./helpers/arbitraries.js";

describe("filterEquals", () => {
  it("compares structure, operators, pointers and value kinds", () => {
    expect(filterEquals(parseFilter("a eq 1 and b pr"), parseFilter("/a EQ 1 AND /b PR"))).toBe(true);
    expect(filterEquals(parseFilter("a eq 1"), parseFilter("a eq 1.0"))).toBe(false);
    expect(filterEquals(parseFilter("a eq 0.0"), parseFilter("a eq -0.0"))).toBe(false);
    expect(filterEquals(parseFilter("a eq 'x'"), parseFilter("a co 'x'"))).toBe(false);
    expect(filterEquals(parseFilter("a/b pr"), parseFilter("a%2Fb pr"))).toBe(false);
    expect(filterEquals(parseFilter("(a pr and b pr) and c pr"), parseFilter("a pr and b pr and c pr"))).toBe(false);
  });

  it("agrees with deep equality on arbitrary filters", () => {
    fc.assert(
      fc.property(arbitraryFilter, arbitraryFilter, (a, b) => {
        expect(filterEquals(a, a)).toBe(true);
        expect(filterEquals(a, structuredClone(a))).toBe(true);
        expect(filterEquals(a, b)).toBe(formatFilter(a) === formatFilter(b));
      }),
      { numRuns: 500 },
    );
  });
});

describe("visitors", () => {
  it("folds bottom-up", () => {
    const count = foldFilter(parseFilter("a pr and (b eq 1 or !(c pr)) and true"), {
      and: (parts) => parts.reduce((x, y) => x + y, 0),
      or: (parts) => parts.reduce((x, y) => x + y, 0),
      not: (part) => part,
      literal: () => 0,
      presence: () => 1,
      comparison: () => 1,
    });
    expect(count).toBe(3);
  });

  it("transforms without copying what does not change", () => {
    const f = parseFilter("a co 'x' or (b eq 1 and !(c co 'y'))");
    const g = transformFilter(f, (n) => (n.type === "comparison" && n.operator === "co" ? { ...n, operator: "sw" } : n));
    expect(formatFilter(g)).toBe('/a sw "x" or /b eq 1 and !(/c sw "y")');
    expect(transformFilter(f, (n) => n)).toBe(f);
  });

  it("renames fields and lists the fields used", () => {
    const f = parseFilter("mail co 'x' and (sn pr or mail eq 'y') and !(roles/_refResourceId eq 'r')");
    expect(referencedFields(f)).toEqual([["mail"], ["sn"], ["roles", "_refResourceId"]]);
    const names: Record<string, string> = { mail: "emailAddress", sn: "lastName" };
    expect(formatFilter(mapFields(f, (p) => p.map((s) => names[s] ?? s)))).toBe(
      '/emailAddress co "x" and (/lastName pr or /emailAddress eq "y") and !(/roles/_refResourceId eq "r")',
    );
  });

  it("bounds recursion on hostile trees", () => {
    // Two equal trees that are not the same objects, so that filterEquals has to recurse.
    const build = (levels: number): Filter => {
      let deep: Filter = { type: "literal", value: true };
      for (let i = 0; i < levels; i++) deep = { type: "not", filter: deep };
      return deep;
    };
    const deep = build(5000);
    expect(() => simplifyFilter(deep)).toThrow(RangeError);
    expect(() => filterEquals(deep, build(5000))).toThrow(/nests deeper than 1000 levels/);
    expect(() => foldFilter(deep, { and: () => 0, or: () => 0, not: () => 0, literal: () => 0, presence: () => 0, comparison: () => 0 })).toThrow(RangeError);
    // The same tree is equal to itself without a walk, and trees within the limit compare fine.
    expect(filterEquals(deep, deep)).toBe(true);
    expect(filterEquals(build(999), build(999))).toBe(true);
    expect(filterEquals(build(999), build(998))).toBe(false);
  });
});

describe("simplifyFilter", () => {
  it.each([
    ["(a pr and true) and !(!(b pr)) or false", "/a pr and /b pr"],
    ["a pr or true", "true"],
    ["a pr and false", "false"],
    ["!(true)", "false"],
    ["!(!(!(a pr)))", "!(/a pr)"],
    ["a pr and a pr and (b pr or b pr)", "/a pr and /b pr"],
    ["(a pr or b pr) or (c pr or a pr)", "/a pr or /b pr or /c pr"],
    ["x regex 'y' and true", '/x regex "y"'],
  ])("%j becomes %j", (input, output) => {
    expect(formatFilter(simplifyFilter(parseFilter(input)))).toBe(output);
  });

  // Three-valued logic of SPEC §3: each test is true, false or undefined (an unknown extended
  // operator); not keeps undefined; and is the minimum, or the maximum, of false < undefined < true.
  type Truth = 0 | 0.5 | 1;
  function evaluate(f: Filter, tests: (f: Filter) => Truth): Truth {
    switch (f.type) {
      case "literal":
        return f.value ? 1 : 0;
      case "not":
        return (1 - evaluate(f.filter, tests)) as Truth;
      case "and":
        return f.filters.reduce<Truth>((m, g) => Math.min(m, evaluate(g, tests)) as Truth, 1);
      case "or":
        return f.filters.reduce<Truth>((m, g) => Math.max(m, evaluate(g, tests)) as Truth, 0);
      default:
        return tests(f);
    }
  }

  const smallFilter = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: "small" },
      fc.boolean().map((value): Filter => ({ type: "literal", value })),
      fc.constantFrom("a", "b", "c", "d").map((name): Filter => ({ type: "presence", field: [name] })),
      tie("f").map((filter): Filter => ({ type: "not", filter })),
      fc.array(tie("f"), { minLength: 0, maxLength: 4 }).map((filters): Filter => ({ type: "and", filters })),
      fc.array(tie("f"), { minLength: 0, maxLength: 4 }).map((filters): Filter => ({ type: "or", filters })),
    ),
  })).f;
  const truths = fc.tuple(fc.constantFrom<Truth>(0, 0.5, 1), fc.constantFrom<Truth>(0, 0.5, 1), fc.constantFrom<Truth>(0, 0.5, 1), fc.constantFrom<Truth>(0, 0.5, 1));

  it("keeps the three-valued meaning of every filter (truth-table model)", () => {
    fc.assert(
      fc.property(smallFilter, truths, (f, values) => {
        const tests = (t: Filter): Truth => values[["a", "b", "c", "d"].indexOf((t as { field: readonly string[] }).field[0] ?? "")] ?? 0;
        expect(evaluate(simplifyFilter(f), tests)).toBe(evaluate(f, tests));
      }),
      { numRuns: 3000 },
    );
  });

  it("is idempotent and never grows a filter", () => {
    fc.assert(
      fc.property(arbitraryFilter, (f) => {
        const once = simplifyFilter(f);
        expect(simplifyFilter(once)).toEqual(once);
        expect(formatFilter(once).length).toBeLessThanOrEqual(formatFilter(f).length);
      }),
      { numRuns: 500 },
    );
  });

  it("simplifies a 10,000-term chain in linear time", () => {
    const f = parseFilter(Array.from({ length: 10_000 }, (_, i) => `/f eq ${i % 5000}`).join(" or "));
    const g = simplifyFilter(f);
    expect(g.type === "or" && g.filters.length).toBe(5000);
  });
});

describe("forEachTest", () => {
  it("visits every test once, left to right, as a recursive walk finds them", () => {
    const leaves = (f: Filter): Filter[] =>
      f.type === "and" || f.type === "or" ? f.filters.flatMap(leaves) : f.type === "not" ? leaves(f.filter) : f.type === "literal" ? [] : [f];
    fc.assert(
      fc.property(arbitraryFilter, (f) => {
        const seen: Filter[] = [];
        forEachTest(f, (test) => seen.push(test));
        expect(seen).toEqual(leaves(f));
        // The very nodes, not copies.
        seen.forEach((node, i) => expect(node).toBe(leaves(f)[i]));
      }),
      { numRuns: 300 },
    );
  });

  it("refuses a tree deeper than the limit with a RangeError, not a stack overflow", () => {
    let deep: Filter = { type: "presence", field: ["a"] };
    for (let i = 0; i < 100_000; i++) deep = { type: "not", filter: deep };
    expect(() => forEachTest(deep, () => undefined)).toThrow(RangeError);
  });
});
