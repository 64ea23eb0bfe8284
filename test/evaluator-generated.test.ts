import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { generateSource, resetCodeGeneration } from "../src/eval/generated.js";
import { compileFilter, parseFilter, type EvaluateOptions, type Filter, type FilterValue } from "../src/index.js";
import { modelEvaluate } from "./helpers/evaluation-model.js";

// The generated evaluator: nothing from a filter may become source text, and where code
// generation is forbidden the closures give the same answers.

const HOSTILE = ["'", '"', "`", "*/", "/*", "\u2028", "\u2029", "${}", "${process.exit(1)}", '");process.exit(1);//', "\\", "\\u0022", "</script>", "__proto__", "constructor", "\n}\n", "c0", "D[0]"];

/**
 * Every string in a filter (fields, values, operators) replaced by `text`, except numeric field
 * segments (an array index is part of the shape).
 */
function withStrings(filter: Filter, text: (original: string) => string): Filter {
  const segment = (s: string) => (/^[0-9]+$/.test(s) ? s : text(s));
  switch (filter.type) {
    case "literal":
      return filter;
    case "not":
      return { type: "not", filter: withStrings(filter.filter, text) };
    case "and":
    case "or":
      return { type: filter.type, filters: filter.filters.map((f) => withStrings(f, text)) };
    case "presence":
      return { type: "presence", field: filter.field.map(segment) };
    case "comparison": {
      const known = ["eq", "co", "sw", "lt", "le", "gt", "ge", "in"].includes(filter.operator);
      const value: FilterValue = typeof filter.value === "string" && filter.operator !== "in" ? text(filter.value) : filter.value;
      return { type: "comparison", field: filter.field.map(segment), operator: known ? filter.operator : text(filter.operator), value };
    }
  }
}

const shapes = [
  "/a eq 'x' and /b/c co 'y' or !(/d sw 'z')",
  "/a/0/b lt 'x' or /a ge 'y' or /b gt 'x' or /b le 'x'",
  "/a pr and /b/c/d pr",
  "/a eq 5 or /b/c ge 5.5 or /d eq true",
  "/a weird 'x' and /b eq 'x'",
  "/a other 'x' or /b eq 'x'",
  `/a in '["x"]'`,
];

describe("generated source", () => {
  it("contains nothing from the filter: hostile fields, values and operator names", () => {
    for (const shape of shapes) {
      for (const caseSensitive of [false, true]) {
        const filter = parseFilter(shape);
        for (const hostile of HOSTILE) {
          const options: EvaluateOptions = { caseSensitive, extendedOperators: { [`QZX${hostile}weird${hostile}XZQ`]: () => true, weird: () => true } };
          const plain = generateSource(withStrings(filter, (s) => `${s}`), options);
          const marked = withStrings(filter, (s) => `QZX${hostile}${s}${hostile}XZQ`);
          const generated = generateSource(marked, options);
          expect(generated).toBeDefined();
          // The source depends on the filter's shape only: the same with other texts.
          expect(generated?.source).toBe(plain?.source);
          expect(generated?.source).not.toContain("QZX");
          expect(generated?.source).not.toContain("XZQ");
          if (hostile.length > 1 && !["c0", "D[0]", "\n}\n"].includes(hostile)) expect(generated?.source).not.toContain(hostile);
        }
      }
    }
  });

  it("answers hostile fields and values as the model does", () => {
    for (const hostile of HOSTILE) {
      const resource = { [hostile]: { [hostile]: [hostile.toUpperCase(), 3] }, x: [{ [hostile]: hostile }] };
      const filters: Filter[] = [
        { type: "comparison", field: [hostile, hostile], operator: "eq", value: hostile },
        { type: "comparison", field: [hostile, hostile], operator: "co", value: hostile.slice(1) },
        { type: "comparison", field: ["x", hostile], operator: "sw", value: hostile },
        { type: "presence", field: [hostile] },
        { type: "not", filter: { type: "comparison", field: [hostile], operator: "unknown_op", value: hostile } },
      ];
      for (const filter of filters) {
        const expected = modelEvaluate(filter, resource) === true;
        expect(compileFilter(filter)(resource)).toBe(expected);
        expect(compileFilter(filter, { generateCode: false })(resource)).toBe(expected);
      }
      // An operator name no server could read is refused before anything is compiled (the
      // generated source would not hold it either: see the test above, which calls the generator).
      const named: Filter = { type: "comparison", field: [hostile], operator: hostile, value: hostile };
      if (!/^[A-Za-z0-9_.]+$/.test(hostile)) expect(() => compileFilter(named)).toThrow(TypeError);
      else expect(compileFilter(named)(resource)).toBe(modelEvaluate(named, resource) === true);
    }
  });

  it("leaves filters nested deeper than it generates to the closures, with the same answers", () => {
    let deep: Filter = { type: "comparison", field: ["a"], operator: "eq", value: "x" };
    for (let i = 0; i < 500; i++) deep = { type: "not", filter: deep };
    expect(generateSource(deep, {})).toBeUndefined();
    expect(compileFilter(deep)({ a: "x" })).toBe(true);
    expect(() => generateSource({ type: "comparison", field: ["a"], operator: "eq", value: {} as unknown as string }, {})).toThrow(TypeError);
  });

  it("leaves filters of more than 256 tests to the closures, with the same answers", () => {
    const tests = (n: number): Filter => ({ type: "or", filters: Array.from({ length: n }, (_, i): Filter => (i % 2 === 0 ? { type: "comparison", field: [`f${i}`], operator: "eq", value: BigInt(i) } : { type: "presence", field: [`p${i}`] })) });
    expect(generateSource(tests(256), {})).toBeDefined();
    expect(generateSource(tests(257), {})).toBeUndefined();
    const big = tests(301);
    for (const resource of [{ f300: 300 }, { p299: "x" }, { f300: 299 }, {}]) expect(compileFilter(big)(resource)).toBe(modelEvaluate(big, resource) === true);
    expect(compileFilter(big)({ f300: 300 })).toBe(true);
  });
});

