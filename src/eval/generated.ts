import type { Filter, FilterValue, Pointer } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";
import { compileNode, eachValue, inTest, isPresent, registered, TRUE, valueTest } from "./closures.js";
import { compareFolded, compareNumbers, equalsFolded, foldString, includesLowerCased, lowerCasedNeedle, startsWithLowerCased } from "./collation.js";
import type { EvaluateOptions, ResourcePredicate } from "./options.js";
import { compilePointer, walkPointer, type CompiledPointer } from "./walk.js";

// The evaluator as generated code: one JavaScript function per filter, with the pointer walk of
// each test inlined (own-property reads, array fan-out, the test on each value), so that V8 sees
// small monomorphic functions it can inline into each other, as if the filter had been written by
// hand.
//
// Safety: nothing from the filter becomes source text. Field names, values, numbers and
// implementations go into one data array `D` and the source names them by index (`D[3]`); the
// source is built only from fixed fragments of this module, generated names (`c3`, `f2_1`) and
// decimal indexes. Extended operators run as closures (they need three-valued logic per value).
// Where code generation is forbidden (a Content Security Policy without 'unsafe-eval' makes
// `new Function` throw an EvalError), `compileFilter` uses the closures of ./closures.ts.

/** Filters nested deeper than this are left to the closures (generated source stays shallow). */
const GENERATED_DEPTH = 100;
/**
 * Filters with more tests than this are left to the closures too: generating and compiling code
 * costs about ten times what building closures does, per test, which a large filter never wins
 * back; and the cache below then holds no large source.
 */
const GENERATED_TESTS = 256;
/** Factories kept by source text: filters of the same shape share code (and its optimisation). */
const CACHE_LIMIT = 256;

type Factory = (data: readonly unknown[], hasOwn: typeof Object.prototype.hasOwnProperty, isArray: typeof Array.isArray, helpers: readonly unknown[]) => ResourcePredicate;

const factories = new Map<string, Factory>();
let forbidden = false;

// What the generated code calls, in the order the source's prologue names them.
const HELPERS: readonly unknown[] = [equalsFolded, compareFolded, compareNumbers, includesLowerCased, startsWithLowerCased];
const PROLOGUE = '"use strict";\nconst eqF = U[0], cmpF = U[1], cmpN = U[2], inc = U[3], sw = U[4];\n';

// Fixed source fragments for the outcomes of a comparison.
const OUTCOME: Readonly<Record<string, string>> = { eq: "=== 0", lt: "< 0", le: "<= 0", gt: "> 0", ge: ">= 0" };
const RELATION: Readonly<Record<string, string>> = { eq: "===", lt: "<", le: "<=", gt: ">", ge: ">=" };

/** Generated code for part of a filter: a boolean expression, or a 0/1/2 (three-valued) one. */
interface Code {
  readonly text: string;
  readonly threeValued: boolean;
}

/** Too deep or too large for generated code: the closures take the filter. */
class TooDeep extends Error {}

class Generator {
  readonly data: unknown[] = [];
  readonly declarations: string[] = [];
  private functions = 0;
  private tests = 0;

  constructor(private readonly options: EvaluateOptions) {}

  /** A value from the filter, as a constant of the generated code named by its index. */
  constant(value: unknown): string {
    const index = this.data.length;
    this.data.push(value);
    this.declarations.push(`const c${index} = D[${index}];`);
    return `c${index}`;
  }

  filter(filter: Filter, depth: number): Code {
    if (depth > MAX_FILTER_DEPTH) throw new RangeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
    if (depth > GENERATED_DEPTH) throw new TooDeep();
    switch (filter.type) {
      case "literal":
        return { text: filter.value ? "true" : "false", threeValued: false };
      case "not": {
        const inner = this.filter(filter.filter, depth + 1);
        return inner.threeValued ? { text: `(2 - ${inner.text})`, threeValued: true } : { text: `!${inner.text}`, threeValued: false };
      }
      case "and":
      case "or": {
        const parts = filter.filters.map((f) => this.filter(f, depth + 1));
        if (!parts.some((p) => p.threeValued)) return { text: `(${parts.map((p) => p.text).join(filter.type === "and" ? " && " : " || ")})`, threeValued: false };
        return { text: `${this.kleene(filter.type, parts)}(r)`, threeValued: true };
      }
      case "presence":
        if (++this.tests > GENERATED_TESTS) throw new TooDeep();
        return { text: `${this.leaf(filter.field, undefined, isPresent)}(r)`, threeValued: false };
      case "comparison":
        if (++this.tests > GENERATED_TESTS) throw new TooDeep();
        return this.comparison(filter.field, filter.operator, filter.value, depth);
      default:
        throw new TypeError(`Not a filter node: ${describeText(String((filter as { type?: unknown }).type))}`);
    }
  }

