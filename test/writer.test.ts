import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatFilter, formatValue, parseFilter, type Filter } from "../src/index.js";
import { filter, hostileString } from "./helpers/arbitraries.js";

describe("formatFilter: canonical form", () => {
  it.each([
    ["NAME   EQ 'O\\'Brien' AND (a pr OR b pr)", '/NAME eq "O\'Brien" and (/a pr or /b pr)'],
    ["a pr and b pr or c pr", "/a pr and /b pr or /c pr"],
    ["(a pr and b pr) and c pr", "(/a pr and /b pr) and /c pr"],
    ["a pr or (b pr or c pr)", "/a pr or (/b pr or /c pr)"],
    ["((a pr))", "/a pr"],
    ["! a pr", "!(/a pr)"],
    ["! (! (a pr))", "!(!(/a pr))"],
    ["TRUE and False", "true and false"],
    ["a eq 1.", "/a eq 1.0"],
    ["a eq .5", "/a eq 0.5"],
    ["a eq 1.0e21", "/a eq 1.0e+21"],
    ["a eq 1.5e-7", "/a eq 1.5e-7"],
    ["a eq -0.0", "/a eq -0.0"],
    ["a eq 00012", "/a eq 12"],
    ["a eq +5", "/a eq 5"],
    ["a eq 'say \"hi\"'", '/a eq "say \\"hi\\""'],
    ["a eq 'back\\\\slash'", '/a eq "back\\\\slash"'],
    ["a%2Fb pr", "/a%2Fb pr"],
    ["a%20b pr", "/a%20b pr"],
    ["/a%25b pr", "/a%25b pr"],
    ["/a%28%29 pr", "/a%28%29 pr"],
    ["/ pr", "/ pr"],
    ["// pr", "// pr"],
    ["/a// pr", "/a// pr"],
    ["/a/b/ pr", "/a/b pr"],
    ["/é/😀 pr", "/é/😀 pr"],
    ["/a%C2%A0b pr", "/a%C2%A0b pr"],
    ["!a pr", "/!a pr"],
    ["/true pr", "/true pr"],
    ["a Regex 'x'", '/a Regex "x"'],
    ["a eq 'x'and b pr", '/a eq "x" and /b pr'],
  ])("%j is written %j", (input, canonical) => {
    expect(formatFilter(parseFilter(input))).toBe(canonical);
  });

  it("writes empty and single-operand groups by their meaning", () => {
    const a: Filter = { type: "presence", field: ["a"] };
    expect(formatFilter({ type: "and", filters: [] })).toBe("true");
    expect(formatFilter({ type: "or", filters: [] })).toBe("false");
    expect(formatFilter({ type: "and", filters: [a] })).toBe("/a pr");
    expect(formatFilter({ type: "and", filters: [{ type: "or", filters: [a] }, a] })).toBe("/a pr and /a pr");
  });

  it("refuses filters no server can read", () => {
    const cmp = (operator: string, value: unknown) =>
      ({ type: "comparison", operator, field: ["a"], value }) as Filter;
    expect(() => formatFilter(cmp("eq", Number.NaN))).toThrow(TypeError);
    expect(() => formatFilter(cmp("eq", Number.POSITIVE_INFINITY))).toThrow(/finite/);
    expect(() => formatFilter(cmp("eq", 2n ** 63n))).toThrow(/64-bit/);
    expect(() => formatFilter(cmp("EQ", 1n))).toThrow(/cannot be written/);
    expect(() => formatFilter(cmp("o-p", 1n))).toThrow(/cannot be written/);
    expect(() => formatFilter(cmp("pr", 1n))).toThrow(/cannot be written/);
    expect(() => formatFilter(cmp("eq", "\ud800"))).toThrow(/lone surrogate/);
    expect(() => formatFilter(cmp("eq", null))).toThrow(TypeError);
    expect(() => formatFilter({ type: "presence", field: ["\udfff"] })).toThrow(/lone surrogate/);
    expect(() => formatFilter({ type: "nope" } as unknown as Filter)).toThrow(/Not a filter node/);
  });

  it("bounds the depth it recurses to", () => {
    // One-operand groups write no parentheses, so only the depth guard stops them.
    let deep: Filter = { type: "literal", value: true };
    for (let i = 0; i < 5000; i++) deep = { type: "and", filters: [deep] };
    expect(() => formatFilter(deep)).toThrow(/deeper than 1000/);
  });

  it("escapes only backslash and double quote in strings", () => {
    expect(formatValue("a'b\n\t")).toBe("\"a'b\n\t\"");
    expect(formatValue(1)).toBe("1.0");
    expect(formatValue(1n)).toBe("1");
    expect(formatValue(5e-324)).toBe("5.0e-324");
  });
});

