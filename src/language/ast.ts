/**
 * A JSON pointer as a list of decoded segments: `/roles/0/_refResourceId` is
 * `["roles", "0", "_refResourceId"]`, and `[]` is the resource itself.
 *
 * @example
 * ```ts
 * import type { Pointer } from "crest-query";
 * const mail: Pointer = ["mail"];
 * ```
 */
export type Pointer = readonly string[];

/**
 * The value of a comparison. The kind of a number is kept, because the server keeps it: a
 * `bigint` is an integer literal (a Java `Long`, exact over the whole signed 64-bit range) and a
 * `number` is a decimal literal (a Java `Double`), so `1` and `1.0` stay different.
 *
 * @example
 * ```ts
 * import { parseFilter } from "crest-query";
 * parseFilter("/age eq 42");  // value: 42n (integer)
 * parseFilter("/ratio eq 0.5"); // value: 0.5 (decimal)
 * ```
 */
export type FilterValue = string | boolean | bigint | number;

/**
 * The seven operators every CREST server implements, in the lower case the AST stores them in.
 *
 * @example
 * ```ts
 * import { CORE_OPERATORS } from "crest-query";
 * CORE_OPERATORS.includes("sw"); // true
 * ```
 */
export const CORE_OPERATORS = Object.freeze(["eq", "co", "sw", "lt", "le", "gt", "ge"] as const);

/**
 * One of {@link CORE_OPERATORS}.
 *
 * @example
 * ```ts
 * import type { CoreOperator } from "crest-query";
 * const op: CoreOperator = "eq";
 * ```
 */
export type CoreOperator = (typeof CORE_OPERATORS)[number];

/**
 * `a and b and ...`: matches when every operand matches. The parser always gives two or more
 * operands; `(a and b) and c` keeps its inner group, as the server does.
 *
 * @example
 * ```ts
 * import type { AndFilter } from "crest-query";
 * const f: AndFilter = { type: "and", filters: [{ type: "presence", field: ["mail"] }, { type: "literal", value: true }] };
 * ```
 */
export interface AndFilter {
  readonly type: "and";
  readonly filters: readonly Filter[];
}

/**
 * `a or b or ...`: matches when any operand matches.
 *
 * @example
 * ```ts
 * import type { OrFilter } from "crest-query";
 * const f: OrFilter = { type: "or", filters: [{ type: "presence", field: ["mail"] }, { type: "presence", field: ["sn"] }] };
 * ```
 */
export interface OrFilter {
  readonly type: "or";
  readonly filters: readonly Filter[];
}

/**
 * `!(f)`: negation.
 *
 * @example
 * ```ts
 * import type { NotFilter } from "crest-query";
 * const f: NotFilter = { type: "not", filter: { type: "presence", field: ["mail"] } };
 * ```
 */
export interface NotFilter {
  readonly type: "not";
  readonly filter: Filter;
}

/**
 * `true` or `false`.
 *
 * @example
 * ```ts
 * import type { LiteralFilter } from "crest-query";
 * const all: LiteralFilter = { type: "literal", value: true };
 * ```
 */
export interface LiteralFilter {
  readonly type: "literal";
  readonly value: boolean;
}

/**
 * `field pr`: the field holds a value that is not `null`.
 *
 * @example
 * ```ts
 * import type { PresenceFilter } from "crest-query";
 * const f: PresenceFilter = { type: "presence", field: ["telephoneNumber"] };
 * ```
 */
export interface PresenceFilter {
  readonly type: "presence";
  readonly field: Pointer;
}

/**
 * `field operator value`. `operator` is a core operator in lower case, or an extended operator
 * exactly as written (letters, digits, `_` and `.`).
 *
 * @example
 * ```ts
 * import type { ComparisonFilter } from "crest-query";
 * const f: ComparisonFilter = { type: "comparison", operator: "eq", field: ["userName"], value: "bjensen" };
 * ```
 */
export interface ComparisonFilter {
  readonly type: "comparison";
  readonly operator: string;
  readonly field: Pointer;
  readonly value: FilterValue;
}

/**
 * A parsed `_queryFilter`: plain, readonly data that the parser, the builder and every function of
 * this library share.
 *
 * @example
 * ```ts
 * import { parseFilter, type Filter } from "crest-query";
 * const f: Filter = parseFilter('/mail co "@example.com" and /active eq true');
 * ```
 */
