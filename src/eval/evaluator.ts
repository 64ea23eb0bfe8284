import { assertFilter, type Filter, type FilterValue, type Pointer } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";
import { compareFolded, compareNumbers, equalsFolded, foldString } from "./collation.js";
import { compilePointer, walkPointer } from "./walk.js";

export { compareIgnoringCase } from "./collation.js";

/**
 * An extended operator's implementation: called with each value found at the field and the
 * filter's value; `true` matches, `false` does not, `undefined` is unknown (three-valued logic).
 *
 * @example
 * ```ts
 * import type { ExtendedOperator } from "crest-query";
 * const regex: ExtendedOperator = (value, assertion) =>
 *   typeof value === "string" && typeof assertion === "string" ? new RegExp(assertion).test(value) : undefined;
 * ```
 */
export type ExtendedOperator = (value: unknown, assertion: FilterValue) => boolean | undefined;

/**
 * Options of {@link compileFilter} and {@link matchesFilter}.
 *
 * @example
 * ```ts
 * import { matchesFilter, parseFilter, type EvaluateOptions } from "crest-query";
 * const options: EvaluateOptions = { caseSensitive: true };
 * matchesFilter(parseFilter("/sn eq 'jensen'"), { sn: "Jensen" }, options); // false
 * ```
 */
export interface EvaluateOptions {
  /** Compare strings with their case (default `false`: `eq "JENSEN"` matches `"jensen"`). */
  readonly caseSensitive?: boolean;
  /**
   * Implementations of extended operators by name, as written in the filter. An operator with no
   * implementation gives *unknown*, which never matches (and `!unknown` is unknown too).
   */
  readonly extendedOperators?: Readonly<Record<string, ExtendedOperator>>;
}

/**
 * A compiled filter: tells whether a resource matches.
 *
 * @example
 * ```ts
 * import { compileFilter, parseFilter, type ResourcePredicate } from "crest-query";
 * const active: ResourcePredicate = compileFilter(parseFilter("/accountStatus eq 'active'"));
 * [{ accountStatus: "Active" }, { accountStatus: "inactive" }].filter(active).length; // 1
 * ```
 */
export type ResourcePredicate = (resource: unknown) => boolean;

// Three-valued logic as numbers: `and` is the minimum, `or` the maximum, `not` is 2 - x.
const FALSE = 0;
const UNKNOWN = 1;
const TRUE = 2;
type Truth = 0 | 1 | 2;
type Node = (resource: unknown) => Truth;
type ValueTest = (value: unknown) => Truth;

/**
 * Compile a filter once into a predicate to run over many resources, answering as the deployed
 * CREST servers do (see the evaluation guide, docs/evaluation.md): pointers follow own properties
 * only (never the prototype), numeric segments index arrays and other segments apply to every
 * element; a test matches when any value at the field matches; `eq lt le gt ge` compare only
 * strings with strings, numbers with numbers (as doubles; a bigint in the resource exactly),
 * booleans with booleans; strings ignore case unless `caseSensitive` (`eq` and ordering fold code
 * point by code point as Java's `compareToIgnoreCase`, `co`/`sw` lower-case both strings);
 * `co`/`sw` act as `eq` on numbers and booleans; `pr` means present and not null; `in` takes a JSON
 * array of values; extended operators use `extendedOperators` (own properties only), and are
 * unknown otherwise, with three-valued (Kleene) logic.
 *
 * @throws TypeError for a malformed filter tree or an `in` value that is not a JSON array of
 * values, RangeError for a tree deeper than `MAX_FILTER_DEPTH`.
 *
 * @example
 * ```ts
 * import { compileFilter, parseFilter } from "crest-query";
 * const helpdesk = compileFilter(parseFilter("/roles/_refResourceId eq 'helpdesk' and /loginCount gt 2"));
 * helpdesk({ roles: [{ _refResourceId: "helpdesk" }], loginCount: 5 }); // true
 * ```
 */
export function compileFilter(filter: Filter, options: EvaluateOptions = {}): ResourcePredicate {
  assertFilter(filter, "compileFilter");
  const root = compileNode(filter, options, 0);
  return (resource) => root(resource) === TRUE;
}

/**
 * Whether one resource matches a filter. To test many resources, {@link compileFilter} once.
 *
 * @example
 * ```ts
 * import { matchesFilter, parseFilter } from "crest-query";
 * matchesFilter(parseFilter("/mail co 'EXAMPLE.com'"), { mail: "bjensen@example.com" }); // true
 * ```
 */
export function matchesFilter(filter: Filter, resource: unknown, options: EvaluateOptions = {}): boolean {
  return compileFilter(filter, options)(resource);
}

function compileNode(filter: Filter, options: EvaluateOptions, depth: number): Node {
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

const unknown: ValueTest = () => UNKNOWN;
const isPresent: ValueTest = (value) => (value === null || value === undefined ? FALSE : TRUE);

// The values at a field: none for missing or null, the elements of an array, else the value.
function eachValue(test: ValueTest): ValueTest {
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
function registered(operator: string, options: EvaluateOptions): ExtendedOperator | undefined {
  const operators = options.extendedOperators;
  if (operators === undefined || operators === null || !hasOwn.call(operators, operator)) return undefined;
  const implementation: unknown = operators[operator];
  return typeof implementation === "function" ? (implementation as ExtendedOperator) : undefined;
}

function valueTest(operator: string, assertion: FilterValue, options: EvaluateOptions): ValueTest {
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
const ACCEPTS: Readonly<Record<string, (c: number) => boolean>> = {
  eq: (c) => c === 0,
  lt: (c) => c < 0,
  le: (c) => c <= 0,
  gt: (c) => c > 0,
  ge: (c) => c >= 0,
};

function ordered(operator: string, assertion: FilterValue, options: EvaluateOptions): ValueTest {
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

// `co` and `sw` lower-case both whole strings, as the servers do (`toLowerCase` is linear, and so
// are `includes` and `startsWith`), unlike `eq`, which folds code point by code point.
function textTest(operator: "co" | "sw", assertion: string, options: EvaluateOptions): ValueTest {
  if (options.caseSensitive === true) {
    return operator === "co"
      ? (value) => (typeof value === "string" && value.includes(assertion) ? TRUE : FALSE)
      : (value) => (typeof value === "string" && value.startsWith(assertion) ? TRUE : FALSE);
  }
  const needle = assertion.toLowerCase();
  return operator === "co"
    ? (value) => (typeof value === "string" && value.toLowerCase().includes(needle) ? TRUE : FALSE)
    : (value) => (typeof value === "string" && value.toLowerCase().startsWith(needle) ? TRUE : FALSE);
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
function inTest(assertion: FilterValue, options: EvaluateOptions): ValueTest {
  const list = readInList(assertion);
  if ("problem" in list) throw new TypeError(`Invalid filter value: ${list.problem}`);
  const tests: ValueTest[] = [];
  for (const item of list.values) if (item !== null) tests.push(ordered("eq", item, options));
  return (value) => {
    for (let i = 0; i < tests.length; i++) if ((tests[i] as ValueTest)(value) === TRUE) return TRUE;
    return FALSE;
  };
}
