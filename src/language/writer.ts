import { assertFilter, isWritableOperator, MAX_POINTER_SEGMENTS, type Filter, type FilterValue, type Pointer } from "./ast.js";
import { describeText } from "./errors.js";
import { checkOptions, maxNestingOption } from "./limits.js";
import { fitsLong, formatDecimal } from "./numbers.js";
import { formatPointer, hasLoneSurrogate } from "./pointer.js";

/**
 * How deep a filter tree may be for the functions of this library that walk it; deeper trees are
 * refused with a clear error rather than overflowing the stack.
 *
 * @example
 * ```ts
 * import { MAX_FILTER_DEPTH } from "crest-query";
 * MAX_FILTER_DEPTH; // 1000
 * ```
 */
export const MAX_FILTER_DEPTH = 1000;


/**
 * Options of {@link formatFilter}.
 *
 * @example
 * ```ts
 * import { formatFilter, not, field } from "crest-query";
 * formatFilter(not(not(field("a").pr())), { maxNesting: 2 }); // "!(!(/a pr))"
 * ```
 */
export interface FormatFilterOptions {
  /**
   * The most parenthesised groups the written text may nest: a whole number from 0 up, default
   * {@link DEFAULT_MAX_NESTING} (63), which is what the servers accept. Raise it only for a server
   * configured to accept more; values above 200 are lowered to 200, as when parsing.
   */
  readonly maxNesting?: number;
}

const FORMAT_OPTIONS = ["maxNesting"] as const;

/**
 * Write a filter in canonical form: lower-case keywords, single spaces, parentheses only where the
 * structure needs them, `!(...)` around every negation, `/`-prefixed percent-encoded fields, strings
 * in double quotes with only `\` and `"` escaped, integers as digits and decimals always with a `.`.
 * `parseFilter(formatFilter(f))` equals `f`.
 *
 * An `and` with no operand is written `true`, an `or` with none `false`, and one with a single
 * operand as that operand: the same meaning, though the parser will not give those shapes back.
 *
 * The writer never writes what the server rejects: text that would need more nested groups than
 * `maxNesting` (default 63, the servers' limit) is refused with a RangeError that says how deep.
 *
 * @throws TypeError for a filter no server could read: a non-finite decimal, an integer outside
 * 64 bits, an operator that is not a valid name, a lone surrogate, or nesting deeper than
 * {@link MAX_FILTER_DEPTH}; RangeError when the text would nest more than `maxNesting` groups.
 *
 * @example
 * ```ts
 * import { formatFilter, parseFilter } from "crest-query";
 * formatFilter(parseFilter("NAME   EQ 'O\\'Brien' AND (a pr OR b pr)"));
 * // '/NAME eq "O\'Brien" and (/a pr or /b pr)'
 * ```
 */
export function formatFilter(filter: Filter, options?: FormatFilterOptions): string {
  checkOptions(options, "formatFilter", FORMAT_OPTIONS);
  const limit = maxNestingOption(options?.maxNesting, "formatFilter");
  // The state of a call this one may run inside (a getter on a node that writes a filter).
  const outerGroups = maxGroups;
  const outerNodes = nodesLeft;
  try {
    // Most filters are small and well formed: one pass writes them, checking each node's shape
    // as it goes (the rules of assertFilter), with no walk of its own. Anything unusual (a
    // malformed node, a value the writer refuses, more than SINGLE_PASS_NODES nodes) sends the
    // filter the long way, which checks the whole shape first and so says what is wrong exactly
    // as before.
    maxGroups = limit;
    nodesLeft = SINGLE_PASS_NODES;
    try {
      return write(filter, 0, 0, 0);
    } catch {
      // the long way below
    }
    assertFilter(filter, "formatFilter");
    maxGroups = limit;
    nodesLeft = Number.POSITIVE_INFINITY;
    try {
      return write(filter, 0, 0, 0);
    } catch (error) {
      // Only a filter whose getters answer differently the second time gets here with a shape error.
      if (error === LONG_WAY) throw new TypeError("formatFilter: the filter changed while it was written");
      throw error;
    }
  } finally {
    maxGroups = outerGroups;
    nodesLeft = outerNodes;
  }
}