export type Filter = AndFilter | OrFilter | NotFilter | LiteralFilter | PresenceFilter | ComparisonFilter;

/**
 * Whether an operator name is one of the core seven (in any case).
 *
 * @example
 * ```ts
 * import { isCoreOperator } from "crest-query";
 * isCoreOperator("EQ"); // true
 * isCoreOperator("regex"); // false
 * ```
 */
export function isCoreOperator(operator: string): boolean {
  return CORE_OPERATOR_SET.has(operator.toLowerCase());
}

const CORE_OPERATOR_SET: ReadonlySet<string> = new Set(CORE_OPERATORS);

const EXTENDED_OPERATOR = /^[A-Za-z0-9_.]+$/;

/**
 * Whether a name can be written as an extended operator: letters, digits, `_` and `.`, and not a
 * core operator or `pr` in any case (those are read as the keyword).
 *
 * @example
 * ```ts
 * import { isExtendedOperatorName } from "crest-query";
 * isExtendedOperatorName("regex"); // true
 * isExtendedOperatorName("o-p");   // false
 * ```
 */
export function isExtendedOperatorName(operator: string): boolean {
  return EXTENDED_OPERATOR.test(operator) && !isCoreOperator(operator) && operator.toLowerCase() !== "pr";
}

/** How deep a filter tree may nest; the same bound as the writer's `MAX_FILTER_DEPTH`. */
const MAX_NODE_DEPTH = 1000;

/** The most segments a field of a filter node may have (the shape check's and the writer's limit). */
export const MAX_POINTER_SEGMENTS = 10_000;

/** Whether a node's operator can be written: a core operator in lower case, or an extended name. */
export function isWritableOperator(operator: unknown): boolean {
  return typeof operator === "string" && (CORE_OPERATOR_SET.has(operator) || isExtendedOperatorName(operator));
}

function describeNodeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  return typeof value === "object" ? "an object" : typeof value;
}

function pointerProblem(field: unknown): string | undefined {
  if (!Array.isArray(field)) return `is ${describeNodeValue(field)}, not an array of segment strings`;
  if (field.length > MAX_POINTER_SEGMENTS) return `has more than ${MAX_POINTER_SEGMENTS} segments`;
  for (const [i, segment] of field.entries()) {
    if (typeof segment !== "string") return `[${i}] is ${describeNodeValue(segment)}, not a string`;
  }
  return undefined;
}

function valueProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "bigint":
    case "number":
      // The shape only: whether a server can read the value (finite, in range) is the writer's check.
      return undefined;
    default:
      return `is ${describeNodeValue(value)}, not a string, boolean, bigint or number`;
  }
}

/** The first problem with a node's own fields (not its operands), or undefined. */
function nodeProblem(node: Record<string, unknown>): { readonly at: string; readonly problem: string } | undefined {
  switch (node.type) {
    case "and":
    case "or": {
      const filters = node.filters;
      // An empty group is written by its meaning (and: true, or: false), as the writer does.
      return Array.isArray(filters) ? undefined : { at: ".filters", problem: `is ${describeNodeValue(filters)}, not an array of filters` };
    }
    case "not":
      return undefined;
    case "literal":
      return typeof node.value === "boolean" ? undefined : { at: ".value", problem: `is ${describeNodeValue(node.value)}, not true or false` };
    case "presence": {
      const problem = pointerProblem(node.field);
      return problem === undefined ? undefined : { at: ".field", problem };
    }
    case "comparison": {
      const operator = node.operator;
      if (!isWritableOperator(operator)) {
        return { at: ".operator", problem: `is ${describeNodeValue(operator)}, which cannot be written as an operator (a core operator in lower case, or an extended name of letters, digits, _ and .)` };
      }
      const fieldProblem = pointerProblem(node.field);
      if (fieldProblem !== undefined) return { at: ".field", problem: fieldProblem };
      const problem = valueProblem(node.value);
      return problem === undefined ? undefined : { at: ".value", problem };
    }
    default:
      return { at: ".type", problem: `is ${describeNodeValue(node.type)}, not one of and, or, not, literal, presence, comparison` };
  }
}

