import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileFilter, matchesFilter, parseFilter, type Filter } from "../src/index.js";
import { compareBigintWithDouble, compareDoubles, compareFolded, compareIgnoringCase, compareNumbers, compareNumberValues, equalsFolded, foldCodePoint, foldString } from "../src/eval/collation.js";
import { readInList } from "../src/eval/evaluator.js";
import { compilePointer, ownValue, segmentIndex, valuesAt, walkPointer } from "../src/eval/walk.js";
import { modelCompareIgnoringCase, modelCompareNumbers, modelEvaluate, modelValuesAt } from "./helpers/evaluation-model.js";

// Tests written to kill mutants Stryker found alive in src/eval (see docs/mutation-testing.md). The
// oracle is the plain model of the evaluation rules in test/helpers/evaluation-model.ts.

// Strings made of pieces that stress code point decoding: pairs, lone halves at every position.
const pieces = ["a", "B", "z", "ſ", "S", "İ", "i", "ı", "K", "\u212A", "𐐀", "𐐨", "😀", "ﬀ", "ß", "\uD800", "\uDC00", "\uDBFF", "\uDFFF", "\uD801\uDC00", "\uD800\uD800", "~", "É"];
const text = fc.array(fc.constantFrom(...pieces), { maxLength: 4 }).map((p) => p.join(""));
const doubles = fc.oneof(fc.constantFrom(0, -0, 1, -1, 0.5, -0.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 2 ** 63, Number.NaN, Infinity, -Infinity, 5e-324), fc.double());
const bigints = fc.oneof(fc.constantFrom(0n, 1n, -1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }));
const sign = (x: number) => Math.sign(x) + 0;

