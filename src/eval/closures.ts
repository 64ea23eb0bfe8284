import type { Filter, FilterValue, Pointer } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";
import { compareFolded, compareNumbers, equalsFolded, foldString, includesLowerCased, lowerCasedNeedle, startsWithLowerCased } from "./collation.js";
import type { EvaluateOptions, ExtendedOperator } from "./options.js";
import { compilePointer, walkPointer } from "./walk.js";

// The evaluator as nested closures: what runs where code generation is not allowed (a Content
// Security Policy without 'unsafe-eval'), for one-off matches, and for the parts of a generated
// predicate that need three-valued logic (extended operators).

// Three-valued logic as numbers: `and` is the minimum, `or` the maximum, `not` is 2 - x.
export const FALSE = 0;
export const UNKNOWN = 1;
export const TRUE = 2;
export type Truth = 0 | 1 | 2;
/** A compiled filter node: its truth for a resource. */
export type Node = (resource: unknown) => Truth;
/** A compiled test of one value found at a field. */
export type ValueTest = (value: unknown) => Truth;

export function compileNode(filter: Filter, options: EvaluateOptions, depth: number): Node {
  if (depth > MAX_FILTER_DEPTH) throw new RangeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  switch (filter.type) {
    case "literal": {
      const value: Truth = filter.value ? TRUE : FALSE;
      return () => value;
    }
    case "not": {
      const inner = compileNode(filter.filter, options, depth + 1);
      return (r) => (TRUE - inner(r)) as Truth;
    }
    case "and": {
      const parts = filter.filters.map((f) => compileNode(f, options, depth + 1));
      if (parts.length === 2) {
        const [a, b] = parts as [Node, Node];
        return (r) => {
          const x = a(r);
          if (x === FALSE) return FALSE;
          const y = b(r);
          return y < x ? y : x;
        };
      }
      return (r) => {
        let result: Truth = TRUE;
        for (let i = 0; i < parts.length; i++) {
          const x = (parts[i] as Node)(r);
          if (x === FALSE) return FALSE;
          if (x < result) result = x;
        }
        return result;
      };
    }
    case "or": {
      const parts = filter.filters.map((f) => compileNode(f, options, depth + 1));
      if (parts.length === 2) {
        const [a, b] = parts as [Node, Node];
        return (r) => {
          const x = a(r);
          if (x === TRUE) return TRUE;
          const y = b(r);
          return y > x ? y : x;
        };
      }
      return (r) => {
        let result: Truth = FALSE;
        for (let i = 0; i < parts.length; i++) {
          const x = (parts[i] as Node)(r);
          if (x === TRUE) return TRUE;
          if (x > result) result = x;
        }
        return result;
      };
    }
    case "presence":
      return resolver(filter.field, isPresent);
    case "comparison": {
      const test = valueTest(filter.operator, filter.value, options);
      // An operator with no implementation is unknown whatever the resource holds.
      return test === unknown ? () => UNKNOWN : resolver(filter.field, eachValue(test));
    }
    default:
      throw new TypeError(`Not a filter node: ${describeText(String((filter as { type?: unknown }).type))}`);
  }
}

export const unknown: ValueTest = () => UNKNOWN;
export const isPresent: ValueTest = (value) => (value === null || value === undefined ? FALSE : TRUE);

// The values at a field: none for missing or null, the elements of an array, else the value.
export function eachValue(test: ValueTest): ValueTest {
  return (value) => {
    if (value === null || value === undefined) return FALSE;
    if (!Array.isArray(value)) return test(value);
    let result: Truth = FALSE;
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (element === null || element === undefined) continue;
      const x = test(element);
      if (x === TRUE) return TRUE;
      if (x > result) result = x;
    }
    return result;
  };
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Walk a pointer through a resource and run a test on what is there (see ./walk.ts): the largest
 * answer over every value reached, stopping at the first `TRUE`.
 */