/** The first problem in a filter tree, or undefined when it is well formed. Iterative and bounded. */
function filterProblem(value: unknown, name: string): TypeError | RangeError | undefined {
  // Every node met is recorded once in these parallel arrays (no object per node); the stack holds
  // indexes into them, and a path for a message is rebuilt from the parent links only on failure.
  const nodes: unknown[] = [value];
  const depths: number[] = [0];
  const parents: number[] = [-1];
  const steps: number[] = [-1]; // index in the parent's filters, or -1 for a not's operand
  const stack: number[] = [0];
  // The way from the root to a node, for messages: the last few steps of a long way, so a message
  // about a deep tree stays short.
  const pathOf = (at: number): string => {
    const parts: string[] = [];
    let i = at;
    for (; parents[i] !== -1 && parts.length < 6; i = parents[i] as number) parts.push(steps[i] === -1 ? ".filter" : `.filters[${steps[i]}]`);
    return `${name}${parents[i] !== -1 ? "…" : ""}${parts.reverse().join("")}`;
  };
  // Depth at which each object was last checked, kept only once the tree is large: a node shared by
  // several parents is checked again only when met deeper (at most MAX_NODE_DEPTH times), so shared
  // subtrees cost linear time and a cycle runs into the depth bound instead of looping.
  let seen: Map<object, number> | undefined;
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    const node = nodes[at];
    const depth = depths[at] as number;
    if (depth > MAX_NODE_DEPTH) return new RangeError(`${pathOf(at)}: the filter nests deeper than ${MAX_NODE_DEPTH} levels (or holds a cycle)`);
    if (typeof node !== "object" || node === null || Array.isArray(node)) return new TypeError(`Not a filter node: ${pathOf(at)} is ${describeNodeValue(node)}`);
    if (nodes.length > 4096) {
      seen ??= new Map();
      const before = seen.get(node);
      if (before !== undefined && before >= depth) continue;
      seen.set(node, depth);
    }
    const record = node as Record<string, unknown>;
    const problem = nodeProblem(record);
    if (problem !== undefined) {
      const prefix = problem.at === ".type" ? "Not a filter node: " : "";
      const gap = problem.problem.startsWith("[") ? "" : " ";
      return new TypeError(`${prefix}${pathOf(at)}${problem.at}${gap}${problem.problem}`);
    }
    const children: readonly unknown[] | undefined =
      record.type === "not" ? [record.filter] : record.type === "and" || record.type === "or" ? (record.filters as readonly unknown[]) : undefined;
    if (children === undefined) continue;
    const single = record.type === "not";
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push(nodes.length);
      nodes.push(children[i]);
      depths.push(depth + 1);
      parents.push(at);
      steps.push(single ? -1 : i);
    }
  }
  return undefined;
}

/**
 * Whether a value is a well-formed filter tree: every node has a known `type` and the fields that
 * type needs, of the right kinds (`literal` holds a boolean, `comparison` a valid operator, a pointer
 * and a string, boolean, number or bigint, ...), nested at most 1000 levels. Whether a server can
 * read a value (a finite number, a 64-bit integer, text without lone surrogates) is checked where the
 * filter is written. Use it on filters that come from outside
 * (JSON, other code) before trusting them; {@link assertFilter} says what is wrong.
 *
 * @example
 * ```ts
 * import { isFilterNode, parseFilter } from "crest-query";
 * isFilterNode(parseFilter("/mail pr"));              // true
 * isFilterNode({ type: "literal", value: "false" }); // false: the value is a string
 * ```
 */
export function isFilterNode(value: unknown): value is Filter {
  return wellFormed(value) || (filterProblem(value, "filter") === undefined && repeatedUses(value as Filter) <= MAX_SHARED_USES);
}

/**
 * Check that a value is a well-formed filter tree (see {@link isFilterNode}) and throw otherwise,
 * naming the node: `filter.filters[1].value is "false", not true or false`. Never modifies the value;
 * runs in time linear in the size of the tree, without recursion.
 *
 * @param name - how to call the value in the message (for example the function that received it).
 * @throws TypeError for a malformed node, RangeError for a tree deeper than 1000 levels (or cyclic).
 *
 * @example
 * ```ts
 * import { assertFilter } from "crest-query";
 * const foreign: unknown = JSON.parse('{"type":"presence","field":["mail"]}');
 * assertFilter(foreign, "stored filter"); // passes: foreign is now typed as a Filter
 * ```
 */
