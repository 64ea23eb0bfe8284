import { MAX_SHARED_USES, type ComparisonFilter, type Filter, type FilterValue, type LiteralFilter, type Pointer, type PresenceFilter } from "../language/ast.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";

function tooDeep(): never {
  throw new RangeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
}

// A node shared by several parents is walked once per use: a tree reusing one group at every
// level doubles the walk per level. The walks below count the nodes they meet; past
// MAX_SHARED_USES they also note which, and stop a tree that meets the same nodes again more than
// MAX_SHARED_USES times. (A tree that shares nothing is walked whole, however large.)
class RepeatedUses {
  private readonly seen = new Set<Filter>();
  private again = 0;

  meet(node: Filter): void {
    if (!this.seen.has(node)) this.seen.add(node);
    else if (++this.again > MAX_SHARED_USES) {
      throw new RangeError(`Filter uses its shared parts again more than ${MAX_SHARED_USES} times in all`);
    }
  }
}

/**
 * One function per node kind for {@link foldFilter}; operands arrive already folded.
 *
 * @example
 * ```ts
 * import { foldFilter, parseFilter, type FilterFolder } from "crest-query";
 * const count: FilterFolder<number> = {
 *   and: (parts) => parts.reduce((a, b) => a + b, 0),
 *   or: (parts) => parts.reduce((a, b) => a + b, 0),
 *   not: (part) => part,
 *   literal: () => 0,
 *   presence: () => 1,
 *   comparison: () => 1,
 * };
 * foldFilter(parseFilter("a pr and (b eq 1 or !(c pr))"), count); // 3
 * ```
 */
export interface FilterFolder<R> {
  /** An `and` node, with its operands folded. */
  and(operands: R[], node: Filter & { type: "and" }): R;
  /** An `or` node, with its operands folded. */
  or(operands: R[], node: Filter & { type: "or" }): R;
  /** A negation, with its operand folded. */
  not(operand: R, node: Filter & { type: "not" }): R;
  /** `true` or `false`. */
  literal(node: LiteralFilter): R;
  /** A `pr` test. */
  presence(node: PresenceFilter): R;
  /** A comparison, core or extended. */
  comparison(node: ComparisonFilter): R;
}

/**
 * Reduce a filter bottom-up to one value: the visitor for analyses, translators and writers.
 *
 * @throws RangeError for trees deeper than `MAX_FILTER_DEPTH`.
 *
 * @example
 * ```ts
 * import { foldFilter, parseFilter } from "crest-query";
 * const depth = foldFilter(parseFilter("!(a pr and b pr)"), {
 *   and: (d) => 1 + Math.max(...d), or: (d) => 1 + Math.max(...d), not: (d) => 1 + d,
 *   literal: () => 1, presence: () => 1, comparison: () => 1,
 * }); // 3
 * ```
 */
export function foldFilter<R>(filter: Filter, folder: FilterFolder<R>): R {
  let met = 0;
  let repeats: RepeatedUses | undefined;
  const fold = (node: Filter, depth: number): R => {
    if (depth > MAX_FILTER_DEPTH) tooDeep();
    if (++met > MAX_SHARED_USES) (repeats ??= new RepeatedUses()).meet(node);
    switch (node.type) {
      case "and":
        return folder.and(node.filters.map((f) => fold(f, depth + 1)), node);
      case "or":
        return folder.or(node.filters.map((f) => fold(f, depth + 1)), node);
      case "not":
        return folder.not(fold(node.filter, depth + 1), node);
      case "literal":
        return folder.literal(node);
      case "presence":
        return folder.presence(node);
      case "comparison":
        return folder.comparison(node);
    }
  };
  return fold(filter, 0);
}

/**
 * Rewrite a filter bottom-up: `rewrite` sees each node after its operands were rewritten and returns
 * its replacement (or the node itself). Nodes that do not change are kept, not copied.
 *
 * @example
 * ```ts
 * import { formatFilter, parseFilter, transformFilter } from "crest-query";
 * // Turn every `co` into `sw`.
 * const f = transformFilter(parseFilter("a co 'x' or b eq 1"), (node) =>
 *   node.type === "comparison" && node.operator === "co" ? { ...node, operator: "sw" } : node,
 * );
 * formatFilter(f); // '/a sw "x" or /b eq 1'
 * ```
 */
