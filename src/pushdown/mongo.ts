import type { Filter, FilterValue, Pointer } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { formatPointer } from "../language/pointer.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";
import { NotTranslatableError } from "./postgres.js";

/**
 * A MongoDB query document (what `collection.find(query)` takes).
 *
 * @example
 * ```ts
 * import type { MongoQuery } from "crest-query";
 * const active: MongoQuery = { accountStatus: "active" };
 * ```
 */
export type MongoQuery = { readonly [key: string]: unknown };

/**
 * Options of {@link toMongoQuery}.
 *
 * @example
 * ```ts
 * import type { ToMongoQueryOptions } from "crest-query";
 * const options: ToMongoQueryOptions = { caseSensitive: true };
 * ```
 */
export interface ToMongoQueryOptions {
  /** Compare strings with their case (default `false`: case-insensitive regular expressions). */
  readonly caseSensitive?: boolean;
}

/**
 * Translate a filter into a MongoDB query document. Dotted paths give the same array fan-out
 * (any element may match) and MongoDB's type bracketing gives the same type-compatible
 * comparisons; case-insensitive tests become anchored, escaped regular expressions with the `i`
 * flag. The pushdown guide (docs/pushdown.md) lists what does not translate exactly.
 *
 * @throws NotTranslatableError for an extended operator, or a field segment holding `.` or
 * starting with `$` (MongoDB paths cannot name them).
 *
 * @example
 * ```ts
 * import { parseFilter, toMongoQuery } from "crest-query";
 * toMongoQuery(parseFilter("/age ge 18 and /roles/name eq 'admin'"), { caseSensitive: true });
 * // { $and: [{ age: { $gte: 18 } }, { "roles.name": { $eq: "admin" } }] }
 * ```
 */
export function toMongoQuery(filter: Filter, options: ToMongoQueryOptions = {}): MongoQuery {
  return translate(filter, options, 0);
}

const ORDER: Readonly<Record<string, string>> = { lt: "$lt", le: "$lte", gt: "$gt", ge: "$gte" };

function translate(filter: Filter, options: ToMongoQueryOptions, depth: number): MongoQuery {
  if (depth > MAX_FILTER_DEPTH) throw new RangeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  switch (filter.type) {
    case "literal":
      return filter.value ? {} : { $expr: false };
    case "not":
      return { $nor: [translate(filter.filter, options, depth + 1)] };
    case "and":
    case "or":
      if (filter.filters.length === 0) return filter.type === "and" ? {} : { $expr: false };
      return { [filter.type === "and" ? "$and" : "$or"]: filter.filters.map((f) => translate(f, options, depth + 1)) };
    case "presence":
      return { [path(filter.field)]: { $exists: true, $ne: null } };
    case "comparison":
      return { [path(filter.field)]: condition(filter.operator, filter.value, options) };
    default:
      throw new TypeError(`Not a filter node: ${describeText(String((filter as { type?: unknown }).type))}`);
  }
}

function condition(operator: string, value: FilterValue, options: ToMongoQueryOptions): MongoQuery {
  const v = typeof value === "bigint" ? Number(value) : value;
  const ignoreCase = options.caseSensitive !== true && typeof v === "string";
  switch (operator) {
    case "eq":
      return ignoreCase ? regex(`^${escapeRegex(v as string)}$`) : { $eq: v };
    case "co":
    case "sw":
      if (typeof v !== "string") return { $eq: v };
      return regex(`${operator === "sw" ? "^" : ""}${escapeRegex(v)}`, ignoreCase);
    case "lt":
    case "le":
    case "gt":
    case "ge":
      if (ignoreCase) {
        throw new NotTranslatableError(
          `Case-insensitive '${operator}' on a string has no MongoDB translation (MongoDB orders strings by their case): pass caseSensitive: true`,
        );
      }
      return { [ORDER[operator] as string]: v };
    default:
      throw new NotTranslatableError(`Extended operator '${describeText(operator)}' has no MongoDB translation`);
  }
}

function regex(source: string, ignoreCase = true): MongoQuery {
  return ignoreCase ? { $regex: source, $options: "i" } : { $regex: source };
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

function path(pointer: Pointer): string {
  if (pointer.length === 0 || pointer.some((s) => s === "" || s.includes(".") || s.startsWith("$") || s.includes("\u0000"))) {
    throw new NotTranslatableError(`Field ${formatPointer(pointer)} cannot be named in a MongoDB path`);
  }
  return pointer.join(".");
}