function resolver(pointer: Pointer, test: ValueTest): Node {
  const compiled = compilePointer(pointer);
  const walk = (resource: unknown): Truth => walkPointer(resource, compiled, test, TRUE) as Truth;
  // Most fields are one or two object keys deep: those get a straight path, and anything else
  // (an array on the way, a numeric segment) takes the general walk.
  const [first, second] = compiled.keys;
  const plain = compiled.indexes.every((index) => index < 0);
  if (compiled.keys.length === 1 && first !== undefined && plain) {
    const key = first;
    return (resource) => {
      if (resource === null || typeof resource !== "object") return FALSE;
      if (Array.isArray(resource)) return walk(resource);
      return test(hasOwn.call(resource, key) ? (resource as Record<string, unknown>)[key] : undefined);
    };
  }
  if (compiled.keys.length === 2 && first !== undefined && second !== undefined && plain) {
    const outer = first;
    const inner = second;
    return (resource) => {
      if (resource === null || typeof resource !== "object" || Array.isArray(resource)) return walk(resource);
      const middle: unknown = hasOwn.call(resource, outer) ? (resource as Record<string, unknown>)[outer] : undefined;
      if (middle === null || typeof middle !== "object") return FALSE;
      if (Array.isArray(middle)) return walkPointer(middle, { keys: [inner], indexes: [-1] }, test, TRUE) as Truth;
      return test(hasOwn.call(middle, inner) ? (middle as Record<string, unknown>)[inner] : undefined);
    };
  }
  return walk;
}

/** The implementation registered for an extended operator: an own property of the options only. */
export function registered(operator: string, options: EvaluateOptions): ExtendedOperator | undefined {
  const operators = options.extendedOperators;
  if (operators === undefined || operators === null || !hasOwn.call(operators, operator)) return undefined;
  const implementation: unknown = operators[operator];
  return typeof implementation === "function" ? (implementation as ExtendedOperator) : undefined;
}

export function valueTest(operator: string, assertion: FilterValue, options: EvaluateOptions): ValueTest {
  switch (operator) {
    case "eq":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return ordered(operator, assertion, options);
    case "co":
    case "sw":
      if (typeof assertion === "string") return textTest(operator, assertion, options);
      return ordered("eq", assertion, options);
    default: {
      const implementation = registered(operator, options);
      if (implementation === undefined) return operator === "in" ? inTest(assertion, options) : unknown;
      return (value) => {
        const result = implementation(value, assertion);
        return result === true ? TRUE : result === false ? FALSE : UNKNOWN;
      };
    }
  }
}

// The comparison outcomes an operator accepts, for a three-way comparison c of value to assertion.
export const ACCEPTS: Readonly<Record<string, (c: number) => boolean>> = {
  eq: (c) => c === 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
};

export function ordered(operator: string, assertion: FilterValue, options: EvaluateOptions): ValueTest {
  const accepts = ACCEPTS[operator] as (c: number) => boolean;
  switch (typeof assertion) {
    case "string": {
      if (options.caseSensitive === true) {
        if (operator === "eq") return (value) => (value === assertion ? TRUE : FALSE);
        return (value) => (typeof value === "string" && accepts(value < assertion ? -1 : value > assertion ? 1 : 0) ? TRUE : FALSE);
      }
      const folded = foldString(assertion);
      if (operator === "eq") {
        return (value) => (typeof value === "string" && (value === assertion || equalsFolded(value, folded)) ? TRUE : FALSE);
      }
      return (value) => (typeof value === "string" && accepts(compareFolded(value, folded)) ? TRUE : FALSE);
    }
    case "number":
    case "bigint": {
      // Numbers compare as doubles (an integer literal rounded to the nearest double, as a JSON
      // reader holds the same digits); a bigint in the resource compares exactly.
      const a = assertion;
      const d = typeof a === "bigint" ? Number(a) : a;
      // Plain comparisons of doubles are Double.compare except for -0.0 and NaN.
      const plain = !Number.isNaN(d) && d !== 0;
      if (plain) {
        switch (operator) {
          case "lt":
            return (value) => (typeof value === "number" ? (value < d ? TRUE : FALSE) : typeof value === "bigint" && compareNumbers(value, a) < 0 ? TRUE : FALSE);
          case "le":
            return (value) => (typeof value === "number" ? (value <= d ? TRUE : FALSE) : typeof value === "bigint" && compareNumbers(value, a) <= 0 ? TRUE : FALSE);
          case "gt":
            return (value) => (typeof value === "number" ? (value > d || value !== value ? TRUE : FALSE) : typeof value === "bigint" && compareNumbers(value, a) > 0 ? TRUE : FALSE);
          case "ge":
            return (value) => (typeof value === "number" ? (value >= d || value !== value ? TRUE : FALSE) : typeof value === "bigint" && compareNumbers(value, a) >= 0 ? TRUE : FALSE);
          default:
            return (value) => (typeof value === "number" ? (value === d ? TRUE : FALSE) : typeof value === "bigint" && compareNumbers(value, a) === 0 ? TRUE : FALSE);
        }
      }
      return (value) => ((typeof value === "number" || typeof value === "bigint") && accepts(compareNumbers(value, a)) ? TRUE : FALSE);
    }
    case "boolean": {
      const b = assertion ? 1 : 0;
      return (value) => (typeof value === "boolean" && accepts((value ? 1 : 0) - b) ? TRUE : FALSE);
    }
    default:
      throw new TypeError(`Not a filter value: ${typeof assertion}`);
  }
}