describe("collation against the model", () => {
  it("compares doubles as Java's Double.compare", () => {
    fc.assert(fc.property(doubles, doubles, (x, y) => {
      expect(sign(compareDoubles(x, y))).toBe(modelCompareNumbers(x, y));
    }), { numRuns: 2000 });
    expect(compareDoubles(-0, 0)).toBe(-1);
    expect(compareDoubles(0, -0)).toBe(1);
    expect(compareDoubles(-0, -0)).toBe(0);
    expect(compareDoubles(Number.NaN, Number.NaN)).toBe(0);
    expect(compareDoubles(Number.NaN, Infinity)).toBe(1);
    expect(compareDoubles(Infinity, Number.NaN)).toBe(-1);
    expect(compareDoubles(3, 3)).toBe(0);
  });

  it("compares a resource number with a filter number, a bigint exactly", () => {
    const either = fc.oneof(doubles, bigints);
    fc.assert(fc.property(either, either, (value, assertion) => {
      expect(sign(compareNumbers(value, assertion))).toBe(modelCompareNumbers(value, assertion));
    }), { numRuns: 3000 });
    fc.assert(fc.property(bigints, doubles, (b, d) => {
      expect(sign(compareBigintWithDouble(b, d))).toBe(modelCompareNumbers(b, d));
    }), { numRuns: 2000 });
    expect(compareBigintWithDouble(0n, -0)).toBe(1);
    expect(compareBigintWithDouble(0n, 0)).toBe(0);
    expect(compareBigintWithDouble(5n, Number.NaN)).toBe(-1);
    expect(compareBigintWithDouble(2n ** 53n + 1n, 2 ** 53)).toBe(1);
  });

  it("orders two resource numbers of any kind consistently, bigints exactly", () => {
    const either = fc.oneof(doubles, bigints);
    fc.assert(fc.property(either, either, (a, b) => {
      const c = sign(compareNumberValues(a, b));
      // Antisymmetric, and equal to the model wherever the model defines the order of a and b.
      expect(sign(compareNumberValues(b, a))).toBe(-c + 0);
      if (typeof b === "bigint") expect(c).toBe(-modelCompareNumbers(b, a) + 0);
      else expect(c).toBe(modelCompareNumbers(a, b));
    }), { numRuns: 3000 });
    expect(compareNumberValues(1n, 2n)).toBe(-1);
    expect(compareNumberValues(2n, 1n)).toBe(1);
    expect(compareNumberValues(2n, 2n)).toBe(0);
    expect(compareNumberValues(-0, 0n)).toBe(-1);
    expect(compareNumberValues(0n, -0)).toBe(1);
  });

  it("folds and compares strings code point by code point as compareToIgnoreCase", () => {
    fc.assert(fc.property(text, text, (a, b) => {
      const expected = modelCompareIgnoringCase(a, b);
      expect(sign(compareIgnoringCase(a, b))).toBe(expected);
      expect(sign(compareFolded(a, foldString(b)))).toBe(expected);
      expect(equalsFolded(a, foldString(b))).toBe(expected === 0);
    }), { numRuns: 5000 });
    expect(Array.from(foldString("A😀\uD800b"))).toEqual([0x61, 0x1f600, 0xd800, 0x62]);
    expect(Array.from(foldString("\uD801\uDC00"))).toEqual([0x10428]);
    expect(Array.from(foldString("\uDC00\uD800"))).toEqual([0xdc00, 0xd800]);
    expect(foldCodePoint(0x130)).toBe(0x69);
    expect(foldCodePoint(0x10400)).toBe(0x10428);
    expect(foldCodePoint(0x10400)).toBe(0x10428); // a second time, from the cache
    expect(foldCodePoint(0xd800)).toBe(0xd800);
    expect(foldCodePoint(0xdfff)).toBe(0xdfff);
    expect(foldCodePoint(0x5a)).toBe(0x7a);
    expect(foldCodePoint(0x40)).toBe(0x40);
    expect(foldCodePoint(0x5b)).toBe(0x5b);
    expect(foldCodePoint(0xdf)).toBe(0xdf); // ß: its upper case is two letters
    expect(foldCodePoint(0x17f)).toBe(0x73); // ſ
    expect(foldCodePoint(0x212a)).toBe(0x6b); // Kelvin sign
  });

  it("tells lengths apart: a prefix comes first, and longer or shorter never equal", () => {
    expect(compareFolded("ab", foldString("abc"))).toBeLessThan(0);
    expect(compareFolded("abc", foldString("AB"))).toBeGreaterThan(0);
    expect(compareIgnoringCase("ab", "ABC")).toBeLessThan(0);
    expect(compareIgnoringCase("ABC", "ab")).toBeGreaterThan(0);
    expect(equalsFolded("a", foldString("ab"))).toBe(false);
    expect(equalsFolded("abc", foldString("a"))).toBe(false);
    expect(equalsFolded("😀", foldString("😀"))).toBe(true);
    expect(equalsFolded("😀😀", foldString("😀"))).toBe(false);
  });
});