// The limit of the call being written (writing is synchronous, so one variable serves).
let maxGroups = 0;
/** Nodes the single pass may still write (shared nodes count once per use). */
let nodesLeft = 0;
/** Filters larger than this take the long way, whose shape check also bounds shared nodes. */
const SINGLE_PASS_NODES = 4096;
/** Thrown by the single pass when a filter must take the long way. */
const LONG_WAY = new Error("formatFilter: take the long way");

function open(groups: number): number {
  if (groups < maxGroups) return groups + 1;
  throw new RangeError(
    `The filter needs more than ${maxGroups} nested groups (parentheses or !(...)), which the server rejects; flatten it, or pass { maxNesting } if your server accepts more`,
  );
}

// Context: 0 = top level or inside parentheses, 1 = operand of `or`, 2 = operand of `and`.
// `groups` counts the parentheses already open around the filter.
function write(filter: Filter, context: 0 | 1 | 2, depth: number, groups: number): string {
  if (depth > MAX_FILTER_DEPTH) throw new TypeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  if (--nodesLeft < 0 || typeof filter !== "object" || filter === null || Array.isArray(filter)) throw LONG_WAY;
  switch (filter.type) {
    case "literal":
      if (typeof filter.value !== "boolean") throw LONG_WAY;
      return filter.value ? "true" : "false";
    case "presence":
      return `${writePointer(filter.field)} pr`;
    case "comparison": {
      const operator = filter.operator;
      if (!isWritableOperator(operator)) throw LONG_WAY;
      return `${writePointer(filter.field)} ${operator} ${formatValue(filter.value)}`;
    }
    case "not":
      return `!(${write(filter.filter, 0, depth + 1, open(groups))})`;
    case "and":
    case "or": {
      const operands = filter.filters;
      if (!Array.isArray(operands)) throw LONG_WAY;
      if (operands.length === 0) return filter.type === "and" ? "true" : "false";
      if (operands.length === 1) return write(operands[0] as Filter, context, depth + 1, groups);
      const inner = filter.type === "and" ? 2 : 1;
      // `or` inside `and` needs parentheses for precedence; a group of the same operator keeps
      // them so the tree reads back with the same shape.
      const needsParens = context === 2 || (context === 1 && filter.type === "or");
      const within = needsParens ? open(groups) : groups;
      const join = inner === 2 ? " and " : " or ";
      let text = write(operands[0] as Filter, inner, depth + 1, within);
      for (let i = 1; i < operands.length; i++) text += join + write(operands[i] as Filter, inner, depth + 1, within);
      return needsParens ? `(${text})` : text;
    }
    default:
      throw LONG_WAY;
  }
}

// A field as assertFilter accepts it (an array of at most 10,000 strings), written.
function writePointer(field: Pointer): string {
  if (!Array.isArray(field) || field.length > MAX_POINTER_SEGMENTS) throw LONG_WAY;
  return formatPointer(field);
}

// A string in double quotes with `\` and `"` escaped. One pass over the char codes finds the
// common case (nothing to escape, no surrogates) without a regular expression.
function formatString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      if (hasLoneSurrogate(value)) throw new TypeError(`String ${describeText(value)} holds a lone surrogate, which cannot be sent as UTF-8`);
      return `"${value.replace(ESCAPED, "\\$&")}"`;
    }
  }
  return `"${value}"`;
}
const ESCAPED = /["\\]/g;

/**
 * Write a comparison value as the filter language spells it: strings in double quotes with `\`
 * and `"` escaped, booleans as `true`/`false`, integers (bigint) as digits, decimals (number)
 * always with a `.`.
 *
 * @example
 * ```ts
 * import { formatValue } from "crest-query";
 * formatValue('say "hi"'); // '"say \\"hi\\""'
 * formatValue(42n);        // "42"
 * formatValue(1);          // "1.0"
 * ```
 */
export function formatValue(value: FilterValue): string {
  switch (typeof value) {
    case "string":
      return formatString(value);
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      if (!fitsLong(value)) throw new TypeError(`Integer ${value} does not fit a signed 64-bit integer`);
      return value.toString();
    case "number":
      return formatDecimal(value);
    default:
      throw new TypeError(`Not a filter value: ${typeof value}`);
  }
}
