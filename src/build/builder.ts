import type { Filter, FilterValue, Pointer } from "../language/ast.js";
import { assertFilter, CORE_OPERATORS, isExtendedOperatorName, isFilterNode } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { fitsLong } from "../language/numbers.js";
import { formatPointer, hasLoneSurrogate, parsePointer } from "../language/pointer.js";
import { formatFilter } from "../language/writer.js";

const DECIMAL = Symbol("crest-query.decimal");

/**
 * A number that must be written as a decimal literal (a Java `Double` on the server), made by
 * {@link decimal}. A plain JS number is written as an integer when it has no fraction.
 *
 * @example
 * ```ts
 * import { decimal, field, formatFilter } from "crest-query";
 * formatFilter(field("/score").ge(decimal(1))); // "/score ge 1.0"
 * ```
 */
export interface Decimal {
  readonly [DECIMAL]: true;
  readonly value: number;
}

/**
 * Force a decimal literal: `decimal(1)` is written `1.0`.
 *
 * @throws TypeError for NaN and infinities, which no filter can hold.
 *
 * @example
 * ```ts
 * import { decimal, field, formatFilter } from "crest-query";
 * formatFilter(field("ratio").lt(decimal(2))); // "/ratio lt 2.0"
 * ```
 */
export function decimal(value: number): Decimal {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`decimal() takes a finite number, got ${describeValue(value)}`);
  }
  return Object.freeze({ [DECIMAL]: true as const, value });
}

/**
 * What the builder accepts as a comparison value: text, booleans, numbers (integers when they have
 * no fraction), bigints (always integers) and {@link decimal}s.
 *
 * @example
 * ```ts
 * import { decimal, type BuilderValue } from "crest-query";
 * const values: BuilderValue[] = ["O'Brien", true, 42, 9007199254740993n, 0.5, decimal(1)];
 * ```
 */
export type BuilderValue = string | boolean | number | bigint | Decimal;

function isDecimal(value: unknown): value is Decimal {
  return typeof value === "object" && value !== null && (value as { [DECIMAL]?: unknown })[DECIMAL] === true;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return String(value);
  return typeof value;
}

/** Turn a builder value into a filter value, or explain why it cannot be one. */
export function toFilterValue(value: unknown, where: string): FilterValue {
  switch (typeof value) {
    case "string":
      if (hasLoneSurrogate(value)) throw new TypeError(`${where}: the string holds a lone surrogate, which cannot be sent as UTF-8`);
      return value;
    case "boolean":
      return value;
    case "bigint":
      if (!fitsLong(value)) throw new TypeError(`${where}: ${value} does not fit a signed 64-bit integer`);
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`${where}: ${value} is not a finite number`);
      if (!Number.isInteger(value)) return value;
      if (!Number.isSafeInteger(value)) {
        throw new TypeError(`${where}: ${value} is beyond the exact range of a JavaScript number; pass a bigint for an exact integer or decimal(${value}) for a decimal`);
      }
      return BigInt(value);
    default:
      if (isDecimal(value)) return value.value;
      throw new TypeError(`${where}: ${describeValue(value)} is not a filter value (use a string, number, bigint, boolean or decimal(); test absence with !(field.pr()))`);
  }
}

// Built nodes carry a non-enumerable toString, so String(f) is the canonical form while the
// nodes stay plain data for every other purpose (equality, spreading, JSON).
function built<F extends Filter>(node: F): F {
  Object.defineProperty(node, "toString", { value: builtToString, enumerable: false });
  return node;
}

function builtToString(this: Filter): string {
  return formatFilter(this);
}

const FIELD = Symbol("crest-query.field");

/**
 * A field to build tests on, made by {@link field}: every method returns a filter.
 *
 * @example
 * ```ts
 * import { field } from "crest-query";
 * const mail = field("/mail");
 * String(mail.co("@example.com")); // '/mail co "@example.com"'
 * ```
 */
export interface FieldRef {
  readonly [FIELD]: true;
  /** The decoded pointer segments. */
  readonly pointer: Pointer;
  /** `field eq value`. */
  eq(value: BuilderValue): Filter;
  /** `field co value` (contains; case-insensitive on most servers). */
  co(value: BuilderValue): Filter;
  /** `field sw value` (starts with). */
  sw(value: BuilderValue): Filter;
  /** `field lt value`. */
  lt(value: BuilderValue): Filter;
  /** `field le value`. */
  le(value: BuilderValue): Filter;
  /** `field gt value`. */
  gt(value: BuilderValue): Filter;
  /** `field ge value`. */
  ge(value: BuilderValue): Filter;
  /** `field pr`: present and not null. */
  pr(): Filter;
  /** An extended operator, such as `regex`: letters, digits, `_` and `.`. */
  op(operator: string, value: BuilderValue): Filter;
  /** The field as it is written in a filter: `/a/b`. */
  toString(): string;
}

/**
 * Whether a value is a {@link FieldRef} made by {@link field}.
 *
 * @example
 * ```ts
 * import { field, isFieldRef } from "crest-query";
 * isFieldRef(field("mail")); // true
 * isFieldRef("mail");        // false
 * ```
 */
export function isFieldRef(value: unknown): value is FieldRef {
  return typeof value === "object" && value !== null && (value as { [FIELD]?: unknown })[FIELD] === true;
}

/**
 * Start a test on a field. A string is read as a pointer (`"/roles/0/name"`, leading `/` optional,
 * `%2F` for a `/` inside a segment); an array gives the segments exactly as they are.
 *
 * Values are never parsed, so no value can change a filter's structure: `field("/sn").eq("x' or true")`
 * compares with exactly that text.
 *
 * @throws {@link FilterSyntaxError} for a pointer text that a field may not hold.
 *
 * @example
 * ```ts
 * import { and, field, formatFilter } from "crest-query";
 * formatFilter(and(field("/sn").eq("O'Brien"), field("/age").ge(18)));
 * // '/sn eq "O\'Brien" and /age ge 18'
 * ```
 */
