import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareIgnoringCase, compileFilter, matchesFilter, parseFilter, sortResources, type EvaluateOptions, type Filter, type FilterValue } from "../src/index.js";
import type { ExtendedOperator } from "../src/index.js";
import { modelCompareIgnoringCase, modelCompareNumbers, modelEvaluate } from "./helpers/evaluation-model.js";

// Every answer is checked on the three ways of evaluating: a generated function (compileFilter),
// closures (compileFilter with generateCode: false, as where code generation is forbidden) and
// matchesFilter; they must agree.
const m = (filter: string, resource: unknown, options: EvaluateOptions = {}) => {
  const parsed = parseFilter(filter);
  const generated = compileFilter(parsed, options)(resource);
  expect(compileFilter(parsed, { ...options, generateCode: false })(resource)).toBe(generated);
  expect(matchesFilter(parsed, resource, options)).toBe(generated);
  return generated;
};

// operator × value kind × resource value → expected. `ci` marks rows that depend on case.
const table: Array<[string, unknown, boolean]> = [
  // strings, case-insensitive by default
  ["/v eq 'Alice'", "alice", true],
  ["/v eq 'Alice'", "ALICE", true],
  ["/v eq 'Alice'", "Alicia", false],
  ["/v co 'LIC'", "alice", true],
  ["/v co 'xyz'", "alice", false],
  ["/v sw 'AL'", "alice", true],
  ["/v sw 'li'", "alice", false],
  ["/v lt 'b'", "Alice", true],
  ["/v lt 'B'", "alice", true],
  ["/v le 'alice'", "ALICE", true],
  ["/v gt 'alice'", "Bob", true],
  ["/v ge 'BOB'", "bob", true],
  ["/v gt 'b'", "a", false],
  ["/v eq 'É'", "é", true],
  // eq lt le gt ge: code points folded lower(upper(cp))
  ["/v eq 'I'", "İ", true],
  ["/v eq 'i'", "İ", true],
  ["/v eq '𐐨'", "𐐀", true],
  ["/v eq 's'", "ſ", true],
  ["/v eq 'ß'", "SS", false],
  ["/v gt 'ﬀ'", "😀", true],
  ["/v lt '\uFFFF'", "😀", false],
  ["/v eq 'σ'", "ς", true],
  ["/v eq 'k'", "\u212A", true],
  // co sw: both whole strings lower-cased
  ["/v co 'ſ'", "S", false],
  ["/v co 's'", "ſ", false],
  ["/v co 'I'", "İ", true],
  ["/v sw 'i'", "İ", true],
  ["/v co 'σ'", "ΟΔΟΣ", false],
  ["/v co 'ς'", "ΟΔΟΣ", true],
  ["/v co 'σ'", "ΣΑ", true],
  ["/v co 'ı'", "I", false],
  ["/v sw 'µ'", "Μ", false],
  ["/v co 'k'", "\u212A", true],
  // IDM's in: a JSON array of values, each compared by the rule of eq
  [`/v in '["bjensen","scarter"]'`, "BJensen", true],
  [`/v in '["bjensen","scarter"]'`, "tmorris", false],
  [`/v in '["İ"]'`, "i", true],
  [`/v in '[1, 2.5, true]'`, 2.5, true],
  [`/v in '[1, 2.5, true]'`, "1", false],
  [`/v in '[null]'`, null, false],
  [`/v in '[]'`, "x", false],
  // numbers: integer and decimal literals, JS numbers and bigints in the resource
  ["/v eq 42", 42, true],
  ["/v eq 42", 42.0, true],
  ["/v eq 42.0", 42, true],
  ["/v eq 42", 42n, true],
  ["/v eq 9007199254740993", 9007199254740993n, true],
  // an integer literal meets a JSON number as the nearest double (2^53 + 1 rounds to 2^53)
  ["/v lt 9007199254740993", 9007199254740992, false],
  ["/v eq 9007199254740993", 9007199254740992, true],
  ["/v gt 9223372036854775807", 9223372036854775808, false],
  ["/v ge 9223372036854775807", 9223372036854775808, true],
  ["/v gt 9223372036854775807", 9223372036854775808n, true],
  ["/v gt 1.5", 2n, true],
  ["/v le 1.5", 1, true],
  ["/v ge 2", 1.999, false],
  ["/v co 42", 42, true],
  ["/v sw 4", 42, false],
  // Double.compare: -0.0 is below 0.0, NaN above everything and equal to itself
  ["/v eq -0.0", 0, false],
  ["/v lt 0.0", -0, true],
  ["/v eq 0", -0, false],
  ["/v eq 0", 0n, true],
  ["/v gt 1.0e300", Number.NaN, true],
  ["/v eq 1.0e300", Number.NaN, false],
  // booleans
  ["/v eq true", true, true],
  ["/v eq true", false, false],
  ["/v co true", true, true],
  ["/v sw false", false, true],
  ["/v gt false", true, true],
  ["/v lt false", true, false],
  // incompatible types never match and are not errors
  ["/v eq '42'", 42, false],
  ["/v eq 42", "42", false],
  ["/v eq true", "true", false],
  ["/v eq 1", true, false],
  ["/v co 'x'", 12, false],
  ["/v lt 'z'", 5, false],
  ["/v eq 'x'", { x: 1 }, false],
  // null and missing
  ["/v eq 'x'", null, false],
  ["/v pr", null, false],
  ["/v pr", undefined, false],
  ["/v pr", "", true],
  ["/v pr", 0, true],
  ["/v pr", false, true],
  ["/v pr", [], true],
  ["/v pr", {}, true],
  ["!(/v pr)", null, true],
  // arrays: any element
  ["/v eq 'b'", ["a", "B", "c"], true],
  ["/v eq 'z'", ["a", "b"], false],
  ["/v gt 10", [1, 2, 30], true],
  ["/v eq 'x'", [], false],
  ["/v eq 'x'", [null, "X"], true],
  ["/v/0 eq 'a'", ["a", "b"], true],
  ["/v/1 eq 'a'", ["a", "b"], false],
  ["/v/5 pr", ["a"], false],
];

