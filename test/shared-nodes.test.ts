import { describe, expect, it } from "vitest";
import {
  and,
  applyPatch,
  assertFilter,
  compileFilter,
  encodeQueryFilter,
  field,
  filterEquals,
  foldFilter,
  forEachTest,
  formatFilter,
  isFilterNode,
  MAX_SHARED_USES,
  matchesFilter,
  parseFilter,
  queryCollection,
  referencedFields,
  simplifyFilter,
  transformFilter,
  type Filter,
} from "../src/index.js";

// A filter object may use one node in several places. Writing or evaluating it walks every use,
// so a group reused inside itself level after level doubles the work per level: 40 levels of
// 41 objects are 2^41 nodes in use, which once ran the writer out of memory and the evaluator
// for hours. Every entry point refuses such a tree, fast, naming the limit; a tree that shares
// nothing is never refused, however large.

const leaf: Filter = { type: "presence", field: ["a"] };
/** `levels` levels of an `and` holding the level below twice: 2^(levels+1) - 1 nodes in use, levels + 1 objects. */
function doubled(levels: number, type: "and" | "or" = "and"): Filter {
  let node = leaf;
  for (let i = 0; i < levels; i++) node = { type, filters: [node, node] };
  return node;
}
/** An `and` of `copies` uses of one `or` of `width` tests: 1 + copies * (width + 1) nodes in use, width + 2 objects. */
function wide(copies: number, width: number): Filter {
  const inner: Filter = { type: "or", filters: Array.from({ length: width }, (_, i) => ({ type: "presence", field: [`f${i}`] }) as Filter) };
  return { type: "and", filters: Array.from({ length: copies }, () => inner) };
}
const tooMany = new RegExp(`shared parts again more than ${MAX_SHARED_USES} times`);
const noop = { and: () => 0, or: () => 0, not: () => 0, literal: () => 0, presence: () => 0, comparison: () => 0 };