export function assertFilter(value: unknown, name = "filter"): asserts value is Filter {
  if (wellFormed(value)) return;
  const problem = filterProblem(value, name);
  if (problem !== undefined) throw problem;
  if (repeatedUses(value as Filter) > MAX_SHARED_USES) {
    throw new RangeError(
      `${name}: the filter uses its shared parts again more than ${MAX_SHARED_USES} times in all (one group reused inside itself level after level doubles the work per level); build it without reusing a group inside itself`,
    );
  }
}

/**
 * How many times in all a filter object may use again a node it already uses elsewhere. The
 * writer and the evaluator walk a node once per use: one group reused at every level of a built
 * tree doubles the walk per level, so 40 such levels of 81 objects would take hours. A tree that
 * shares nothing (any parsed filter) never comes near the limit, however large it is.
 *
 * @example
 * ```ts
 * import { field, formatFilter, type Filter, MAX_SHARED_USES } from "crest-query";
 * let f: Filter = field("a").pr();
 * for (let i = 0; i < 10; i++) f = { type: "or", filters: [f, f] }; // 11 objects, 2,047 uses
 * formatFilter(f, { maxNesting: 20 }).length > 0; // fine; 20 such levels are refused
 * MAX_SHARED_USES; // 1000000
 * ```
 */
export const MAX_SHARED_USES = 1_000_000;

/**
 * The uses of nodes of a (checked, acyclic) filter beyond the first use of each: the nodes of the
 * tree it stands for, less its distinct objects. Linear in the number of distinct objects (each
 * one's count is worked out once); counts are capped far above the limit, so they stay exact
 * integers.
 */
function repeatedUses(root: Filter): number {
  const CAP = 2 ** 50;
  const sizes = new Map<Filter, number>();
  const stack: Filter[] = [root];
  const entered = new Set<Filter>();
  while (stack.length > 0) {
    const node = stack[stack.length - 1] as Filter;
    if (sizes.has(node)) {
      stack.pop();
      continue;
    }
    const children = node.type === "not" ? [node.filter] : node.type === "and" || node.type === "or" ? node.filters : [];
    if (!entered.has(node)) {
      entered.add(node);
      for (const child of children) if (!sizes.has(child)) stack.push(child);
      continue;
    }
    stack.pop();
    let size = 1;
    for (const child of children) size = Math.min(CAP, size + (sizes.get(child) ?? CAP));
    sizes.set(node, size);
  }
  return (sizes.get(root) ?? CAP) - sizes.size;
}

/**
 * The common case of {@link filterProblem} without its bookkeeping: true only when every node is
 * well formed (the same rules); false when something is wrong or the tree is large, and then
 * `filterProblem` decides and words the message. Iterative; at most 4096 nodes.
 */
function wellFormed(root: unknown): boolean {
  const stack: unknown[] = [root];
  const depths: number[] = [0];
  let count = 1;
  while (stack.length > 0) {
    const node = stack.pop();
    const depth = depths.pop() as number;
    if (depth > MAX_NODE_DEPTH || typeof node !== "object" || node === null || Array.isArray(node)) return false;
    const record = node as Record<string, unknown>;
    switch (record.type) {
      case "comparison": {
        const operator = record.operator;
        if (!isWritableOperator(operator)) return false;
        if (!wellFormedPointer(record.field)) return false;
        const kind = typeof record.value;
        if (kind !== "string" && kind !== "boolean" && kind !== "number" && kind !== "bigint") return false;
        break;
      }
      case "presence":
        if (!wellFormedPointer(record.field)) return false;
        break;
      case "literal":
        if (typeof record.value !== "boolean") return false;
        break;
      case "not":
        stack.push(record.filter);
        depths.push(depth + 1);
        count++;
        break;
      case "and":
      case "or": {
        const filters = record.filters;
        if (!Array.isArray(filters)) return false;
        count += filters.length;
        if (count > 4096) return false;
        for (let i = filters.length - 1; i >= 0; i--) {
          stack.push(filters[i]);
          depths.push(depth + 1);
        }
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

function wellFormedPointer(field: unknown): boolean {
  if (!Array.isArray(field) || field.length > MAX_POINTER_SEGMENTS) return false;
  for (let i = 0; i < field.length; i++) if (typeof field[i] !== "string") return false;
  return true;
}