describe("matchesFilter: operators × types", () => {
  it.each(table)("%s on %o is %s", (filter, value, expected) => {
    expect(m(filter, { v: value })).toBe(expected);
  });

  it("compares strings with their case when asked", () => {
    expect(m("/v eq 'Alice'", { v: "alice" }, { caseSensitive: true })).toBe(false);
    expect(m("/v eq 'Alice'", { v: "Alice" }, { caseSensitive: true })).toBe(true);
    expect(m("/v co 'LIC'", { v: "alice" }, { caseSensitive: true })).toBe(false);
    expect(m("/v sw 'al'", { v: "alice" }, { caseSensitive: true })).toBe(true);
    expect(m("/v lt 'a'", { v: "B" }, { caseSensitive: true })).toBe(true);
  });
});

describe("matchesFilter: pointers", () => {
  const user = {
    name: { given: "Babs", family: "Jensen" },
    roles: [
      { _ref: "managed/role/1", _refResourceId: "admin" },
      { _ref: "managed/role/2", _refResourceId: "helpdesk" },
    ],
    groups: [[{ id: "g1" }], [{ id: "g2" }]],
    "a/b": "slash",
  };

  it("follows objects, indexes arrays, and applies other segments to every element", () => {
    expect(m("/name/family eq 'jensen'", user)).toBe(true);
    expect(m("/roles/_refResourceId eq 'helpdesk'", user)).toBe(true);
    expect(m("/roles/1/_refResourceId eq 'admin'", user)).toBe(false);
    expect(m("/roles/0/_refResourceId eq 'admin'", user)).toBe(true);
    expect(m("/groups/id eq 'g2'", user)).toBe(true);
    expect(m("/a%2Fb eq 'slash'", user)).toBe(true);
    expect(m("/roles/_refResourceId pr", { roles: [] })).toBe(false);
    expect(m("/ pr", user)).toBe(true);
    expect(m("/name/given/x pr", user)).toBe(false);
  });

  it("reads own properties only, never the prototype", () => {
    expect(m("/toString pr", {})).toBe(false);
    expect(m("/constructor/name eq 'Object'", {})).toBe(false);
    expect(m("/__proto__/x pr", {})).toBe(false);
    expect(m("/hasOwnProperty pr", Object.create(null))).toBe(false);
    const polluted = JSON.parse('{"__proto__": {"x": 1}, "constructor": {"name": "evil"}}') as unknown;
    expect(m("/__proto__/x eq 1", polluted)).toBe(true);
    expect(m("/constructor/name eq 'evil'", polluted)).toBe(true);
    expect(({} as { x?: unknown }).x).toBeUndefined();
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(m("/a eq 1", bare)).toBe(true);
    expect(m("/length eq 2", { v: [1, 2] })).toBe(false);
    expect(m("/v/length eq 2", { v: [1, 2] })).toBe(false);
  });

  it("follows arrays nested 100,000 deep without exhausting the stack", () => {
    let deep: unknown = [{ k: "found" }];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(m("/v/k eq 'found'", { v: deep })).toBe(true);
    expect(m("/v/k eq 'other'", { v: deep })).toBe(false);
    expect(m("/v/x/y pr", { v: deep })).toBe(false);
    expect(m("/v eq 'x'", { v: deep })).toBe(false);
    expect(m("/v pr", { v: deep })).toBe(true);
  });

  it("tests case-insensitive co in time linear in the value (a 200 KB value, a 4 KB needle)", () => {
    // Counted, not timed: the characters read through charCodeAt and lower-cased through
    // toLowerCase are recorded, and a budget linear in the input stops a quadratic scan early.
    const value = `${"a".repeat(200_000)}b`;
    const needle = `${"A".repeat(4_000)}B`;
    const budget = 3 * (value.length + needle.length);
    const { charCodeAt, toLowerCase } = String.prototype;
    let work = 0;
    const spend = (n: number) => {
      work += n;
      if (work > budget) throw new Error(`more than ${budget} characters read`);
    };
    String.prototype.charCodeAt = function (this: string, i: number) {
      spend(1);
      return charCodeAt.call(this, i);
    };
    String.prototype.toLowerCase = function (this: string) {
      spend(this.length);
      return toLowerCase.call(this);
    };
    try {
      for (const generateCode of [true, false]) {
        work = 0;
        expect(compileFilter(parseFilter(`/v co '${needle}'`), { generateCode })({ v: value })).toBe(true);
        expect(compileFilter(parseFilter(`/v sw '${needle}'`), { generateCode })({ v: value })).toBe(false);
        // A short needle takes another route (a regular expression), within the same budget.
        work = 0;
        expect(compileFilter(parseFilter(`/v co '${"A".repeat(30)}C'`), { generateCode })({ v: value })).toBe(false);
      }
    } finally {
      String.prototype.charCodeAt = charCodeAt;
      String.prototype.toLowerCase = toLowerCase;
    }
    expect(work).toBeLessThanOrEqual(budget);
  });

  it("copes with huge arrays and deep nesting", () => {
    const big = { v: Array.from({ length: 1_000_000 }, (_, i) => i) };
    expect(m("/v eq 999999", big)).toBe(true);
    expect(m("/v gt 1000000", big)).toBe(false);
    let deep: Record<string, unknown> = { leaf: "x" };
    for (let i = 0; i < 10_000; i++) deep = { n: deep };
    expect(m("/n/n/n/n pr", deep)).toBe(true);
    expect(m("/v pr", "not an object")).toBe(false);
    expect(m("/v pr", null)).toBe(false);
    expect(m("true", undefined)).toBe(true);
  });
});