describe("where code generation is forbidden", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    resetCodeGeneration();
  });

  const keys = fc.constantFrom("a", "b", "0");
  const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: "small" }, fc.constantFrom("a", "A", "İ", "\u212A", "k", 0, -0, 1, 2n, true, null), fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(keys, tie("v"), { maxKeys: 3 })),
  })).v;
  const filter = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: "small" },
      fc.array(keys, { maxLength: 3 }).map((field): Filter => ({ type: "presence", field })),
      fc
        .record({ operator: fc.constantFrom("eq", "co", "sw", "lt", "ge", "flip", "nope"), field: fc.array(keys, { maxLength: 3 }), value: fc.constantFrom<FilterValue>("a", "K", "i", 0, 1n, true) })
        .map((c): Filter => ({ type: "comparison", ...c })),
      tie("f").map((f): Filter => ({ type: "not", filter: f })),
      fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "and", filters })),
      fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "or", filters })),
    ),
  })).f;
  const flip = (value: unknown) => (typeof value === "string" ? value.length % 2 === 0 : undefined);

  it("falls back to closures once new Function throws an EvalError, with the model's answers", () => {
    // As a browser's Content Security Policy without 'unsafe-eval' does.
    const forbidden = vi.fn(function forbiddenFunction() {
      throw new EvalError("Code generation from strings disallowed for this context");
    });
    vi.stubGlobal("Function", forbidden);
    fc.assert(
      fc.property(filter, fc.array(json, { minLength: 1, maxLength: 6 }), fc.boolean(), (f, resources, caseSensitive) => {
        const compiled = compileFilter(f, { caseSensitive, extendedOperators: { flip } });
        for (const r of resources) expect(compiled(r)).toBe(modelEvaluate(f, r, { caseSensitive, operators: { flip } }) === true);
      }),
      { numRuns: 1000 },
    );
    // Tried once, then never again (a browser would report every attempt as a policy violation).
    expect(forbidden).toHaveBeenCalledTimes(1);
  });

  it("never tries with generateCode: false", () => {
    const spy = vi.fn(function forbiddenFunction() {
      throw new EvalError("forbidden");
    });
    vi.stubGlobal("Function", spy);
    expect(compileFilter(parseFilter("/a eq 'x'"), { generateCode: false })({ a: "X" })).toBe(true);
    expect(spy).not.toHaveBeenCalled();
  });

  it("generates code when it may", () => {
    resetCodeGeneration();
    const predicate = compileFilter(parseFilter("/a eq 'x'"));
    expect(predicate.name).toBe("crestFilter");
    expect(compileFilter(parseFilter("/a eq 'x'"), { generateCode: false }).name).not.toBe("crestFilter");
  });
});