describe("formatFilter: round trips", () => {
  it("parseFilter(formatFilter(f)) equals f for arbitrary filters", () => {
    fc.assert(
      fc.property(filter, (f) => {
        expect(parseFilter(formatFilter(f))).toEqual(f);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps arbitrary string values exact", () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const f: Filter = { type: "comparison", operator: "eq", field: ["x"], value: s };
        expect(parseFilter(formatFilter(f))).toEqual(f);
      }),
    );
  });

  it("formatFilter(parseFilter(s)) means what s means, for every accepted corpus input", () => {
    const lines = ["parse-cases.jsonl", "parse-random.jsonl"].flatMap((name) =>
      readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8").split("\n").filter(Boolean),
    );
    let accepted = 0;
    for (const line of lines) {
      const { input } = JSON.parse(line) as { input: string };
      let parsed: Filter;
      try {
        parsed = parseFilter(input);
      } catch {
        continue;
      }
      accepted++;
      const canonical = formatFilter(parsed);
      expect(parseFilter(canonical)).toEqual(parsed);
      expect(formatFilter(parseFilter(canonical))).toBe(canonical);
    }
    expect(accepted).toBeGreaterThan(400);
  });
});

describe("formatFilter: the servers' nesting limit", () => {
  const negations = (n: number): Filter => {
    let f: Filter = { type: "presence", field: ["a"] };
    for (let i = 0; i < n; i++) f = { type: "not", filter: f };
    return f;
  };
  // or inside and inside or ...: each or inside an and needs a group.
  const alternating = (n: number): Filter => {
    let f: Filter = { type: "presence", field: ["a"] };
    for (let i = 0; i < n; i++) f = { type: i % 2 === 0 ? "or" : "and", filters: [f, { type: "presence", field: ["b"] }] };
    return f;
  };

  it("writes 63 nested groups and refuses 64, naming the nesting", () => {
    expect(parseFilter(formatFilter(negations(63)))).toEqual(negations(63));
    expect(() => formatFilter(negations(64))).toThrow(RangeError);
    expect(() => formatFilter(negations(64))).toThrow(/more than 63 nested groups .*maxNesting/);
    expect(parseFilter(formatFilter(alternating(126)))).toEqual(alternating(126));
    expect(() => formatFilter(alternating(128))).toThrow(/more than 63 nested groups/);
  });

  it("writes deeper filters when the caller raises the limit, and checks the option", () => {
    expect(formatFilter(negations(64), { maxNesting: 64 })).toBe(`${"!(".repeat(64)}/a pr${")".repeat(64)}`);
    expect(() => formatFilter(negations(2), { maxNesting: 1 })).toThrow(/more than 1 nested groups/);
    expect(() => formatFilter(negations(1), { maxNesting: Number.NaN })).toThrow(/maxNesting must be a whole number/);
    expect(() => formatFilter(negations(1), { maxNesting: 3, depth: 1 } as never)).toThrow(/unknown option "depth"/);
  });

  it("property: the writer accepts a filter at a limit exactly when the parser accepts its text at that limit", () => {
    fc.assert(
      fc.property(filter, fc.integer({ min: 0, max: 4 }), (f, maxNesting) => {
        const text = formatFilter(f, { maxNesting: 200 });
        let parsed = true;
        try {
          parseFilter(text, { maxNesting });
        } catch {
          parsed = false;
        }
        let written: string | undefined;
        try {
          written = formatFilter(f, { maxNesting });
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
        }
        expect(written !== undefined).toBe(parsed);
        if (written !== undefined) expect(written).toBe(text);
      }),
      { numRuns: 1500 },
    );
  });
});