describe("pointer walking against the model", () => {
  const keys = fc.constantFrom("a", "b", "0", "1", "01", "");
  const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: "small" }, fc.constantFrom(null, 1, "x", true), fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(keys, tie("v"), { maxKeys: 3 })),
  })).v;
  const field = fc.array(keys, { maxLength: 3 });

  it("reaches the values the model reaches, in order, from a pointer or a compiled one", () => {
    fc.assert(fc.property(json, field, (resource, f) => {
      const expected = modelValuesAt(resource, f);
      expect(valuesAt(resource, f)).toEqual(expected);
      expect(valuesAt(resource, compilePointer(f))).toEqual(expected);
    }), { numRuns: 3000 });
  });

  it("takes the largest answer and stops once it reaches stopAt", () => {
    fc.assert(fc.property(json, field, fc.integer({ min: 1, max: 4 }), (resource, f, stopAt) => {
      const values = modelValuesAt(resource, f);
      const score = (v: unknown) => (Array.isArray(v) ? 3 : v === null ? 0 : typeof v === "object" ? 2 : typeof v === "string" ? 4 : 1);
      let visits = 0;
      const got = walkPointer(resource, compilePointer(f), (v) => { visits++; return score(v); }, stopAt);
      const stop = values.findIndex((v) => score(v) >= stopAt);
      expect(visits).toBe(stop < 0 ? values.length : stop + 1);
      const seen = values.slice(0, visits).map(score);
      expect(got).toBe(Math.max(0, ...seen));
      // Without stopAt, every value is visited.
      let all = 0;
      expect(walkPointer(resource, compilePointer(f), (v) => { all++; return score(v); })).toBe(Math.max(0, ...values.map(score)));
      expect(all).toBe(values.length);
    }), { numRuns: 2000 });
  });

  it("fans out over arrays in document order, keeping the largest answer and stopping at stopAt", () => {
    const resource = [{ a: 1 }, { a: [3, 9] }, [{ a: 2 }], { b: 5 }, { a: 4 }];
    expect(valuesAt(resource, ["a"])).toEqual([1, [3, 9], 2, 4]);
    expect(valuesAt({ a: [{ b: [1, 2] }, { c: 0 }, { b: 3 }] }, ["a", "b"])).toEqual([[1, 2], 3]);
    const score = (v: unknown) => (Array.isArray(v) ? 3 : (v as number));
    const run = (stopAt?: number) => {
      const seen: unknown[] = [];
      const result = walkPointer(resource, compilePointer(["a"]), (v) => { seen.push(v); return score(v); }, stopAt);
      return { result, seen: seen.length };
    };
    expect(run()).toEqual({ result: 4, seen: 4 });
    expect(run(3)).toEqual({ result: 3, seen: 2 });
    expect(run(4)).toEqual({ result: 4, seen: 4 });
    expect(run(5)).toEqual({ result: 4, seen: 4 });
    expect(run(1)).toEqual({ result: 1, seen: 1 });
    // Answers below the best so far never lower it.
    expect(walkPointer([{ a: 3 }, { a: 1 }, { a: 2 }], compilePointer(["a"]), (v) => v as number)).toBe(3);
    expect(walkPointer([], compilePointer(["a"]), () => 7)).toBe(0);
  });

  it("reads array indexes only from runs of decimal digits", () => {
    expect(segmentIndex("")).toBe(-1);
    expect(segmentIndex("0")).toBe(0);
    expect(segmentIndex("9")).toBe(9);
    expect(segmentIndex("007")).toBe(7);
    expect(segmentIndex("12")).toBe(12);
    expect(segmentIndex("/")).toBe(-1); // just below '0'
    expect(segmentIndex(":")).toBe(-1); // just above '9'
    expect(segmentIndex("1:")).toBe(-1);
    expect(segmentIndex("1a")).toBe(-1);
    expect(segmentIndex("-1")).toBe(-1);
    expect(compilePointer(["a", "2", ""])).toEqual({ keys: ["a", "2", ""], indexes: [-1, 2, -1] });
    expect(valuesAt([["x", "y"], ["z"]], ["1"])).toEqual([["z"]]);
    expect(valuesAt(["x"], ["1"])).toEqual([]);
    expect(valuesAt({ a: [1, 2] }, ["a"])).toEqual([[1, 2]]);
  });

  it("reads own properties only", () => {
    const o = Object.create({ inherited: 1 }) as Record<string, unknown>;
    o.own = 2;
    expect(ownValue(o, "own")).toBe(2);
    expect(ownValue(o, "inherited")).toBeUndefined();
    expect(ownValue(o, "toString")).toBeUndefined();
    expect(valuesAt(o, ["inherited"])).toEqual([]);
    expect(valuesAt({ a: o }, ["a", "toString"])).toEqual([]);
  });
});

