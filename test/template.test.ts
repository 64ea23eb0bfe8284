import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { and, decimal, decodeQueryFilter, encodeQueryFilter, field, filter, FilterSyntaxError, parseFilter } from "../src/index.js";
import { hostileString } from "./helpers/arbitraries.js";
import { caught } from "./helpers/errors.js";

const syntaxError = (build: () => unknown): FilterSyntaxError => caught(FilterSyntaxError, build);

describe("filter`...`", () => {
  it("turns interpolated values into literals of their type", () => {
    const f = filter`/mail eq ${"o'brien@example.com"} and /age gt ${30} and /score ge ${decimal(1)} and /vip eq ${true} and /n lt ${2n ** 62n}`;
    expect(String(f)).toBe(`/mail eq "o'brien@example.com" and /age gt 30 and /score ge 1.0 and /vip eq true and /n lt 4611686018427387904`);
  });

  it("reads the text with the real parser: keywords, case, precedence", () => {
    expect(filter`A EQ ${1} OR b pr AND c pr`).toEqual(parseFilter("A EQ 1 OR b pr AND c pr"));
  });

  it("takes field() and pointer arrays in field position", () => {
    expect(filter`${field("/roles/_refResourceId")} eq ${"admin"}`).toEqual(field("roles/_refResourceId").eq("admin"));
    expect(filter`${["a/b"]} pr`).toEqual({ type: "presence", field: ["a/b"] });
  });

  it("embeds interpolated filters as groups", () => {
    const either = filter`/a pr or /b pr`;
    expect(filter`${either} and /c pr`).toEqual({
      type: "and",
      filters: [{ type: "or", filters: [{ type: "presence", field: ["a"] }, { type: "presence", field: ["b"] }] }, { type: "presence", field: ["c"] }],
    });
    expect(String(filter`!(${and(field("a").pr(), field("b").pr())})`)).toBe("!(/a pr and /b pr)");
  });

  it.each([
    ["a value where a field belongs", () => filter`${"mail"} eq 1`, 0, /interpolation \$\{0\} \(a value\)/],
    ["a value where an operator belongs", () => filter`/a ${"eq"} 1`, 3, /Expected an operator/],
    ["a field where a value belongs", () => filter`/a eq ${field("b")}`, 6, /found interpolation \$\{0\} \(a field\)/],
    ["a filter where a value belongs", () => filter`/a eq ${field("b").pr()}`, 6, /\(a filter\)/],
    ["an interpolation inside quotes", () => filter`/a eq '${"x"}'`, 7, /inside a quoted string/],
    ["an interpolation joined to a word", () => filter`/a eq 1 and /roles/${"x"} pr`, 19, /joined to other text/],
    ["a stray word after a value", () => filter`/a eq 1 and /b eq ${"x"} c`, 23, /Expected 'and', 'or'/],
  ] as const)("refuses %s, with the position", (_what, build, offset, message) => {
    const e = syntaxError(build);
    expect(e.offset).toBe(offset);
    expect(e.message).toMatch(message);
  });

  it("refuses values no filter can hold at build time", () => {
    expect(() => filter`/a eq ${Number.NaN}`).toThrow(/interpolation \$\{0\}: NaN/);
    expect(() => filter`/a eq ${null as unknown as string}`).toThrow(TypeError);
    expect(() => filter`/a eq ${{} as unknown as string}`).toThrow(TypeError);
  });

  it("produces exactly one comparison whose value is any interpolated string (injection)", () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const f = filter`/sn eq ${s}`;
        expect(f).toEqual({ type: "comparison", operator: "eq", field: ["sn"], value: s });
        expect(parseFilter(decodeQueryFilter(encodeQueryFilter(f)))).toEqual(f);
      }),
      { numRuns: 2000 },
    );
  });
});