describe("filters that reuse their own parts", () => {
  it("are refused by every function that walks them, at once", () => {
    const huge = doubled(40);
    const walks: Array<[string, () => unknown]> = [
      ["formatFilter", () => formatFilter(huge, { maxNesting: 200 })],
      ["encodeQueryFilter", () => encodeQueryFilter(huge, { maxNesting: 200 })],
      ["compileFilter", () => compileFilter(huge)],
      ["compileFilter without code generation", () => compileFilter(huge, { generateCode: false })],
      ["matchesFilter", () => matchesFilter(huge, { a: 1 })],
      ["assertFilter", () => assertFilter(huge, "mine")],
      ["queryCollection", () => queryCollection([{ a: 1 }], { queryFilter: huge })],
      ["forEachTest", () => forEachTest(huge, () => undefined)],
      ["foldFilter", () => foldFilter(huge, noop)],
      ["transformFilter", () => transformFilter(huge, (n) => n)],
      ["simplifyFilter", () => simplifyFilter(huge)],
      ["referencedFields", () => referencedFields(huge)],
      ["filterEquals", () => filterEquals(huge, doubled(40))],
    ];
    for (const [name, walk] of walks) {
      const started = performance.now();
      expect(walk, name).toThrow(RangeError);
      expect(walk, name).toThrow(tooMany);
      expect(performance.now() - started, name).toBeLessThan(10_000);
    }
    expect(() => assertFilter(huge, "mine")).toThrow(/^mine: /);
    expect(isFilterNode(huge)).toBe(false);
  });

  it("are accepted up to the limit of uses beyond the first of each object", () => {
    // 2^19 - 1 = 524,287 nodes in use from 19 objects: fine; 2^20 - 1 from 20 objects: too many.
    expect(isFilterNode(doubled(18))).toBe(true);
    expect(() => assertFilter(doubled(18))).not.toThrow();
    expect(isFilterNode(doubled(19))).toBe(false);
    expect(() => assertFilter(doubled(19, "or"))).toThrow(tooMany);
    // 1 + 1001 * 1000 uses of 1001 objects: 1,000,000 again, the most allowed; one copy more is too many.
    expect(isFilterNode(wide(1001, 999))).toBe(true);
    expect(isFilterNode(wide(1002, 999))).toBe(false);
    // A negation counts too: not(x) and x at each of 19 levels.
    let negated: Filter = leaf;
    for (let i = 0; i < 19; i++) negated = { type: "and", filters: [{ type: "not", filter: negated }, negated] };
    expect(isFilterNode(negated)).toBe(false);
  });

  it("are never confused with large trees that share nothing", () => {
    const text = Array.from({ length: 1_000_001 }, (_, i) => `a${i % 10} pr`).join(" or ");
    const parsed = parseFilter(text);
    expect(isFilterNode(parsed)).toBe(true);
    expect(formatFilter(parsed)).toBe(text.replace(/(^|or )a/g, "$1/a"));
    let tests = 0;
    forEachTest(parsed, () => tests++);
    expect(tests).toBe(1_000_001);
    expect(queryCollection([{ a3: 1 }, { b: 1 }], { queryFilter: text }).resultCount).toBe(1);
  }, 120_000);

  it("write and evaluate as their unshared copies do", () => {
    const shared = doubled(6, "or");
    const copy = JSON.parse(JSON.stringify(shared)) as Filter;
    expect(formatFilter(shared)).toBe(formatFilter(copy));
    expect(matchesFilter(shared, { a: 1 })).toBe(true);
    expect(matchesFilter(shared, { b: 1 })).toBe(false);
    expect(filterEquals(shared, copy)).toBe(true);
  });

  it("cannot be built with the builder either", () => {
    // and() flattens: after n calls the group holds 2^n uses of the leaf, and the call that gets
    // 2^20 + 1 nodes in use refuses its operand.
    let built = field("a").pr();
    let level = 0;
    expect(() => {
      for (; level < 40; level++) built = and(built, built);
    }).toThrow(/^and\(\) operand 1: .*more than 1000000 times/);
    expect(level).toBe(20);
  });
});

describe("formatFilter inside formatFilter", () => {
  it("keeps each call's own limits", () => {
    // A node whose getter writes another filter (with other limits) while the outer call writes.
    let inner: string | undefined;
    const sneaky = {
      type: "presence",
      get field() {
        inner ??= formatFilter({ type: "or", filters: Array.from({ length: 5000 }, () => leaf) }, { maxNesting: 200 });
        return ["s"];
      },
    } as unknown as Filter;
    expect(() => formatFilter({ type: "or", filters: [sneaky, doubled(21, "or")] }, { maxNesting: 200 })).toThrow(tooMany);
    expect(inner?.length).toBe(5000 * 5 + 4999 * 4);
    let deep: Filter = leaf;
    for (let i = 0; i < 100; i++) deep = { type: "not", filter: deep };
    const raising = {
      type: "presence",
      get field() {
        formatFilter(leaf, { maxNesting: 200 });
        return ["s"];
      },
    } as unknown as Filter;
    expect(() => formatFilter({ type: "and", filters: [raising, deep] })).toThrow(/more than 63 nested groups/);
  });
});

describe("long lists", () => {
  it("join a group of 200,000 tests to another with the builder", () => {
    const big = parseFilter(Array.from({ length: 200_000 }, () => "a pr").join(" and "));
    const joined = and(big, field("b").pr());
    expect(joined.type === "and" && joined.filters.length).toBe(200_001);
  });

  it("append a list of 300,000 values to an array with a patch", () => {
    const values = Array.from({ length: 300_000 }, (_, i) => i);
    const patched = applyPatch({ list: [-1] }, [{ operation: "add", field: "/list", value: values }]);
    expect(patched.list.length).toBe(300_001);
    expect(patched.list[300_000]).toBe(299_999);
  });
});