export function transformFilter(filter: Filter, rewrite: (node: Filter) => Filter): Filter {
  let met = 0;
  let repeats: RepeatedUses | undefined;
  const walk = (node: Filter, depth: number): Filter => {
    if (depth > MAX_FILTER_DEPTH) tooDeep();
    if (++met > MAX_SHARED_USES) (repeats ??= new RepeatedUses()).meet(node);
    switch (node.type) {
      case "and":
      case "or": {
        let changed = false;
        const filters = node.filters.map((child) => {
          const next = walk(child, depth + 1);
          changed ||= next !== child;
          return next;
        });
        return rewrite(changed ? { type: node.type, filters } : node);
      }
      case "not": {
        const inner = walk(node.filter, depth + 1);
        return rewrite(inner === node.filter ? node : { type: "not", filter: inner });
      }
      default:
        return rewrite(node);
    }
  };
  return walk(filter, 0);
}

/**
 * Rename fields, for example between two schemas. `rename` gets each field's pointer and returns the
 * new one (or the same).
 *
 * @example
 * ```ts
 * import { formatFilter, mapFields, parseFilter } from "crest-query";
 * const names: Record<string, string> = { mail: "emailAddress", sn: "lastName" };
 * const f = mapFields(parseFilter("mail co 'x' and sn pr"), (p) => p.map((s) => names[s] ?? s));
 * formatFilter(f); // '/emailAddress co "x" and /lastName pr'
 * ```
 */
export function mapFields(filter: Filter, rename: (pointer: Pointer) => Pointer): Filter {
  return transformFilter(filter, (node) => {
    if (node.type !== "presence" && node.type !== "comparison") return node;
    const next = rename(node.field);
    return pointerEquals(next, node.field) ? node : { ...node, field: [...next] };
  });
}

/**
 * Call `visit` for every test of a filter (each presence and comparison node), left to right: for
 * analyses that only care about the tests, such as the operators or fields a filter uses.
 * Iterative: deep trees cost no stack.
 *
 * @throws RangeError for trees deeper than `MAX_FILTER_DEPTH`.
 *
 * @example
 * ```ts
 * import { forEachTest, parseFilter } from "crest-query";
 * const operators = new Set<string>();
 * forEachTest(parseFilter("a eq 1 or !(b regex 'x' and c pr)"), (test) => {
 *   if (test.type === "comparison") operators.add(test.operator);
 * });
 * [...operators]; // ["eq", "regex"]
 * ```
 */
export function forEachTest(filter: Filter, visit: (test: PresenceFilter | ComparisonFilter) => void): void {
  const nodes: Filter[] = [filter];
  const depths: number[] = [0];
  let met = 0;
  let repeats: RepeatedUses | undefined;
  for (let node = nodes.pop(); node !== undefined; node = nodes.pop()) {
    const depth = depths.pop() as number;
    if (depth > MAX_FILTER_DEPTH) tooDeep();
    if (++met > MAX_SHARED_USES) (repeats ??= new RepeatedUses()).meet(node);
    switch (node.type) {
      case "and":
      case "or":
        for (let i = node.filters.length - 1; i >= 0; i--) {
          nodes.push(node.filters[i] as Filter);
          depths.push(depth + 1);
        }
        break;
      case "not":
        nodes.push(node.filter);
        depths.push(depth + 1);
        break;
      case "presence":
      case "comparison":
        visit(node);
        break;
      default:
        break;
    }
  }
}

/**
 * The fields a filter tests, each once, in the order they first appear.
 *
 * @example
 * ```ts
 * import { parseFilter, referencedFields } from "crest-query";
 * referencedFields(parseFilter("mail pr and (sn eq 'x' or mail co 'y')")); // [["mail"], ["sn"]]
 * ```
 */
export function referencedFields(filter: Filter): Pointer[] {
  const seen = new Map<string, Pointer>();
  forEachTest(filter, (node) => {
    const key = JSON.stringify(node.field);
    if (!seen.has(key)) seen.set(key, node.field);
  });
  return [...seen.values()];
}

function pointerEquals(a: Pointer, b: Pointer): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function valueEquals(a: FilterValue, b: FilterValue): boolean {
  // Object.is keeps 1 (a decimal) apart from 1n (an integer), and -0.0 apart from 0.0.
  return Object.is(a, b) || (typeof a === "bigint" && typeof b === "bigint" && a === b);
}

