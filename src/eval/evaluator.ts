import { assertFilter, type Filter, type FilterValue, type Pointer } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";

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
 * Compile a filter once into a predicate to run over many resources, with the semantics of the
 * reference in-memory backend (see the evaluation guide, docs/evaluation.md): pointers follow own properties only (never the prototype),
 * numeric segments index arrays and other segments apply to every element; a test matches when
 * any value at the field matches; `eq lt le gt ge` compare only strings with strings, numbers
 * (and bigints) with numbers, booleans with booleans; strings ignore case unless `caseSensitive`;
 * `co`/`sw` act as `eq` on numbers and booleans; `pr` means present and not null; extended
 * operators use `extendedOperators`, and are unknown otherwise. Running the predicate allocates
 * nothing per resource.
 *
 * @throws TypeError for a malformed filter tree, RangeError for one deeper than `MAX_FILTER_DEPTH`.
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

interface Segment {
  readonly key: string;
  /** The array index this segment selects, or -1 when it is not a number. */
  readonly index: number;
}

function segmentsOf(pointer: Pointer): Segment[] {
  return pointer.map((key) => ({ key, index: /^[0-9]+$/.test(key) ? Number(key) : -1 }));
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Walk a pointer through a resource and run a test on what is there: object keys are own
 * properties only; a numeric segment indexes an array; any other segment applies to every element
 * of an array (any element may match).
 */
export function resolver(pointer: Pointer, test: ValueTest): Node {
  const segments = segmentsOf(pointer);
  const walk = (node: unknown, from: number): Truth => {
    let current = node;
    for (let i = from; i < segments.length; i++) {
      if (current === null || typeof current !== "object") return FALSE;
      const segment = segments[i] as Segment;
      if (Array.isArray(current)) {
        if (segment.index >= 0) {
          current = segment.index < current.length ? current[segment.index] : undefined;
          continue;
        }
        let result: Truth = FALSE;
        for (let j = 0; j < current.length; j++) {
          const x = walk(current[j], i);
          if (x === TRUE) return TRUE;
          if (x > result) result = x;
        }
        return result;
      }
      current = hasOwn.call(current, segment.key) ? (current as Record<string, unknown>)[segment.key] : undefined;
    }
    return test(current);
  };
  // Most fields are one or two object keys deep: those get a straight path, and anything else
  // (an array on the way, a numeric segment) takes the general walk.
  const [first, second] = segments;
  if (segments.length === 1 && first !== undefined && first.index < 0) {
    const key = first.key;
    return (resource) => {
      if (resource === null || typeof resource !== "object") return FALSE;
      if (Array.isArray(resource)) return walk(resource, 0);
      return test(hasOwn.call(resource, key) ? (resource as Record<string, unknown>)[key] : undefined);
    };
  }
  if (segments.length === 2 && first !== undefined && second !== undefined && first.index < 0 && second.index < 0) {
    const outer = first.key;
    const inner = second.key;
    return (resource) => {
      if (resource === null || typeof resource !== "object" || Array.isArray(resource)) return walk(resource, 0);
      const middle: unknown = hasOwn.call(resource, outer) ? (resource as Record<string, unknown>)[outer] : undefined;
      if (middle === null || typeof middle !== "object") return FALSE;
      if (Array.isArray(middle)) return walk(middle, 1);
      return test(hasOwn.call(middle, inner) ? (middle as Record<string, unknown>)[inner] : undefined);
    };
  }
  return (resource) => walk(resource, 0);
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
      const implementation = options.extendedOperators !== undefined && hasOwn.call(options.extendedOperators, operator)
        ? options.extendedOperators[operator]
        : undefined;
      if (typeof implementation !== "function") return unknown;
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
      // JavaScript compares a bigint with a number exactly, so no precision is lost either way.
      // One closure per operator keeps the hot path free of indirect calls.
      const a = assertion;
      const numeric = (value: unknown): value is number | bigint => typeof value === "number" || typeof value === "bigint";
      switch (operator) {
        case "lt":
          return (value) => (numeric(value) && value < a ? TRUE : FALSE);
        case "le":
          return (value) => (numeric(value) && value <= a ? TRUE : FALSE);
        case "gt":
          return (value) => (numeric(value) && value > a ? TRUE : FALSE);
        case "ge":
          return (value) => (numeric(value) && value >= a ? TRUE : FALSE);
        default:
          // Loose equality is what compares a bigint with a number exactly.
          return (value) => (numeric(value) && value == a ? TRUE : FALSE);
      }
    }
    case "boolean": {
      const b = assertion ? 1 : 0;
      return (value) => (typeof value === "boolean" && accepts((value ? 1 : 0) - b) ? TRUE : FALSE);
    }
    default:
      throw new TypeError(`Not a filter value: ${typeof assertion}`);
  }
}