describe("evaluator errors and edges", () => {
  const cmp = (field: string[], operator: string, value: Filter extends never ? never : string | number | bigint | boolean): Filter => ({ type: "comparison", field, operator, value });

  it("rejects a tree deeper than the limit, naming the limit, and accepts one at the limit", () => {
    let deep: Filter = { type: "literal", value: true };
    for (let i = 0; i < 1000; i++) deep = { type: "not", filter: deep };
    expect(compileFilter(deep)({})).toBe(true);
    const deeper: Filter = { type: "not", filter: deep };
    expect(() => compileFilter(deeper)).toThrow(RangeError);
    expect(() => compileFilter(deeper)).toThrow("the filter nests deeper than 1000 levels");
    // The message stays short however deep the tree.
    expect(() => compileFilter(deeper)).toThrow(/^compileFilter….{0,60}: the filter nests/);
  });

  it("names what is malformed", () => {
    expect(() => compileFilter({ type: "nope" } as unknown as Filter)).toThrow(TypeError);
    expect(() => compileFilter({ type: "nope" } as unknown as Filter)).toThrow(/Not a filter node: .*nope/);
    expect(() => compileFilter(cmp(["a"], "eq", null as unknown as string))).toThrow("compileFilter.value is null, not a string, boolean, bigint or number");
    expect(() => compileFilter(cmp(["a"], "in", "[1,{}]"))).toThrow("Invalid filter value: operator 'in' needs a JSON array of strings, numbers or booleans; item 1 is an object");
  });

  it("explains each way an `in` value is wrong", () => {
    expect(readInList('["a",1,true,null]')).toEqual({ values: ["a", 1, true, null] });
    expect(readInList("[]")).toEqual({ values: [] });
    expect(readInList(5n)).toEqual({ problem: "operator 'in' needs a string holding a JSON array, not the number 5" });
    expect(readInList(1.5)).toEqual({ problem: "operator 'in' needs a string holding a JSON array, not the number 1.5" });
    expect(readInList(true)).toEqual({ problem: "operator 'in' needs a string holding a JSON array, not the boolean true" });
    expect(readInList('{"a":1}')).toEqual({ problem: "operator 'in' needs a JSON array of values" });
    expect(readInList('"a"')).toEqual({ problem: "operator 'in' needs a JSON array of values" });
    expect(readInList("[[1]]")).toEqual({ problem: "operator 'in' needs a JSON array of strings, numbers or booleans; item 0 is an array" });
    expect(readInList('[1,{"a":2}]')).toEqual({ problem: "operator 'in' needs a JSON array of strings, numbers or booleans; item 1 is an object" });
    const short = readInList("[1,");
    expect("problem" in short && short.problem).toMatch(/^operator 'in' needs a JSON array, and .*\[1,.* is not valid JSON$/);
    const long = readInList(`[${"1,".repeat(30)}`);
    expect("problem" in long && long.problem).toContain(`${"1,".repeat(19)}1…`);
    expect("problem" in long && long.problem).not.toContain("1,".repeat(21));
    const exact = readInList(`x${"y".repeat(39)}`);
    expect("problem" in exact && exact.problem).not.toContain("…");
  });

  it("combines three or more operands with three-valued logic", () => {
    const unknownOp = cmp(["a"], "regex", "x");
    const t: Filter = { type: "literal", value: true };
    const f: Filter = { type: "literal", value: false };
    const run = (filter: Filter) => compileFilter(filter)({ a: "x" });
    const not = (filter: Filter): Filter => ({ type: "not", filter });
    // and: false wins, then unknown; or: true wins, then unknown. `not` tells unknown from false.
    expect(run({ type: "and", filters: [t, t, t] })).toBe(true);
    expect(run({ type: "and", filters: [t, unknownOp, t] })).toBe(false);
    expect(run(not({ type: "and", filters: [t, unknownOp, t] }))).toBe(false);
    expect(run(not({ type: "and", filters: [t, unknownOp, f] }))).toBe(true);
    expect(run(not({ type: "and", filters: [f, unknownOp, t] }))).toBe(true);
    expect(run({ type: "or", filters: [f, f, t] })).toBe(true);
    expect(run({ type: "or", filters: [f, unknownOp, f] })).toBe(false);
    expect(run(not({ type: "or", filters: [f, unknownOp, f] }))).toBe(false);
    expect(run(not({ type: "or", filters: [f, f, f] }))).toBe(true);
    expect(run(not({ type: "or", filters: [unknownOp, t, f] }))).toBe(false);
    expect(run(not({ type: "and", filters: [unknownOp, t] }))).toBe(false);
    expect(run(not({ type: "or", filters: [unknownOp, f] }))).toBe(false);
    expect(run(not({ type: "and", filters: [t, unknownOp] }))).toBe(false);
    expect(run(not({ type: "or", filters: [f, unknownOp] }))).toBe(false);
  });

  it("compares numbers at the edges: NaN after everything, -0 before 0, bigints exactly", () => {
    const m = (filter: string, v: unknown) => matchesFilter(parseFilter(filter), { v });
    expect(m("/v gt 5.5", Number.NaN)).toBe(true);
    expect(m("/v ge 5.5", Number.NaN)).toBe(true);
    expect(m("/v lt 5.5", Number.NaN)).toBe(false);
    expect(m("/v le 5.5", Number.NaN)).toBe(false);
    expect(m("/v eq 5.5", Number.NaN)).toBe(false);
    expect(m("/v ge 5.5", 5.5)).toBe(true);
    expect(m("/v gt 5.5", 5.5)).toBe(false);
    expect(m("/v le 5.5", 5.5)).toBe(true);
    expect(m("/v lt 5.5", 5.5)).toBe(false);
    expect(m("/v eq 5", 5n)).toBe(true);
    expect(m("/v lt 5", 4n)).toBe(true);
    expect(m("/v lt 5", 5n)).toBe(false);
    expect(m("/v le 5", 5n)).toBe(true);
    expect(m("/v le 5", 6n)).toBe(false);
    expect(m("/v gt 5", 6n)).toBe(true);
    expect(m("/v gt 5", 5n)).toBe(false);
    expect(m("/v ge 5", 5n)).toBe(true);
    expect(m("/v ge 5", 4n)).toBe(false);
    expect(m("/v eq 9007199254740993", 9007199254740993n)).toBe(true);
    expect(m("/v eq 9007199254740993", 9007199254740992n)).toBe(false);
    expect(m("/v gt 0", -0)).toBe(false);
    expect(m("/v lt 0", -0)).toBe(true);
    expect(m("/v eq 0", -0)).toBe(false);
    expect(m("/v eq 0", 0n)).toBe(true);
    expect(m("/v eq 5", "5")).toBe(false);
    expect(m("/v eq 'a'", 5)).toBe(false);
    expect(m("/v lt 'b'", 5)).toBe(false);
    expect(m("/v eq true", 1)).toBe(false);
    expect(m("/v gt false", true)).toBe(true);
    expect(m("/v lt true", false)).toBe(true);
    expect(m("/v lt true", true)).toBe(false);
  });

  it("follows one and two key fields through arrays, primitives and missing keys", () => {
    const m = (filter: string, r: unknown) => matchesFilter(parseFilter(filter), r);
    expect(m("/a eq 1", [{ a: 1 }])).toBe(true);
    expect(m("/a eq 1", [{ a: 2 }, [{ a: 1 }]])).toBe(true);
    expect(m("/a eq 1", 1)).toBe(false);
    expect(m("/a eq 1", null)).toBe(false);
    expect(m("/a pr", {})).toBe(false);
    expect(m("/a/b eq 1", [{ a: { b: 1 } }])).toBe(true);
    expect(m("/a/b eq 1", "s")).toBe(false);
    expect(m("/a/b eq 1", { a: [{ b: 2 }, { b: 1 }] })).toBe(true);
    expect(m("/a/b eq 1", { a: [{ b: 2 }] })).toBe(false);
    expect(m("/a/b eq 1", { a: 1 })).toBe(false);
    expect(m("/a/b eq 1", { a: null })).toBe(false);
    expect(m("/a/b pr", { a: {} })).toBe(false);
    expect(m("/a/b pr", { a: { b: 0 } })).toBe(true);
    expect(m("/a/length pr", { a: "text" })).toBe(false);
    expect(m("/a/b/c eq 1", { a: { b: { c: 1 } } })).toBe(true);
    expect(m("/a/0 eq 1", { a: [1] })).toBe(true);
    expect(m("/a/0 eq 1", { a: [2, 1] })).toBe(false);
    expect(m("/v eq 1", { v: [null, 2, 1] })).toBe(true);
    expect(m("/v pr", { v: null })).toBe(false);
    expect(m("/v pr", { v: [] })).toBe(true);
    expect(m("!(/v eq 1)", { v: [null] })).toBe(true);
  });

  it("answers extended operators true, false and unknown per value", () => {
    const ops = { odd: (v: unknown) => (typeof v === "number" ? v % 2 === 1 : undefined) };
    const m = (filter: string, r: unknown) => matchesFilter(parseFilter(filter), r, { extendedOperators: ops });
    expect(m("/v odd 0", { v: 3 })).toBe(true);
    expect(m("/v odd 0", { v: [2, 3] })).toBe(true);
    expect(m("!(/v odd 0)", { v: 2 })).toBe(true);
    expect(m("!(/v odd 0)", { v: "x" })).toBe(false);
    expect(m("/v odd 0", { v: "x" })).toBe(false);
    expect(m("!(/v odd 0)", { v: ["x", 2] })).toBe(false);
    expect(matchesFilter(parseFilter("/v odd 0"), { v: 3 }, { extendedOperators: { odd: "not a function" as never } })).toBe(false);
    expect(matchesFilter(parseFilter("!(/v odd 0)"), { v: 3 }, { extendedOperators: { odd: "not a function" as never } })).toBe(false);
    expect(matchesFilter(parseFilter("!(/v odd 0)"), { v: 3 }, { extendedOperators: null as never })).toBe(false);
  });

  it("lets a registered `in` replace the built-in one, and the built-in one skip null items", () => {
    const r = { v: "b" };
    expect(matchesFilter(parseFilter("/v in '[\"A\",\"B\"]'"), r)).toBe(true);
    expect(matchesFilter(parseFilter("/v in '[null,\"c\"]'"), r)).toBe(false);
    expect(matchesFilter(parseFilter("/v in '[null]'"), { v: null })).toBe(false);
    expect(matchesFilter(parseFilter("/v in 'x'"), r, { extendedOperators: { in: () => true } })).toBe(true);
    expect(matchesFilter(parseFilter("/v in '[\"B\"]'"), r, { caseSensitive: true })).toBe(false);
  });

  it("treats co and sw on numbers and booleans as eq, and honours case when asked", () => {
    const m = (filter: string, v: unknown, caseSensitive = false) => matchesFilter(parseFilter(filter), { v }, { caseSensitive });
    expect(m("/v co 5", 5)).toBe(true);
    expect(m("/v co 5", 55)).toBe(false);
    expect(m("/v sw true", true)).toBe(true);
    expect(m("/v sw true", false)).toBe(false);
    expect(m("/v co 'B'", "abc", true)).toBe(false);
    expect(m("/v co 'b'", "abc", true)).toBe(true);
    expect(m("/v sw 'A'", "abc", true)).toBe(false);
    expect(m("/v sw 'a'", "abc", true)).toBe(true);
    expect(m("/v sw 'b'", "abc", true)).toBe(false);
    expect(m("/v co 'x'", 5, true)).toBe(false);
    expect(m("/v sw 'x'", 5, true)).toBe(false);
    expect(m("/v lt 'b'", "a", true)).toBe(true);
    expect(m("/v lt 'b'", "B", true)).toBe(true);
    expect(m("/v gt 'b'", "B", true)).toBe(false);
    expect(m("/v ge 'b'", "b", true)).toBe(true);
    expect(m("/v lt 'b'", 1, true)).toBe(false);
    expect(m("/v eq 'b'", "B", true)).toBe(false);
  });
});

// The name of a predicate made by generated code (test/evaluator-generated.test.ts relies on it too).
const GENERATED = "crestFilter";

// The generated evaluator and the closures, each against the model, three-valued: a filter `f`
// holds when the model says true, and `!f` holds when the model says false (unknown: neither).
describe("generated code and closures against the model, three-valued", () => {
  const segments = fc.constantFrom("a", "b", "0", "1", "2", "01");
  const leaf = fc.oneof(
    fc.constantFrom("a", "A", "b", "ab", "AB", "ß", "ss", "", "Σ", "ς"),
    fc.constantFrom(0, -0, 1, -1, 1.5, 2 ** 53, Number.NaN, Infinity, -Infinity),
    fc.constantFrom(0n, 1n, -1n, 2n ** 53n + 1n),
    fc.boolean(),
    fc.constant(null),
  );
  const resource: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: "small", maxDepth: 5 }, leaf, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(segments, tie("v"), { maxKeys: 3 })),
  })).v;
  const assertion = fc.oneof(
    fc.constantFrom("a", "A", "b", "ab", "ß", "SS", "", "σ"),
    fc.constantFrom(0, -0, 1, -1, 1.5, 2 ** 53, Number.NaN, Infinity, -Infinity),
    fc.constantFrom(0n, 1n, -1n, 2n ** 53n + 1n),
    fc.boolean(),
  );
  const inList = fc.array(fc.oneof(fc.constantFrom("a", "B", "ß"), fc.constantFrom(1, 1.5, 0), fc.boolean(), fc.constant(null)), { maxLength: 3 }).map((items) => JSON.stringify(items));
  const field = fc.array(segments, { minLength: 0, maxLength: 5 });
  const comparison = fc.oneof(
    fc.record({ operator: fc.constantFrom("eq", "co", "sw", "lt", "le", "gt", "ge", "odd", "none"), field, value: assertion }),
    fc.record({ operator: fc.constant("in"), field, value: inList }),
  );
  const filter = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: "small" },
      field.map((f): Filter => ({ type: "presence", field: f })),
      comparison.map((c): Filter => ({ type: "comparison", ...c })),
      fc.boolean().map((value): Filter => ({ type: "literal", value })),
      tie("f").map((f): Filter => ({ type: "not", filter: f })),
      fc.array(tie("f"), { minLength: 2, maxLength: 4 }).map((filters): Filter => ({ type: "and", filters })),
      fc.array(tie("f"), { minLength: 2, maxLength: 4 }).map((filters): Filter => ({ type: "or", filters })),
    ),
  })).f;
  // Registered: true, false or unknown per value; "none" stays unregistered (always unknown).
  const odd = (value: unknown): boolean | undefined => (typeof value === "number" ? Math.abs(value % 2) === 1 : typeof value === "string" ? undefined : false);

  it("gives the model's answer for f and for !f", () => {
    fc.assert(
      fc.property(filter, fc.array(resource, { minLength: 1, maxLength: 6 }), fc.boolean(), (f, resources, caseSensitive) => {
        const options = { caseSensitive, extendedOperators: { odd } };
        const negated: Filter = { type: "not", filter: f };
        const predicates = [false, true].flatMap((generateCode) => [compileFilter(f, { ...options, generateCode }), compileFilter(negated, { ...options, generateCode })]);
        expect([predicates[2]?.name, predicates[3]?.name]).toEqual([GENERATED, GENERATED]);
        for (const r of resources) {
          const expected = modelEvaluate(f, r, { caseSensitive, operators: { odd } });
          expect(predicates.map((p) => p(r))).toEqual([expected === true, expected === false, expected === true, expected === false]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("answers filters nested past the generated depth (and at it) as the model does", () => {
    for (const depth of [99, 100, 101, 102]) {
      let f: Filter = { type: "comparison", field: ["a"], operator: "odd", value: 1n };
      for (let i = 0; i < depth; i++) f = i % 2 === 0 ? { type: "not", filter: f } : { type: "and", filters: [f, { type: "literal", value: true }] };
      for (const r of [{ a: 1 }, { a: 2 }, { a: "x" }, {}]) {
        const expected = modelEvaluate(f, r, { operators: { odd } });
        expect(compileFilter(f, { extendedOperators: { odd } })(r)).toBe(expected === true);
        expect(compileFilter({ type: "not", filter: f }, { extendedOperators: { odd } })(r)).toBe(expected === false);
      }
    }
  });
});

// Every operator against every kind of value, at every kind of field (one key, two keys, an array
// on the way, an index), generated and as closures: an exhaustive grid where random filters are
// too sparse to meet each generated fragment.
describe("the evaluator on a grid of operators, values and fields", () => {
  const leaves: unknown[] = ["", "a", "A", "ab", "Ab", "ba", "b", "B", "ß", "SS", "ss", 0, -0, 1, -1, 1.5, 2 ** 53, Number.NaN, Infinity, -Infinity, 0n, 1n, -1n, 2n ** 53n + 1n, true, false, null];
  const assertions: Array<string | number | bigint | boolean> = ["", "a", "A", "b", "ab", "ss", 0, -0, 1, -1, 1.5, 2 ** 53, Number.NaN, Infinity, 0n, 1n, 2n ** 53n + 1n, true, false];
  const operators = ["eq", "co", "sw", "lt", "le", "gt", "ge", "odd", "none"];
  const odd = (value: unknown): boolean | undefined => (typeof value === "number" ? Math.abs(value % 2) === 1 : typeof value === "string" ? undefined : false);
  const places: Array<{ field: string[]; put: (v: unknown) => unknown[] }> = [
    { field: ["a"], put: (v) => [{ a: v }, { a: [v, "zz"] }, { a: [[v]] }, [{ a: v }], {}] },
    { field: ["a", "b"], put: (v) => [{ a: { b: v } }, { a: [{ b: v }, { b: "zz" }] }, { a: [[{ b: v }]] }, { a: v }, [{ a: { b: v } }]] },
    { field: ["a", "1"], put: (v) => [{ a: ["zz", v] }, { a: [v] }, { a: { 1: v } }, { a: [{ 1: v }, v] }] },
    { field: ["a", "b", "c"], put: (v) => [{ a: { b: { c: v } } }, { a: [{ b: [{ c: v }] }] }, { a: { b: [[{ c: v }]] } }] },
    { field: [], put: (v) => [v, [v]] },
  ];

  it("answers as the model for f and !f", () => {
    let checked = 0;
    for (const caseSensitive of [false, true]) {
      const options = { caseSensitive, extendedOperators: { odd } };
      for (const { field, put } of places) {
        const resources = leaves.flatMap(put);
        const filters: Filter[] = [{ type: "presence", field }];
        for (const operator of operators) for (const value of assertions) filters.push({ type: "comparison", field, operator, value });
        filters.push({ type: "comparison", field, operator: "in", value: '["a", 1, true, null, "SS"]' });
        for (const f of filters) {
          const negated: Filter = { type: "not", filter: f };
          const predicates = [true, false].flatMap((generateCode) => [compileFilter(f, { ...options, generateCode }), compileFilter(negated, { ...options, generateCode })]);
          // Code was generated (a fragment that does not compile would fall back to the closures silently).
          expect([predicates[0]?.name, predicates[1]?.name]).toEqual([GENERATED, GENERATED]);
          for (const r of resources) {
            const expected = modelEvaluate(f, r, { caseSensitive, operators: { odd } });
            const got = predicates.map((p) => p(r));
            if (got.join() !== [expected === true, expected === false, expected === true, expected === false].join()) {
              expect({ filter: f, resource: r, caseSensitive, got }).toEqual({ filter: f, resource: r, caseSensitive, got: [expected === true, expected === false, expected === true, expected === false] });
            }
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50_000);
  });
});
