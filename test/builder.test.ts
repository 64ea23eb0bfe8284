import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  always,
  and,
  decimal,
  decodeQueryFilter,
  encodeQueryFilter,
  field,
  fieldsOf,
  FilterSyntaxError,
  formatFilter,
  literal,
  never,
  not,
  or,
  parseFilter,
  type BuilderValue,
  type Filter,
  type FilterValue,
} from "../src/index.js";
import { filter as arbitraryFilter, hostileString } from "./helpers/arbitraries.js";

describe("field()", () => {
  it("builds every core test, presence and extended operators", () => {
    const mail = field("/mail");
    for (const op of ["eq", "co", "sw", "lt", "le", "gt", "ge"] as const) {
      expect(mail[op]("x")).toEqual({ type: "comparison", operator: op, field: ["mail"], value: "x" });
    }
    expect(mail.pr()).toEqual({ type: "presence", field: ["mail"] });
    expect(mail.op("regex", "^a")).toEqual({ type: "comparison", operator: "regex", field: ["mail"], value: "^a" });
    expect(mail.op("EQ", "x")).toEqual(mail.eq("x"));
  });

  it("reads pointer text like the parser, or takes segments as they are", () => {
    expect(field("roles/0/_refResourceId").pointer).toEqual(["roles", "0", "_refResourceId"]);
    expect(field("/a%2Fb").pointer).toEqual(["a/b"]);
    expect(field(["a/b", "c d"]).pointer).toEqual(["a/b", "c d"]);
    expect(String(field(["a/b", "c d"]))).toBe("/a%2Fb/c%20d");
    expect(() => field("/a b")).toThrow(FilterSyntaxError);
  });

  it("keeps number kinds: integers as bigint, fractions and decimal() as decimals", () => {
    expect(field("n").eq(42).toString()).toBe("/n eq 42");
    expect(field("n").eq(1.5).toString()).toBe("/n eq 1.5");
    expect(field("n").eq(decimal(1)).toString()).toBe("/n eq 1.0");
    expect(field("n").eq(9007199254740993n).toString()).toBe("/n eq 9007199254740993");
    expect(field("n").eq(-0).toString()).toBe("/n eq 0");
    expect(field("n").eq(decimal(-0)).toString()).toBe("/n eq -0.0");
  });

  it.each([
    [Number.NaN, /NaN is not a finite number/],
    [Number.POSITIVE_INFINITY, /Infinity is not a finite number/],
    [undefined, /undefined is not a filter value/],
    [null, /null is not a filter value/],
    [{}, /an object is not a filter value/],
    [[1], /an array is not a filter value/],
    [2 ** 60, /beyond the exact range/],
    [2n ** 63n, /does not fit a signed 64-bit integer/],
    ["\ud800", /lone surrogate/],
  ])("refuses %s with a TypeError naming the field", (value, message) => {
    expect(() => field("/age").gt(value as BuilderValue)).toThrow(TypeError);
    expect(() => field("/age").gt(value as BuilderValue)).toThrow(message);
    expect(() => field("/age").gt(value as BuilderValue)).toThrow(/field \/age/);
  });

  it("refuses operator names that are not names", () => {
    expect(() => field("a").op("o-p", 1)).toThrow(/not an operator name/);
    expect(() => field("a").op("pr", 1)).toThrow(TypeError);
    expect(() => decimal(Number.NaN)).toThrow(TypeError);
  });
});

describe("and, or, not, literals", () => {
  const a = field("a").pr();
  const b = field("b").pr();
  const c = field("c").pr();

  it("gives identities for empty groups and the operand for single ones", () => {
    expect(and()).toEqual(always());
    expect(or()).toEqual(never());
    expect(and(a)).toBe(a);
    expect(or(a)).toBe(a);
    expect(literal(true)).toEqual({ type: "literal", value: true });
  });

  it("flattens nested groups of the same operator, and keeps the others", () => {
    expect(and(a, and(b, c))).toEqual({ type: "and", filters: [a, b, c] });
    expect(or(or(a, b), c)).toEqual({ type: "or", filters: [a, b, c] });
    expect(and(or(a, b), c)).toEqual({ type: "and", filters: [{ type: "or", filters: [a, b] }, c] });
    expect(not(not(a))).toEqual({ type: "not", filter: { type: "not", filter: a } });
  });

  it("stringifies to the canonical form", () => {
    expect(String(and(or(a, b), not(c)))).toBe("(/a pr or /b pr) and !(/c pr)");
    expect(`${field("sn").eq("O'Brien")}`).toBe(`/sn eq "O'Brien"`);
  });

  it("refuses operands that are not filters", () => {
    expect(() => and(a, "b pr" as unknown as Filter)).toThrow(/Not a filter node: and\(\) operand 2 is "b pr"/);
    expect(() => not(undefined as unknown as Filter)).toThrow(TypeError);
  });
});

describe("fieldsOf()", () => {
  interface User {
    mail: string;
    roles: { _refResourceId: string }[];
  }
  it("builds the same filters as field()", () => {
    const user = fieldsOf<User>();
    expect(user("/roles/_refResourceId").eq("admin")).toEqual(field("/roles/_refResourceId").eq("admin"));
    expect(user("/mail").co("@")).toEqual(field("mail").co("@"));
  });
});

// Rebuild any tree with builder calls: the builder must produce the same tree, up to flattening.
function rebuild(f: Filter): Filter {
  switch (f.type) {
    case "literal":
      return literal(f.value);
    case "presence":
      return field(f.field).pr();
    case "comparison":
      return field(f.field).op(f.operator, builderValue(f.value));
    case "not":
      return not(rebuild(f.filter));
    case "and":
      return and(...f.filters.map(rebuild));
    case "or":
      return or(...f.filters.map(rebuild));
  }
}

function builderValue(value: FilterValue): BuilderValue {
  return typeof value === "number" ? decimal(value) : value;
}

function flattenGroups(f: Filter): Filter {
  if (f.type === "not") return { type: "not", filter: flattenGroups(f.filter) };
  if (f.type !== "and" && f.type !== "or") return f;
  return { type: f.type, filters: f.filters.map(flattenGroups).flatMap((g) => (g.type === f.type ? g.filters : [g])) };
}

describe("builder properties", () => {
  it("rebuilding any parsed-shape tree with builder calls gives the same tree, flattened", () => {
    fc.assert(
      fc.property(arbitraryFilter, (f) => {
        expect(rebuild(f)).toEqual(flattenGroups(f));
        expect(parseFilter(String(rebuild(f)))).toEqual(flattenGroups(f));
      }),
      { numRuns: 1000 },
    );
  });

  it("no string can change a built filter's structure (injection)", () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const built = field("/sn").eq(s);
        expect(built).toEqual({ type: "comparison", operator: "eq", field: ["sn"], value: s });
        const back = parseFilter(decodeQueryFilter(encodeQueryFilter(built)));
        expect(back).toEqual({ type: "comparison", operator: "eq", field: ["sn"], value: s });
        expect(formatFilter(back)).toBe(String(built));
      }),
      { numRuns: 2000 },
    );
  });
});