function textTest(operator: "co" | "sw", assertion: string, options: EvaluateOptions): ValueTest {
  if (options.caseSensitive === true) {
    return operator === "co"
      ? (value) => (typeof value === "string" && value.includes(assertion) ? TRUE : FALSE)
      : (value) => (typeof value === "string" && value.startsWith(assertion) ? TRUE : FALSE);
  }
  const folded = foldString(assertion);
  return operator === "co"
    ? (value) => (typeof value === "string" && containsFolded(value, folded) ? TRUE : FALSE)
    : (value) => (typeof value === "string" && value.length >= folded.length && startsWithFolded(value, folded) ? TRUE : FALSE);
}

// Case folding one UTF-16 unit at a time, like Java's equalsIgnoreCase and compareToIgnoreCase
// (upper case, then lower case), so that matching allocates nothing per resource.
const FOLD = new Uint16Array(65536);
for (let c = 0; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;
const FOLD_KNOWN = new Uint8Array(65536).fill(1, 0, 128);

function fold(c: number): number {
  if (FOLD_KNOWN[c] === 1) return FOLD[c] as number;
  const upper = String.fromCharCode(c).toUpperCase();
  const u = upper.length === 1 ? upper.charCodeAt(0) : c;
  const lower = String.fromCharCode(u).toLowerCase();
  const folded = lower.length === 1 ? lower.charCodeAt(0) : u;
  FOLD[c] = folded;
  FOLD_KNOWN[c] = 1;
  return folded;
}

/** A string's units folded, as numbers, for comparing against many values. */
function foldString(text: string): Uint16Array {
  const out = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = fold(text.charCodeAt(i));
  return out;
}

function equalsFolded(value: string, folded: Uint16Array): boolean {
  if (value.length !== folded.length) return false;
  for (let i = 0; i < value.length; i++) if (fold(value.charCodeAt(i)) !== folded[i]) return false;
  return true;
}

function compareFolded(value: string, folded: Uint16Array): number {
  const n = Math.min(value.length, folded.length);
  for (let i = 0; i < n; i++) {
    const d = fold(value.charCodeAt(i)) - (folded[i] as number);
    if (d !== 0) return d;
  }
  return value.length - folded.length;
}

function startsWithFolded(value: string, folded: Uint16Array, at = 0): boolean {
  for (let i = 0; i < folded.length; i++) if (fold(value.charCodeAt(at + i)) !== folded[i]) return false;
  return true;
}

function containsFolded(value: string, folded: Uint16Array): boolean {
  const last = value.length - folded.length;
  for (let at = 0; at <= last; at++) if (startsWithFolded(value, folded, at)) return true;
  return false;
}

/**
 * Compare two strings ignoring case, one UTF-16 unit at a time, as Java's `compareToIgnoreCase`:
 * negative, zero or positive.
 *
 * @example
 * ```ts
 * import { compareIgnoringCase } from "crest-query";
 * compareIgnoringCase("alice", "ALICE"); // 0
 * compareIgnoringCase("alice", "Bob") < 0; // true
 * ```
 */
export function compareIgnoringCase(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const d = fold(x) - fold(y);
      if (d !== 0) return d;
    }
  }
  return a.length - b.length;
}