  /** `and` as the minimum, `or` as the maximum of false < unknown < true, stopping early. */
  private kleene(type: "and" | "or", parts: readonly Code[]): string {
    const name = `g${this.functions++}`;
    const [start, stop, better] = type === "and" ? ["2", "0", "<"] : ["0", "2", ">"];
    const steps = parts.map((p) => `  x = ${p.threeValued ? p.text : `(${p.text} ? 2 : 0)`};\n  if (x === ${stop}) return ${stop};\n  if (x ${better} t) t = x;\n`);
    this.declarations.push(`function ${name}(r) {\n  let t = ${start};\n  let x;\n${steps.join("")}  return t;\n}`);
    return name;
  }

  private comparison(field: Pointer, operator: string, assertion: FilterValue, depth: number): Code {
    switch (operator) {
      case "eq":
      case "lt":
      case "le":
      case "gt":
      case "ge":
      case "co":
      case "sw": {
        const test = this.valueTest(operator, assertion);
        return { text: `${this.leaf(field, test, eachValue(valueTest(operator, assertion, this.options)))}(r)`, threeValued: false };
      }
      default: {
        if (registered(operator, this.options) !== undefined) {
          // Three-valued per value: the closure of this one test.
          const node = compileNode({ type: "comparison", field, operator, value: assertion }, this.options, depth);
          return { text: `${this.constant(node)}(r)`, threeValued: true };
        }
        if (operator !== "in") return { text: "1", threeValued: true };
        const list = inTest(assertion, this.options);
        const name = this.constant(list);
        return { text: `${this.leaf(field, (e) => `${name}(${e}) === 2`, eachValue(list))}(r)`, threeValued: false };
      }
    }
  }

  /** The source of a test of one value `e` (never null or undefined, never an array). */
  private valueTest(operator: string, assertion: FilterValue): (e: string) => string {
    const caseSensitive = this.options.caseSensitive === true;
    if ((operator === "co" || operator === "sw") && typeof assertion === "string") {
      if (caseSensitive) {
        const s = this.constant(assertion);
        const method = operator === "co" ? "includes" : "startsWith";
        return (e) => `typeof ${e} === "string" && ${e}.${method}(${s})`;
      }
      const needle = this.constant(lowerCasedNeedle(assertion));
      const helper = operator === "co" ? "inc" : "sw";
      return (e) => `typeof ${e} === "string" && ${helper}(${e}, ${needle})`;
    }
    const op = operator === "co" || operator === "sw" ? "eq" : operator;
    const outcome = OUTCOME[op] as string;
    switch (typeof assertion) {
      case "string": {
        const s = this.constant(assertion);
        if (caseSensitive) return op === "eq" ? (e) => `${e} === ${s}` : (e) => `typeof ${e} === "string" && ${e} ${RELATION[op] as string} ${s}`;
        const folded = this.constant(foldString(assertion));
        return op === "eq" ? (e) => `typeof ${e} === "string" && (${e} === ${s} || eqF(${e}, ${folded}))` : (e) => `typeof ${e} === "string" && cmpF(${e}, ${folded}) ${outcome}`;
      }
      case "number":
      case "bigint": {
        // As doubles (an integer literal rounded to the nearest one); a bigint in the resource
        // exactly. Plain comparisons are Double.compare except for -0.0 and NaN.
        const d = typeof assertion === "bigint" ? Number(assertion) : assertion;
        const exact = this.constant(assertion);
        if (Number.isNaN(d) || d === 0) return (e) => `(typeof ${e} === "number" || typeof ${e} === "bigint") && cmpN(${e}, ${exact}) ${outcome}`;
        const double = this.constant(d);
        const nan = op === "gt" || op === "ge";
        return (e) => `(typeof ${e} === "number" ? (${e} ${RELATION[op] as string} ${double}${nan ? ` || ${e} !== ${e}` : ""}) : typeof ${e} === "bigint" && cmpN(${e}, ${exact}) ${outcome})`;
      }
      case "boolean": {
        if (op === "eq") {
          const b = this.constant(assertion);
          return (e) => `${e} === ${b}`;
        }
        const b = this.constant(assertion ? 1 : 0);
        return (e) => `typeof ${e} === "boolean" && ((${e} ? 1 : 0) - ${b}) ${outcome}`;
      }
      default:
        throw new TypeError(`Not a filter value: ${typeof assertion}`);
    }
  }