describe("extended operators and three-valued logic", () => {
  const regex = (value: unknown, assertion: FilterValue) =>
    typeof value === "string" && typeof assertion === "string" ? new RegExp(assertion, "i").test(value) : undefined;
  const options: EvaluateOptions = { extendedOperators: { regex } };
  const r = { mail: "bjensen@example.com", n: 3 };

  it("calls registered operators per value", () => {
    expect(m("/mail regex '^bj.*com$'", r, options)).toBe(true);
    expect(m("/mail regex '^x'", r, options)).toBe(false);
    expect(m("/tags regex 'b'", { tags: ["a", "b"] }, options)).toBe(true);
  });

  it("treats unregistered operators, and undefined answers, as unknown", () => {
    for (const f of ["/mail unknownop 'x'", "/n regex 3"]) {
      const opts = f.includes("unknownop") ? {} : options;
      expect(m(f, r, opts)).toBe(false);
      expect(m(`!(${f})`, r, opts)).toBe(false);
      expect(m(`${f} and true`, r, opts)).toBe(false);
      expect(m(`${f} and false`, r, opts)).toBe(false);
      expect(m(`!(${f} and false)`, r, opts)).toBe(true);
      expect(m(`${f} or true`, r, opts)).toBe(true);
      expect(m(`${f} or false`, r, opts)).toBe(false);
      expect(m(`!(${f} or false)`, r, opts)).toBe(false);
      expect(m(`!(${f} or true)`, r, opts)).toBe(false);
    }
  });

  it("never reads operator names from the prototype", () => {
    // An inherited implementation that always matches must not be found.
    const inherited = Object.create({ always: () => true, in: () => true }) as Record<string, ExtendedOperator>;
    expect(m("/mail always 'x'", r, { extendedOperators: inherited })).toBe(false);
    expect(m(`/mail in '["nobody"]'`, r, { extendedOperators: inherited })).toBe(false);
    // Object.prototype's own functions are not operators either: unknown, so their negation fails too.
    for (const name of ["toString", "constructor", "hasOwnProperty", "valueOf", "isPrototypeOf", "__proto__"]) {
      expect(m(`/mail ${name} 'x'`, r, { extendedOperators: {} })).toBe(false);
      expect(m(`!(/mail ${name} 'x')`, r, { extendedOperators: {} })).toBe(false);
    }
    expect(m("/mail constructor 'x'", r, options)).toBe(false);
    // Registered as an own property, any name works.
    expect(m("/mail toString 'x'", r, { extendedOperators: { toString: () => true } })).toBe(true);
  });
});