// `co` and `sw` lower-case both whole strings, as the servers do (see collation.ts: linear, and
// without the lower-cased copy while the value is ASCII), unlike `eq`, which folds code point by
// code point.
function textTest(operator: "co" | "sw", assertion: string, options: EvaluateOptions): ValueTest {
  if (options.caseSensitive === true) {
    return operator === "co"
      ? (value) => (typeof value === "string" && value.includes(assertion) ? TRUE : FALSE)
      : (value) => (typeof value === "string" && value.startsWith(assertion) ? TRUE : FALSE);
  }
  const needle = lowerCasedNeedle(assertion);
  return operator === "co"
    ? (value) => (typeof value === "string" && includesLowerCased(value, needle) ? TRUE : FALSE)
    : (value) => (typeof value === "string" && startsWithLowerCased(value, needle) ? TRUE : FALSE);
}

/**
 * The values of an `in` test: its value must be a string holding a JSON array of strings,
 * numbers, booleans or nulls (`'["bjensen","scarter"]'`).
 *
 * @returns the listed values, or a sentence saying what is wrong.
 */
export function readInList(assertion: FilterValue): { readonly values: readonly (string | number | boolean | null)[] } | { readonly problem: string } {
  if (typeof assertion !== "string") return { problem: `operator 'in' needs a string holding a JSON array, not the ${typeof assertion === "bigint" ? "number" : typeof assertion} ${String(assertion)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(assertion);
  } catch {
    return { problem: `operator 'in' needs a JSON array, and ${describeText(assertion.length > 40 ? `${assertion.slice(0, 40)}…` : assertion)} is not valid JSON` };
  }
  if (!Array.isArray(parsed)) return { problem: "operator 'in' needs a JSON array of values" };
  for (let i = 0; i < parsed.length; i++) {
    const item: unknown = parsed[i];
    if (item !== null && typeof item === "object") return { problem: `operator 'in' needs a JSON array of strings, numbers or booleans; item ${i} is an ${Array.isArray(item) ? "array" : "object"}` };
  }
  return { values: parsed as (string | number | boolean | null)[] };
}

// IDM's `in`: the value is a string holding a JSON array; a value matches when it is equal, by the
// rule of `eq`, to any listed value.
export function inTest(assertion: FilterValue, options: EvaluateOptions): ValueTest {
  const list = readInList(assertion);
  if ("problem" in list) throw new TypeError(`Invalid filter value: ${list.problem}`);
  const tests: ValueTest[] = [];
  for (const item of list.values) if (item !== null) tests.push(ordered("eq", item, options));
  return (value) => {
    for (let i = 0; i < tests.length; i++) if ((tests[i] as ValueTest)(value) === TRUE) return TRUE;
    return FALSE;
  };
}
