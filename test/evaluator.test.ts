import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFilter, matchesFilter, parseFilter, type EvaluateOptions, type Filter, type FilterValue } from "../src/index.js";

const m = (filter: string, resource: unknown, options?: EvaluateOptions) => matchesFilter(parseFilter(filter), resource, options);

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
  // numbers: integer and decimal literals, JS numbers and bigints in the resource
  ["/v eq 42", 42, true],
  ["/v eq 42", 42.0, true],
  ["/v eq 42.0", 42, true],
  ["/v eq 42", 42n, true],
  ["/v eq 9007199254740993", 9007199254740993n, true],
  ["/v eq 9007199254740993", 9007199254740992, false],
  ["/v lt 9007199254740993", 9007199254740992, true],
  ["/v gt 1.5", 2n, true],
  ["/v le 1.5", 1, true],
  ["/v ge 2", 1.999, false],
  ["/v co 42", 42, true],
  ["/v sw 4", 42, false],
  ["/v eq -0.0", 0, true],
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
    expect(m("/mail toString 'x'", r, { extendedOperators: {} })).toBe(false);
    expect(m("/mail constructor 'x'", r, options)).toBe(false);
  });
});

// A deliberately simple interpreter of SPEC §3, for comparison: it collects values into arrays
// and folds case with per-character upper-then-lower, as Java does.
type T3 = boolean | undefined;
function foldChar(c: string): string {
  const u = c.toUpperCase();
  const up = u.length === 1 ? u : c;
  const l = up.toLowerCase();
  return l.length === 1 ? l : up;
}
const fold = (s: string) => Array.from({ length: s.length }, (_, i) => foldChar(s[i] as string)).join("");

function valuesAt(node: unknown, field: readonly string[]): unknown[] {
  if (field.length === 0) return [node];
  if (node === null || typeof node !== "object") return [];
  const [head, ...rest] = field as [string, ...string[]];
  if (Array.isArray(node)) {
    if (/^[0-9]+$/.test(head)) return valuesAt(node[Number(head)], rest);
    return node.flatMap((e) => valuesAt(e, field));
  }
  return Object.prototype.hasOwnProperty.call(node, head) ? valuesAt((node as Record<string, unknown>)[head], rest) : [];
}

function reference(f: Filter, r: unknown): T3 {
  switch (f.type) {
    case "literal":
      return f.value;
    case "not": {
      const x = reference(f.filter, r);
      return x === undefined ? undefined : !x;
    }
    case "and": {
      const xs = f.filters.map((g) => reference(g, r));
      return xs.includes(false) ? false : xs.includes(undefined) ? undefined : true;
    }
    case "or": {
      const xs = f.filters.map((g) => reference(g, r));
      return xs.includes(true) ? true : xs.includes(undefined) ? undefined : false;
    }
    case "presence":
      return valuesAt(r, f.field).some((v) => v !== null && v !== undefined);
    case "comparison": {
      const values = valuesAt(r, f.field).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v !== null && v !== undefined);
      if (!["eq", "co", "sw", "lt", "le", "gt", "ge"].includes(f.operator)) return undefined;
      return values.some((v) => compare(f.operator, v, f.value));
    }
  }
}

function compare(op: string, v: unknown, a: FilterValue): boolean {
  if (typeof a === "string") {
    if (typeof v !== "string") return false;
    const x = fold(v);
    const y = fold(a);
    if (op === "co") return x.includes(y);
    if (op === "sw") return x.startsWith(y);
    return ordered(op, x < y ? -1 : x > y ? 1 : 0);
  }
  const numeric = (x: unknown) => typeof x === "number" || typeof x === "bigint";
  if (numeric(a) ? !numeric(v) : typeof v !== typeof a) return false;
  const x = v as number | bigint | boolean;
  const y = a as number | bigint | boolean;
  const c = x < y ? -1 : x > y ? 1 : 0;
  return ordered(op === "co" || op === "sw" ? "eq" : op, c);
}

function ordered(op: string, c: number): boolean {
  return { eq: c === 0, lt: c < 0, le: c <= 0, gt: c > 0, ge: c >= 0 }[op as "eq"];
}

const keys = fc.constantFrom("a", "b", "0", "1");
const scalar = fc.oneof(
  fc.constantFrom("x", "X", "xy", "é", "É", "ß", "abc", "ABD", ""),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -1.5, 2n, -3n),
  fc.boolean(),
  fc.constant(null),
);
const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    scalar,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(keys, tie("v"), { maxKeys: 3 }),
  ),
})).v;
const smallValue = fc.oneof(fc.constantFrom("x", "X", "é", "ab", "abc", ""), fc.constantFrom(0n, 1n, 2n, -3n), fc.constantFrom(0.5, 2, -1.5), fc.boolean());
const testFilter = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small" },
    fc.array(keys, { maxLength: 3 }).map((field): Filter => ({ type: "presence", field })),
    fc
      .record({ operator: fc.constantFrom("eq", "co", "sw", "lt", "le", "gt", "ge", "regex"), field: fc.array(keys, { maxLength: 3 }), value: smallValue })
      .map((c): Filter => ({ type: "comparison", ...c })),
    fc.boolean().map((value): Filter => ({ type: "literal", value })),
    tie("f").map((filter): Filter => ({ type: "not", filter })),
    fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "and", filters })),
    fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "or", filters })),
  ),
})).f;

describe("compileFilter against a reference interpreter", () => {
  it("agrees on random filters × random resources", () => {
    fc.assert(
      fc.property(testFilter, fc.array(json, { minLength: 1, maxLength: 8 }), (f, resources) => {
        const compiled = compileFilter(f);
        for (const r of resources) expect(compiled(r)).toBe(reference(f, r) === true);
      }),
      { numRuns: 3000 },
    );
  });
});
