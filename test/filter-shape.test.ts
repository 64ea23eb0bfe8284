import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  and,
  assertFilter,
  compileFilter,
  field,
  filter,
  formatFilter,
  isFilter,
  isFilterNode,
  not,
  or,
  parseFilter,
  type Filter,
} from "../src/index.js";
import { filter as anyFilter } from "./helpers/arbitraries.js";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** What a call gave: its result, or its error's kind and message. */
function outcome(run: () => unknown): { readonly value: unknown } | { readonly error: string } {
  try {
    return { value: run() };
  } catch (error) {
    return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

// A structural copy to compare with after the call (bigints kept, unlike JSON).
function snapshot(value: unknown): unknown {
  return structuredClone(value);
}

describe("filter`...` with literals and whole interpolated filters", () => {
  it("reads true and false on their own", () => {
    expect(filter`true`).toEqual({ type: "literal", value: true });
    expect(filter`false`).toEqual({ type: "literal", value: false });
    expect(String(filter`false`)).toBe("false");
    expect(String(filter`TRUE`)).toBe("true");
  });

  it("takes a filter as the whole template, bare or in parentheses, without changing it", () => {
    const given = deepFreeze(parseFilter("/a pr or /b eq 1"));
    const before = snapshot(given);
    for (const result of [filter`${given}`, filter`(${given})`, filter`((${given}))`]) {
      expect(result).toEqual(given);
      expect(String(result)).toBe("/a pr or /b eq 1");
    }
    expect(given).toEqual(before);
    expect(Object.getOwnPropertyNames(given)).toEqual(["type", "filters"]);
  });

  it("never changes a built filter either (its own toString stays)", () => {
    const built = field("a").pr();
    const own = Object.getOwnPropertyDescriptor(built, "toString");
    const result = filter`${built}`;
    expect(result).not.toBe(built);
    expect(Object.getOwnPropertyDescriptor(built, "toString")).toEqual(own);
  });

  it("leaves any deep-frozen filter untouched through the tag, the builder, the writer and the evaluator", () => {
    fc.assert(
      fc.property(anyFilter, (f) => {
        const before = snapshot(f);
        const frozen = deepFreeze(f);
        const results = [filter`${frozen}`, filter`!(${frozen})`, filter`${frozen} and /z pr`, and(frozen, frozen), or(frozen), not(frozen)];
        formatFilter(frozen);
        compileFilter(frozen)({ a: 1 });
        expect(frozen).toEqual(before);
        expect(results[0]).toEqual(before);
        expect(formatFilter(results[1] as Filter)).toBe(`!(${formatFilter(frozen)})`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("filter node shapes", () => {
  const presence: Filter = { type: "presence", field: ["a"] };
  const bad: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ["a literal holding a string", { type: "literal", value: "false" }, /filter\.value is "false", not true or false/],
    ["a literal without a value", { type: "literal" }, /filter\.value is undefined/],
    ["an unknown type", { type: "regex" }, /Not a filter node: filter\.type is "regex"/],
    ["null", null, /Not a filter node: filter is null/],
    ["a string", "a pr", /Not a filter node: filter is "a pr"/],
    ["a comparison with an upper-case operator", { type: "comparison", operator: "EQ", field: ["a"], value: 1n }, /operator is "EQ", which cannot be written/],
    ["a comparison with an object value", { type: "comparison", operator: "eq", field: ["a"], value: {} }, /filter\.value is an object/],
    ["a field that is a string", { type: "presence", field: "a" }, /filter\.field is "a", not an array/],
    ["a field with a number segment", { type: "presence", field: ["a", 1] }, /filter\.field\[1\] is 1/],
    ["and without filters", { type: "and" }, /filter\.filters is undefined/],
    ["a bad operand deep inside", { type: "and", filters: [presence, { type: "not", filter: { type: "literal", value: 1 } }] }, /filter\.filters\[1\]\.filter\.value is 1/],
  ];

  it.each(bad)("refuses %s, naming the node", (_what, value, message) => {
    expect(isFilterNode(value)).toBe(false);
    expect(isFilter(value)).toBe(false);
    expect(() => assertFilter(value)).toThrow(message);
    // Every entry point for foreign objects refuses it the same way.
    expect(() => formatFilter(value as Filter)).toThrow(TypeError);
    expect(() => compileFilter(value as Filter)).toThrow(TypeError);
    expect(() => and(presence, value as Filter)).toThrow(/and\(\) operand 2/);
    expect(() => not(value as Filter)).toThrow(TypeError);
  });

  it("lets the tag refuse a malformed filter instead of reading it as true", () => {
    const forged = { type: "literal", value: "false" } as unknown as Filter;
    expect(() => filter`${forged}`).toThrow(/interpolation \$\{0\}\.value is "false"/);
    expect(() => compileFilter(forged)).toThrow(TypeError);
  });

  it("accepts every well-formed tree", () => {
    fc.assert(
      fc.property(anyFilter, (f) => {
        expect(isFilterNode(f)).toBe(true);
        expect(() => assertFilter(f)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it("agrees with a model of the shape rules on near-filters of every kind", () => {
    // The rules as the documentation states them, written out plainly (recursive; trees here are small).
    const CORE = ["eq", "co", "sw", "lt", "le", "gt", "ge"];
    const pointer = (f: unknown) => Array.isArray(f) && f.length <= 10_000 && Array.from(f as unknown[]).every((s) => typeof s === "string");
    const operator = (o: unknown) =>
      typeof o === "string" && (CORE.includes(o) || (/^[A-Za-z0-9_.]+$/.test(o) && !CORE.includes(o.toLowerCase()) && o.toLowerCase() !== "pr"));
    const model = (v: unknown, depth = 0): boolean => {
      if (depth > 1000 || typeof v !== "object" || v === null || Array.isArray(v)) return false;
      const n = v as Record<string, unknown>;
      switch (n.type) {
        case "literal":
          return typeof n.value === "boolean";
        case "presence":
          return pointer(n.field);
        case "comparison":
          return operator(n.operator) && pointer(n.field) && ["string", "boolean", "number", "bigint"].includes(typeof n.value);
        case "not":
          return model(n.filter, depth + 1);
        case "and":
        case "or":
          return Array.isArray(n.filters) && Array.from(n.filters as unknown[]).every((c) => model(c, depth + 1));
        default:
          return false;
      }
    };
    const leaf = fc.oneof(fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer(), fc.bigInt(), fc.string({ maxLength: 3 }), fc.constant([]), fc.constant({}));
    const { node } = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.record(
        {
          type: fc.constantFrom("and", "or", "not", "literal", "presence", "comparison", "nand", "AND", 1),
          operator: fc.constantFrom("eq", "EQ", "co", "ge", "regex", "my.op_1", "o-p", "pr", "Pr", "", 3),
          field: fc.oneof(fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 2 }), fc.string(), fc.constant([, "a"])),
          value: leaf,
          filter: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("node"), leaf),
          filters: fc.oneof({ depthSize: "small", withCrossShrink: true }, fc.array(tie("node"), { maxLength: 3 }), leaf, fc.constant([, { type: "literal", value: true }])),
        },
        { requiredKeys: [] },
      ),
    }));
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(node, anyFilter), (v) => {
        const expected = model(v);
        if (expected) valid++;
        expect(isFilterNode(v)).toBe(expected);
        let threw = false;
        try {
          assertFilter(v);
        } catch {
          threw = true;
        }
        expect(threw).toBe(!expected);
        // The writer checks shapes in its own pass: it refuses exactly these, with the same message.
        const written = outcome(() => formatFilter(v as Filter));
        if (!expected) expect(written).toEqual(outcome(() => assertFilter(v, "formatFilter")));
        else if ("error" in written) expect(written.error).not.toMatch(/formatFilter[.: ]/);
      }),
      { numRuns: 2000 },
    );
    // Both kinds were met often enough to mean something.
    expect(valid).toBeGreaterThan(200);
    expect(valid).toBeLessThan(1800);
  });

  it("refuses a tree with one broken node anywhere, whatever else it holds", () => {
    fc.assert(
      fc.property(anyFilter, fc.nat(), (f, pick) => {
        // Break the pick-th node (in document order) by giving it an unknown type.
        const nodes: Array<Record<string, unknown>> = [];
        const copy = structuredClone(f) as unknown as Record<string, unknown>;
        const walk = (n: Record<string, unknown>) => {
          nodes.push(n);
          if (n.type === "not") walk(n.filter as Record<string, unknown>);
          if (n.type === "and" || n.type === "or") for (const c of n.filters as Array<Record<string, unknown>>) walk(c);
        };
        walk(copy);
        const target = nodes[pick % nodes.length] as Record<string, unknown>;
        target.type = "nand";
        expect(isFilterNode(copy)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("writes large trees, and names a malformed node in them, as it does small ones", () => {
    const tests = Array.from({ length: 5000 }, (_, i): Filter => ({ type: "comparison", operator: "eq", field: [`a${i}`], value: BigInt(i) }));
    expect(formatFilter({ type: "or", filters: tests })).toBe(tests.map((_, i) => `/a${i} eq ${i}`).join(" or "));
    const broken = [...tests.slice(0, 4500), { type: "literal", value: "x" } as unknown as Filter];
    expect(() => formatFilter({ type: "and", filters: broken })).toThrow(/^formatFilter\.filters\[4500\]\.value is "x", not true or false$/);
    // A value the writer refuses is reported the same way in a small tree and a large one.
    const nan: Filter = { type: "comparison", operator: "gt", field: ["n"], value: Number.NaN };
    const small = outcome(() => formatFilter({ type: "and", filters: [nan] }));
    expect(small).toEqual(outcome(() => formatFilter({ type: "and", filters: [...tests, nan] })));
    expect(small).toMatchObject({ error: expect.stringMatching(/^TypeError: /) });
    // A field of more than 10,000 segments is a shape error, in the writer too.
    const long: Filter = { type: "presence", field: Array.from({ length: 10_001 }, () => "s") };
    expect(() => formatFilter(long)).toThrow(/^formatFilter\.field has more than 10000 segments$/);
    expect(formatFilter({ type: "presence", field: Array.from({ length: 10_000 }, () => "s") })).toHaveLength(20_003);
  });

  it("bounds depth without overflowing the stack, and refuses cycles", () => {
    let deep: Filter = { type: "literal", value: true };
    for (let i = 0; i < 100_000; i++) deep = { type: "not", filter: deep };
    expect(() => assertFilter(deep)).toThrow(RangeError);
    expect(() => assertFilter(deep)).toThrow(/deeper than 1000/);
    const cycle: { type: "and"; filters: unknown[] } = { type: "and", filters: [] };
    cycle.filters.push(presence, cycle);
    expect(() => assertFilter(cycle)).toThrow(RangeError);
    let nested: Filter = presence;
    for (let i = 0; i < 999; i++) nested = { type: "not", filter: nested };
    expect(isFilterNode(nested)).toBe(true);
    expect(isFilterNode({ type: "not", filter: { type: "not", filter: nested } })).toBe(false);
  });

  it("checks a tree with shared subtrees in linear time", () => {
    // 18 levels of `x and x` reuse one object per level: 2^18 paths, 19 distinct nodes (524,287
    // in use, under the limit). Every property read is counted: a walk that follows each path
    // reads millions.
    let reads = 0;
    const counted = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(t, key, receiver) {
          reads++;
          return Reflect.get(t, key, receiver) as unknown;
        },
      });
    let shared: Filter = counted(presence);
    for (let i = 0; i < 18; i++) shared = counted({ type: "and", filters: [shared, shared] });
    expect(isFilterNode(shared)).toBe(true);
    // Small trees are walked without bookkeeping; past a few thousand nodes, shared ones are met once.
    expect(reads).toBeLessThan(50_000);
  });
});
