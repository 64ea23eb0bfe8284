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