const keys = fc.constantFrom("a", "b", "0", "1");
// Letters whose case rules differ between eq (code point folding) and co/sw (lower-casing).
const letters = ["a", "A", "s", "S", "ſ", "i", "I", "İ", "ı", "k", "K", "\u212A", "µ", "μ", "Μ", "Σ", "σ", "ς", "𐐀", "𐐨", "😀", "ﬀ", "ß", "ẞ", "ǅ", "ǆ", "é", "É", "\uD800"];
const text = fc.array(fc.constantFrom(...letters), { maxLength: 3 }).map((parts) => parts.join(""));
const numbers = fc.constantFrom(0, -0, 1, -1.5, 0.5, 2 ** 53, 2 ** 53 + 2, 2 ** 63, Number.NaN, Number.POSITIVE_INFINITY, 1e300);
const bigints = fc.constantFrom(0n, 1n, -3n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n);
const scalar = fc.oneof(text, numbers, bigints, fc.boolean(), fc.constant(null));
const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(keys, tie("v"), { maxKeys: 3 })),
})).v;
// Filter values: strings, integer literals (bigint), decimals (number), booleans; `in` lists.
const filterValue = fc.oneof(text, bigints, fc.constantFrom(0, -0, 0.5, -1.5, 2 ** 53, 1e300, Number.POSITIVE_INFINITY), fc.boolean());
const inList = fc.array(fc.oneof(text, fc.constantFrom(1, 0.5, 2 ** 53), fc.boolean(), fc.constant(null)), { maxLength: 3 }).map((items) => JSON.stringify(items));
const comparison = fc.oneof(
  fc.record({ operator: fc.constantFrom("eq", "co", "sw", "lt", "le", "gt", "ge", "regex", "flip"), field: fc.array(keys, { maxLength: 3 }), value: filterValue }),
  fc.record({ operator: fc.constant("in"), field: fc.array(keys, { maxLength: 3 }), value: inList }),
);
const testFilter = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small" },
    fc.array(keys, { maxLength: 3 }).map((field): Filter => ({ type: "presence", field })),
    comparison.map((c): Filter => ({ type: "comparison", ...c })),
    fc.boolean().map((value): Filter => ({ type: "literal", value })),
    tie("f").map((filter): Filter => ({ type: "not", filter })),
    fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "and", filters })),
    fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "or", filters })),
  ),
})).f;
// A registered operator answering all three ways; `regex` stays unregistered (unknown).
const flip = (value: unknown): boolean | undefined => (typeof value === "string" ? value.length % 2 === 0 : typeof value === "boolean" ? undefined : false);

describe("compileFilter against an independent model of the evaluation rules", () => {
  it("agrees on random filters × random resources, with and without case", () => {
    fc.assert(
      fc.property(testFilter, fc.array(json, { minLength: 1, maxLength: 8 }), fc.boolean(), (f, resources, caseSensitive) => {
        const compiled = compileFilter(f, { caseSensitive, extendedOperators: { flip } });
        const closures = compileFilter(f, { caseSensitive, extendedOperators: { flip }, generateCode: false });
        for (const r of resources) {
          const expected = modelEvaluate(f, r, { caseSensitive, operators: { flip } }) === true;
          expect(compiled(r)).toBe(expected);
          expect(closures(r)).toBe(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("orders strings as the model's compareToIgnoreCase, and numbers as its Double.compare", () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareIgnoringCase(a, b))).toBe(modelCompareIgnoringCase(a, b));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.oneof(numbers, bigints), fc.oneof(numbers, bigints), (a, b) => {
        const sorted = sortResources([{ v: a }, { v: b }], [{ field: ["v"], descending: false }]);
        // The model compares a resource value with a filter value; with two doubles or two bigints
        // that is the order of the values themselves.
        if (typeof a === typeof b && !(typeof a === "number" && Number.isNaN(a) && Number.isNaN(b))) {
          const c = modelCompareNumbers(a, b);
          expect(sorted[0]?.v).toBe(c > 0 ? b : a);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