export function field(pointer: string | Pointer): FieldRef {
  const segments: Pointer = typeof pointer === "string" ? parsePointer(pointer) : checkSegments(pointer);
  const name = formatPointer(segments);
  const compare = (operator: string) => (value: BuilderValue): Filter =>
    built({ type: "comparison", operator, field: segments, value: toFilterValue(value, `${operator} on field ${name}`) });
  const ref: FieldRef = {
    [FIELD]: true,
    pointer: segments,
    eq: compare("eq"),
    co: compare("co"),
    sw: compare("sw"),
    lt: compare("lt"),
    le: compare("le"),
    gt: compare("gt"),
    ge: compare("ge"),
    pr: () => built({ type: "presence", field: segments }),
    op: (operator, value) => {
      if (typeof operator !== "string") throw new TypeError(`op() on field ${name}: the operator must be a string`);
      const lower = operator.toLowerCase();
      if ((CORE_OPERATORS as readonly string[]).includes(lower)) return compare(lower)(value);
      if (!isExtendedOperatorName(operator)) {
        throw new TypeError(`op() on field ${name}: ${describeText(operator)} is not an operator name (letters, digits, '_' and '.'; use pr() for presence)`);
      }
      return compare(operator)(value);
    },
    toString: () => name,
  };
  return Object.freeze(ref);
}

function checkSegments(segments: Pointer): Pointer {
  if (!Array.isArray(segments) || !segments.every((s) => typeof s === "string")) {
    throw new TypeError("field() takes a pointer string or an array of segment strings");
  }
  const copy = Object.freeze([...segments]);
  formatPointer(copy); // refuses lone surrogates with a clear error
  return copy;
}

/**
 * The filter that matches everything: `true`.
 *
 * @example
 * ```ts
 * import { always } from "crest-query";
 * String(always()); // "true"
 * ```
 */
export function always(): Filter {
  return built({ type: "literal", value: true });
}

/**
 * The filter that matches nothing: `false`.
 *
 * @example
 * ```ts
 * import { never } from "crest-query";
 * String(never()); // "false"
 * ```
 */
export function never(): Filter {
  return built({ type: "literal", value: false });
}

/**
 * `true` or `false` as a filter.
 *
 * @example
 * ```ts
 * import { literal } from "crest-query";
 * String(literal(false)); // "false"
 * ```
 */
export function literal(value: boolean): Filter {
  if (typeof value !== "boolean") throw new TypeError(`literal() takes true or false, got ${describeValue(value)}`);
  return built({ type: "literal", value });
}

function group(type: "and" | "or", operands: readonly Filter[]): Filter {
  const flat: Filter[] = [];
  for (const [i, operand] of operands.entries()) {
    assertFilter(operand, `${type}() operand ${i + 1}`);
    // One push at a time: spreading a long list into push() overflows the call stack.
    if (operand.type === type) for (const inner of operand.filters) flat.push(inner);
    else flat.push(operand);
  }
  if (flat.length === 0) return literal(type === "and");
  if (flat.length === 1) return flat[0] as Filter;
  return built({ type, filters: flat });
}

/**
 * All of the filters. `and()` is `true`, `and(f)` is `f`, and nested `and`s are flattened.
 *
 * @example
 * ```ts
 * import { and, field } from "crest-query";
 * String(and(field("a").pr(), and(field("b").pr(), field("c").pr()))); // "/a pr and /b pr and /c pr"
 * ```
 */
export function and(...filters: Filter[]): Filter {
  return group("and", filters);
}

/**
 * Any of the filters. `or()` is `false`, `or(f)` is `f`, and nested `or`s are flattened.
 *
 * @example
 * ```ts
 * import { field, or } from "crest-query";
 * String(or(field("mail").sw("bj"), field("sn").sw("bj"))); // '/mail sw "bj" or /sn sw "bj"'
 * ```
 */
export function or(...filters: Filter[]): Filter {
  return group("or", filters);
}

/**
 * The negation of a filter: `!(f)`.
 *
 * @example
 * ```ts
 * import { field, not } from "crest-query";
 * String(not(field("mail").pr())); // "!(/mail pr)"
 * ```
 */
export function not(filter: Filter): Filter {
  assertFilter(filter, "not() operand");
  return built({ type: "not", filter });
}

const NODE_TYPES = new Set(["and", "or", "not", "literal", "presence", "comparison"]);

/**
 * Whether a value carries a filter node's `type` tag; it may still be malformed, so the template tag
 * checks such a value with `assertFilter` instead of reading it as a plain value.
 *
 * @example
 * ```ts
 * hasFilterTag({ type: "literal", value: "false" }); // true (and assertFilter refuses it)
 * ```
 */
export function hasFilterTag(value: unknown): boolean {
  return typeof value === "object" && value !== null && NODE_TYPES.has((value as { type?: unknown }).type as string);
}

/**
 * Whether a value is a well-formed filter: the same check as {@link isFilterNode} (every node of a
 * known type with the fields it needs), so `{ type: "literal", value: "false" }` is not a filter.
 *
 * @example
 * ```ts
 * import { isFilter, parseFilter } from "crest-query";
 * isFilter(parseFilter("a pr")); // true
 * isFilter("a pr");              // false
 * ```
 */
export function isFilter(value: unknown): value is Filter {
  return isFilterNode(value);
}