/**
 * Whether two filters are the same tree: same node kinds, operators, pointers and values (an integer
 * `1` differs from a decimal `1.0`). Parenthesised groups count: `(a and b) and c` is not
 * `a and b and c`; compare {@link simplifyFilter}ed filters to ignore such differences.
 *
 * @example
 * ```ts
 * import { field, filterEquals, parseFilter } from "crest-query";
 * filterEquals(parseFilter("MAIL EQ 'x'"), field("MAIL").eq("x")); // true
 * filterEquals(parseFilter("a eq 1"), parseFilter("a eq 1.0"));    // false
 * ```
 */
export function filterEquals(a: Filter, b: Filter): boolean {
  let met = 0;
  let repeats: RepeatedUses | undefined;
  const equal = (x: Filter, y: Filter, depth: number): boolean => {
    if (depth > MAX_FILTER_DEPTH) tooDeep();
    if (x === y) return true;
    if (++met > MAX_SHARED_USES) (repeats ??= new RepeatedUses()).meet(x);
    switch (x.type) {
      case "and":
      case "or":
        return y.type === x.type && x.filters.length === y.filters.length && x.filters.every((f, i) => equal(f, y.filters[i] as Filter, depth + 1));
      case "not":
        return y.type === "not" && equal(x.filter, y.filter, depth + 1);
      case "literal":
        return y.type === "literal" && x.value === y.value;
      case "presence":
        return y.type === "presence" && pointerEquals(x.field, y.field);
      case "comparison":
        return y.type === "comparison" && x.operator === y.operator && pointerEquals(x.field, y.field) && valueEquals(x.value, y.value);
    }
  };
  return equal(a, b, 0);
}

// A key for tests, so long chains are deduplicated in linear time; groups compare structurally.
function testKey(f: Filter): string | undefined {
  if (f.type === "presence") return `p${JSON.stringify(f.field)}`;
  if (f.type !== "comparison") return undefined;
  const v = f.value;
  const value = typeof v === "number" && Object.is(v, -0) ? "-0" : String(v);
  return `c${f.operator}\u0000${JSON.stringify(f.field)}\u0000${typeof v}:${value}`;
}

const TRUE: Filter = { type: "literal", value: true };
const FALSE: Filter = { type: "literal", value: false };

/**
 * Simplify a filter without changing what it means, under the three-valued logic of the evaluator
 * (an unknown extended operator gives *undefined*, and `!undefined` stays undefined): nested groups
 * of the same operator are flattened, `true` and `false` are folded away, double negations removed,
 * repeated operands dropped, and single-operand groups replaced by their operand.
 *
 * @example
 * ```ts
 * import { formatFilter, parseFilter, simplifyFilter } from "crest-query";
 * formatFilter(simplifyFilter(parseFilter("(a pr and true) and !(!(b pr)) or false")));
 * // "/a pr and /b pr"
 * ```
 */
export function simplifyFilter(filter: Filter): Filter {
  return transformFilter(filter, (node) => {
    if (node.type === "not") {
      const inner = node.filter;
      if (inner.type === "not") return inner.filter;
      if (inner.type === "literal") return inner.value ? FALSE : TRUE;
      return node;
    }
    if (node.type !== "and" && node.type !== "or") return node;
    // `and` is the minimum and `or` the maximum of false < undefined < true: the identity
    // element is dropped, the absorbing one decides, and both operators are idempotent.
    const absorbing = node.type === "or";
    const operands: Filter[] = [];
    const tests = new Set<string>();
    const add = (f: Filter): boolean => {
      if (f.type === "literal") return f.value === absorbing;
      if (f.type === node.type) return f.filters.some(add);
      const key = testKey(f);
      if (key !== undefined) {
        if (tests.has(key)) return false;
        tests.add(key);
        operands.push(f);
      } else if (!operands.some((g) => filterEquals(g, f))) {
        operands.push(f);
      }
      return false;
    };
    if (node.filters.some(add)) return absorbing ? TRUE : FALSE;
    if (operands.length === 0) return absorbing ? FALSE : TRUE;
    if (operands.length === 1) return operands[0] as Filter;
    return { type: node.type, filters: operands };
  });
}
