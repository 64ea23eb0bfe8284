import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkFilter, DEFAULT_MAX_NESTING, FilterSyntaxError, formatFilter, parseFilter, type Filter, type ParseFilterOptions } from "../src/index.js";
import { filterish } from "./helpers/arbitraries.js";
import { keywordLetter } from "../src/language/lexer.js";

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

  // parseFilter reads one-test filters without the grammar; checkFilter always uses the grammar.
  const outcome = (run: () => Filter) => {
    try {
      return { filter: run() };
    } catch (e) {
      const error = e as FilterSyntaxError;
      return { error: [error.name, error.code, error.offset, error.length, error.message, error.expected] };
    }
  };
  const shortTests = fc.array(fc.constantFrom("a", "/b", "!", "!a", "and", "or", "pr", "PR", "ſw", "eq", "Eq", "co", "ne", "true", "FALSE",
    "'x'", '"y"', "1", "1.5", "1e5", "null", "(", ")", "=", "%zz", "a\tb", "9223372036854775808", "\"x\"y"), { minLength: 1, maxLength: 3 })
    .map((words) => words.join(" "));

  it("gives the same result and the same errors for one-test filters as the full grammar", () => {
    fc.assert(
      fc.property(fc.oneof(shortTests, filterish), (text) => {
        const grammar = outcome(() => {
          const checked = checkFilter(text);
          if (checked.ok) return checked.filter;
          throw checked.error;
        });
        expect(outcome(() => parseFilter(text))).toEqual(grammar);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("parseFilter: hostile input costs time linear in its length", () => {
  const code = (input: string): string | undefined => {
    try {
      parseFilter(input);
      return undefined;
    } catch (e) {
      expect(e).toBeInstanceOf(FilterSyntaxError);
      return (e as FilterSyntaxError).code;
    }
  };

  it("reads hexadecimal decimals with huge exponents at once", () => {
    expect(code("/a eq 0x1.p99999999999999999999")).toBe("number-out-of-range");
    expect(code("/a eq 0x1.p100000000000")).toBe("number-out-of-range");
    expect(parseFilter("/a eq 0x1.p-99999999999999999999")).toMatchObject({ value: 0 });
    expect(parseFilter("/a eq -0x0.p99999999999999999999")).toMatchObject({ value: -0 });
    expect(parseFilter("/a eq 0x1.8p1")).toMatchObject({ value: 3 });
    expect(parseFilter("/a eq 0x.8p-1073")).toMatchObject({ value: Number.MIN_VALUE });
  });

  it("keeps hexadecimal decimals with many digits correctly rounded", () => {
    // 2^53 + 1 + a tail: the tail must round up, not be dropped before rounding.
    expect(parseFilter("/a eq 0x20000000000001.000000000000000000001p0")).toMatchObject({ value: 2 ** 53 + 2 });
    expect(parseFilter("/a eq 0x20000000000001.p0")).toMatchObject({ value: 2 ** 53 });
    expect(parseFilter(`/a eq 0x${"f".repeat(300)}.p-1200`)).toMatchObject({ value: 2 ** 0 });
  });

  it("does not backtrack over long digit runs or trailing tabs", () => {
    const big = 200_000;
    expect(code(`/a eq ${"1".repeat(big)}.x`)).toBe("invalid-number");
    expect(parseFilter(`/a eq 1.${"\t".repeat(big)}`)).toMatchObject({ value: 1 });
    expect(code(`/a eq 1.${"\t".repeat(big)}x`)).toBe("invalid-number");
    expect(code(`/a eq ${"1".repeat(big)}`)).toBe("number-out-of-range");
    expect(code(`/a eq 0x${"1".repeat(big)}.x`)).toBe("invalid-number");
    expect(code(`/a eq ${"1".repeat(big)}e${"1".repeat(big)}`)).toBe("invalid-number");
  });

  it("keeps messages about long words short", () => {
    const e = caughtSyntax(`/a eq ${"1".repeat(100_000)}.x`);
    expect(e.message.length).toBeLessThan(400);
    expect(caughtSyntax(`/a eq ${"1".repeat(100_000)}`).message.length).toBeLessThan(400);
  });

  it("parses an 8.4 MB string literal (no stack overflow in the lexer)", () => {
    const plain = parseFilter(`/a eq "${"x".repeat(8_400_000)}"`);
    expect(((plain as { value: string }).value).length).toBe(8_400_000);
    const escaped = parseFilter(`/a eq '${"x\\'".repeat(2_800_000)}'`);
    expect(((escaped as { value: string }).value).length).toBe(5_600_000);
    expect(code(`/a eq "${"x".repeat(8_400_000)}`)).toBe("unterminated-string");
  });

  // Words that look almost like numbers, repeated to 64 KB and to 1 MB: a linear reader takes about
  // 16 times as long for the larger; a quadratic one 256 times. The bound is generous on purpose.
  const unit = fc.array(fc.constantFrom("1", "0", "9", ".", "e", "E", "+", "-", "x", "X", "p", "P", "a", "f", "d", "\t", "\u0661", "_"), { minLength: 1, maxLength: 6 })
    .map((chars) => chars.join(""));
  const nearNumber = fc.record({
    prefix: fc.constantFrom("", "0x", "-", "+", "1.", "0x1.", "\t"),
    unit,
    suffix: fc.constantFrom("", ".", ".x", "p1", "e5", "f", "\t", "'"),
  });
  const sized = ({ prefix, unit: u, suffix }: { prefix: string; unit: string; suffix: string }, size: number) =>
    `/a eq ${prefix}${u.repeat(Math.ceil(size / u.length))}${suffix}`;
  const fastest = (input: string): number => {
    let best = Infinity;
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      code(input);
      best = Math.min(best, performance.now() - start);
    }
    return best;
  };

  it("property: parse time grows linearly on random near-number words up to 1 MB", () => {
    fc.assert(
      fc.property(nearNumber, (shape) => {
        const small = fastest(sized(shape, 1 << 16));
        const large = fastest(sized(shape, 1 << 20));
        // 16× is linear; the slack absorbs a loaded machine. Quadratic reading costs minutes here.
        expect(large).toBeLessThan(64 * small + 500);
      }),
      {
        numRuns: 12,
        examples: [
          [{ prefix: "", unit: "1", suffix: ".x" }],
          [{ prefix: "1.", unit: "\t", suffix: "" }],
          [{ prefix: "0x1.", unit: "9", suffix: "" }],
          [{ prefix: "", unit: "1.", suffix: "" }],
          [{ prefix: "0x", unit: "f", suffix: ".p1" }],
        ],
      },
    );
  }, 60_000);
});

describe("parseFilter: options", () => {
  it.each([Number.NaN, 1.5, -1, Infinity, -Infinity])("refuses maxNesting %s, which would distort the cap", (value) => {
    expect(() => parseFilter("a pr", { maxNesting: value })).toThrow(RangeError);
    expect(() => parseFilter("a pr", { maxNesting: value })).toThrow(/maxNesting must be a whole number/);
  });

  it("refuses a maxNesting that is not a number", () => {
    expect(() => parseFilter("a pr", { maxNesting: "5" as unknown as number })).toThrow(/maxNesting must be a number, got string/);
    expect(() => parseFilter("a pr", { maxNesting: null as unknown as number })).toThrow(TypeError);
  });

  it("refuses unknown options and options that are not an object, naming them", () => {
    expect(() => parseFilter("a pr", { maxNestng: 3 } as unknown as ParseFilterOptions)).toThrow(/unknown option "maxNestng"; the options are maxNesting/);
    expect(() => parseFilter("a pr", 5 as unknown as ParseFilterOptions)).toThrow(/options must be an object, got number/);
    expect(() => parseFilter("a pr", null as unknown as ParseFilterOptions)).toThrow(TypeError);
  });

  it("still takes 0, whole numbers and undefined", () => {
    expect(parseFilter("a pr", { maxNesting: 0 })).toEqual(pr("a"));
    expect(() => parseFilter("(a pr)", { maxNesting: 0 })).toThrow(/at most 0 nested groups/);
    expect(parseFilter("(a pr)", { maxNesting: undefined })).toEqual(pr("a"));
    expect(parseFilter("(a pr)", {})).toEqual(pr("a"));
  });
});

function caughtSyntax(input: string): FilterSyntaxError {
  try {
    parseFilter(input);
  } catch (e) {
    if (e instanceof FilterSyntaxError) return e;
    throw e;
  }
  throw new Error(`${input.slice(0, 30)} parsed`);
}

describe("parseFilter: keywords fold like Java's equalsIgnoreCase", () => {
  it("reads keywords spelt with ſ (U+017F), which Java folds to s", () => {
    expect(parseFilter("falſe")).toEqual({ type: "literal", value: false });
    expect(parseFilter("FALſE")).toEqual({ type: "literal", value: false });
    expect(parseFilter("/a ſw 'x'")).toEqual({ type: "comparison", operator: "sw", field: ["a"], value: "x" });
    expect(parseFilter("/a ſW 'x'")).toMatchObject({ operator: "sw" });
    expect(parseFilter("/a eq falſe")).toEqual({ type: "comparison", operator: "eq", field: ["a"], value: false });
    // Only where a keyword can stand: as a field it stays a field, spelt as it was.
    expect(parseFilter("ſw pr")).toEqual(pr("ſw"));
    expect(formatFilter(parseFilter("/a ſw 'x' or falſe"))).toBe('/a sw "x" or false');
  });

  it("does not fold letters Java keeps apart", () => {
    // ß upper-cases to "SS" (two letters), ſt is one ligature, ＳＷ are full-width: none is a keyword.
    expect(() => parseFilter("/a ＳＷ 'x'")).toThrow(/is not an operator/);
    expect(() => parseFilter("/a ﬆw 'x'")).toThrow(FilterSyntaxError);
    expect(parseFilter("/a eq 'x' ΑND b pr".replace("ΑND", "and"))).toMatchObject({ type: "and" });
    expect(() => parseFilter("/a eq 'x' ΑND b pr")).toThrow(FilterSyntaxError); // Greek capital alpha
  });

  it("knows exactly which characters fold to an ASCII letter", () => {
    // Java's rule, char by char: equal, or upper cases equal, or lower cases of the upper cases
    // equal, with the simple one-character case mappings. JavaScript's mappings agree wherever they
    // give one character; U+0130 is the one character whose simple lower case (i) JavaScript
    // replaces by a two-character full mapping.
    const simpleUpper = (c: number) => (String.fromCharCode(c).toUpperCase().length === 1 ? String.fromCharCode(c).toUpperCase().charCodeAt(0) : c);
    const simpleLower = (c: number) => (c === 0x130 ? 0x69 : String.fromCharCode(c).toLowerCase().length === 1 ? String.fromCharCode(c).toLowerCase().charCodeAt(0) : c);
    const folds = (c: number, letter: number) => c === letter || simpleUpper(c) === simpleUpper(letter) || simpleLower(simpleUpper(c)) === simpleLower(simpleUpper(letter));
    const found: string[] = [];
    const wrong: string[] = [];
    for (let c = 0x80; c < 0x10000; c++) {
      const actual = keywordLetter(c);
      for (let letter = 0x61; letter <= 0x7a; letter++) {
        const expected = folds(c, letter);
        if ((actual === letter) !== expected) wrong.push(`${c.toString(16)}:${String.fromCharCode(letter)}`);
        if (expected) found.push(`${c.toString(16)}:${String.fromCharCode(letter)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(found).toEqual(["130:i", "131:i", "17f:s", "212a:k"]);
    for (let c = 0; c < 0x80; c++) {
      const ch = String.fromCharCode(c);
      expect(keywordLetter(c)).toBe(/[a-z]/i.test(ch) ? ch.toLowerCase().charCodeAt(0) : -1);
    }
  });
});