  /**
   * Functions that walk a pointer and test what is there (`test` undefined: presence), one per
   * segment; returns the name of the first. An array inside an array takes the general walker.
   */
  private leaf(field: Pointer, test: ((e: string) => string) | undefined, visit: (value: unknown) => number): string {
    const id = this.functions++;
    const pointer = compilePointer(field);
    const { keys, indexes } = pointer;
    const n = keys.length;
    const at = (d: number) => `f${id}_${d}`;
    if (test === undefined) {
      this.declarations.push(`function ${at(n)}(v) {\n  return v !== null && v !== undefined;\n}`);
    } else {
      this.declarations.push(
        `function ${at(n)}(v) {\n  if (v === null || v === undefined) return false;\n  if (A(v)) {\n    for (let j = 0; j < v.length; j++) {\n      const e = v[j];\n      if (e !== null && e !== undefined && (${test("e")})) return true;\n    }\n    return false;\n  }\n  return ${test("v")};\n}`,
      );
    }
    for (let d = n - 1; d >= 0; d--) {
      const key = this.constant(keys[d]);
      const index = indexes[d] as number;
      const next = at(d + 1);
      let onArray: string;
      if (index >= 0) {
        const i = this.constant(index);
        onArray = `return ${next}(${i} < x.length ? x[${i}] : undefined);`;
      } else {
        const rest: CompiledPointer = { keys: keys.slice(d), indexes: indexes.slice(d) };
        const walk = this.constant((array: unknown) => walkPointer(array, rest, visit, TRUE) === TRUE);
        onArray = `for (let j = 0; j < x.length; j++) {\n      const e = x[j];\n      if (e === null || typeof e !== "object") continue;\n      if (A(e) ? ${walk}(e) : ${next}(e[${key}]) && h.call(e, ${key})) return true;\n    }\n    return false;`;
      }
      this.declarations.push(`function ${at(d)}(x) {\n  if (x === null || typeof x !== "object") return false;\n  if (A(x)) {\n    ${onArray}\n  }\n  return ${next}(x[${key}]) && h.call(x, ${key});\n}`);
    }
    return at(0);
  }
}

/** The generated source and its data for a filter, or undefined when the closures should take it. */
export function generateSource(filter: Filter, options: EvaluateOptions): { readonly source: string; readonly data: readonly unknown[] } | undefined {
  const generator = new Generator(options);
  let root: Code;
  try {
    root = generator.filter(filter, 0);
  } catch (error) {
    if (error instanceof TooDeep) return undefined;
    throw error;
  }
  const body = root.threeValued ? `${root.text} === 2` : root.text;
  const source = `${PROLOGUE}${generator.declarations.join("\n")}\nreturn function crestFilter(r) {\n  return ${body};\n};\n`;
  return { source, data: generator.data };
}

/**
 * A generated predicate for a filter, or undefined where code generation is not possible (then
 * the caller uses closures). Throws what the closures throw for a malformed filter.
 */
export function generatePredicate(filter: Filter, options: EvaluateOptions): ResourcePredicate | undefined {
  if (forbidden || options.generateCode === false) return undefined;
  const generated = generateSource(filter, options);
  if (generated === undefined) return undefined;
  let factory = factories.get(generated.source);
  if (factory === undefined) {
    try {
      factory = new Function("D", "h", "A", "U", generated.source) as Factory;
    } catch (error) {
      // A Content Security Policy forbids it: remember, and never try again.
      if (error instanceof EvalError) forbidden = true;
      return undefined;
    }
    if (factories.size >= CACHE_LIMIT) factories.clear();
    factories.set(generated.source, factory);
  }
  return factory(generated.data, Object.prototype.hasOwnProperty, Array.isArray, HELPERS);
}

/** For tests: forget that code generation failed, and the cached factories. */
export function resetCodeGeneration(): void {
  forbidden = false;
  factories.clear();
}
