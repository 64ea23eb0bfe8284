import { assertFilter, type Filter, type Pointer } from "../language/ast.js";
import { CrestError } from "./crest-error.js";
import { decodeQueryFilter, encodeQueryComponent } from "../language/encoding.js";
import { FilterSyntaxError } from "../language/errors.js";
import { parseFilter } from "../language/parser.js";
import { formatPointer, parsePointer } from "../language/pointer.js";
import { formatFilter } from "../language/writer.js";
import { MAX_FIELDS } from "./projection.js";

/**
 * How totals are counted: `NONE` (totals are -1), `EXACT`, or `ESTIMATE`.
 *
 * @example
 * ```ts
 * import type { TotalPagedResultsPolicy } from "crest-query";
 * const policy: TotalPagedResultsPolicy = "EXACT";
 * ```
 */
export type TotalPagedResultsPolicy = "NONE" | "EXACT" | "ESTIMATE";

/**
 * One key of `_sortKeys`: a field, ascending unless `descending`.
 *
 * @example
 * ```ts
 * import type { SortKey } from "crest-query";
 * const newestFirst: SortKey = { field: ["createDate"], descending: true };
 * ```
 */
export interface SortKey {
  readonly field: Pointer;
  readonly descending: boolean;
}

/**
 * The parameters of a CREST query, typed. `queryFilter` may be text, which is parsed when used.
 *
 * @example
 * ```ts
 * import { parseFilter, type QueryRequest } from "crest-query";
 * const request: QueryRequest = {
 *   queryFilter: parseFilter("/accountStatus eq 'active'"),
 *   sortKeys: [{ field: ["sn"], descending: false }],
 *   pageSize: 50,
 *   totalPagedResultsPolicy: "EXACT",
 * };
 * ```
 */
export interface QueryRequest {
  readonly queryFilter?: Filter | string;
  readonly queryId?: string;
  readonly queryExpression?: string;
  readonly fields?: readonly Pointer[];
  readonly sortKeys?: readonly SortKey[];
  readonly pageSize?: number;
  readonly pagedResultsCookie?: string;
  readonly pagedResultsOffset?: number;
  readonly totalPagedResultsPolicy?: TotalPagedResultsPolicy;
  readonly prettyPrint?: boolean;
  /** Parameters this library does not interpret, kept as given. */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * What {@link parseQueryParams} reads: a URL, `URLSearchParams`, a query string (with or without
 * `?`, or a whole URL), or a plain object of parameter names to values.
 *
 * @example
 * ```ts
 * import type { QueryParamsInput } from "crest-query";
 * const input: QueryParamsInput = { _queryFilter: "true", _pageSize: 10 };
 * ```
 */
export type QueryParamsInput =
  | string
  | URL
  | URLSearchParams
  | Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

// Canonical names by their lower-case spelling: the server matches parameter names ignoring case.
const KNOWN = new Map(
  [
    "_queryFilter",
    "_queryId",
    "_queryExpression",
    "_fields",
    "_sortKeys",
    "_pageSize",
    "_pagedResultsCookie",
    "_pagedResultsOffset",
    "_totalPagedResultsPolicy",
    "_prettyPrint",
  ].map((name) => [name.toLowerCase(), name]),
);
const LISTS = new Set(["_fields", "_sortKeys"]);

function entriesOf(input: QueryParamsInput): Array<[string, string]> {
  if (input instanceof URLSearchParams) return [...input.entries()];
  if (input instanceof URL) return [...input.searchParams.entries()];
  if (typeof input === "string") return parseQueryString(input);
  const entries: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) entries.push([name, String(v)]);
    else entries.push([name, String(value)]);
  }
  return entries;
}

function parseQueryString(text: string): Array<[string, string]> {
  const question = text.indexOf("?");
  const query = (question === -1 ? text : text.slice(question + 1)).replace(/#.*$/, "");
  const entries: Array<[string, string]> = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const rawName = equals === -1 ? part : part.slice(0, equals);
    const rawValue = equals === -1 ? "" : part.slice(equals + 1);
    const name = decodeParam(rawName, rawName);
    entries.push([name, decodeParam(rawValue, name)]);
  }
  return entries;
}

function decodeParam(raw: string, name: string): string {
  try {
    return decodeQueryFilter(raw);
  } catch (error) {
    // The decoder words its problem for _queryFilter; the parameter named here is the one at fault.
    if (error instanceof FilterSyntaxError) throw CrestError.badRequest(`Invalid ${name}: ${error.problem.replace(/ in an encoded _queryFilter$/, "")} at offset ${error.offset}`);
    throw error;
  }
}

function nonNegativeInteger(name: string, value: string): number {
  const n = /^\+?[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw CrestError.badRequest(`Invalid ${name}: '${value}' is not a non-negative integer`);
  return n;
}

function readPointer(item: string, parameter: string): Pointer {
  try {
    return parsePointer(item);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw CrestError.badRequest(`Invalid ${parameter}: ${error.problem}`);
    throw error;
  }
}

/**
 * Read a comma-separated list of field pointers (`_fields`): `mail,postalAddress/city`. Repeated
 * fields count once.
 *
 * @throws {@link CrestError} 400 naming `parameter` for a pointer a field may not hold, or for more
 * than 100 different fields.
 */
export function parseFieldList(value: string, parameter = "_fields"): Pointer[] {
  const seen = new Set<string>();
  const out: Pointer[] = [];
  const names = new Set<string>();
  for (const raw of value.split(",")) {
    const item = raw.trim();
    if (item === "" || seen.has(item)) continue;
    seen.add(item);
    const pointer = readPointer(item, parameter);
    const name = JSON.stringify(pointer);
    if (names.has(name)) continue;
    names.add(name);
    out.push(pointer);
    if (out.length > MAX_FIELDS) throw CrestError.badRequest(`Invalid ${parameter}: more than ${MAX_FIELDS} different fields`);
  }
  return out;
}

/**
 * Read a comma-separated list of sort keys (`_sortKeys`): `-createDate,sn` (`-` for descending,
 * `+` allowed for ascending). A repeated field counts once (the first decides).
 *
 * @throws {@link CrestError} 400 for an empty key (`,sn`, `sn,,mail`), a key that names no field,
 * an invalid pointer, or more than 100 different keys.
 */
export function parseSortKeys(value: string): SortKey[] {
  if (value.trim() === "") return [];
  const seen = new Set<string>();
  const names = new Set<string>();
  const out: SortKey[] = [];
  for (const raw of value.split(",")) {
    const item = raw.trim();
    if (item === "") throw CrestError.badRequest(`Invalid _sortKeys: '${value.length > 60 ? `${value.slice(0, 60)}…` : value}' holds an empty key`);
    if (seen.has(item)) continue;
    seen.add(item);
    const descending = item.startsWith("-");
    const text = item.startsWith("-") || item.startsWith("+") ? item.slice(1) : item;
    const field = text.trim() === "" ? undefined : readPointer(text, "_sortKeys");
    if (field === undefined || field.length === 0) throw CrestError.badRequest(`Invalid _sortKeys: '${item}' names no field`);
    const name = JSON.stringify(field);
    if (names.has(name)) continue;
    names.add(name);
    out.push({ field, descending });
    if (out.length > MAX_FIELDS) throw CrestError.badRequest(`Invalid _sortKeys: more than ${MAX_FIELDS} different keys`);
  }
  return out;
}

/**
 * Read CREST query parameters into a typed {@link QueryRequest}, the way a server does: parameter
 * names ignore case, `+` is a space, `_queryFilter` is parsed, `_fields` and `_sortKeys` are lists of
 * pointers (`-` for descending). Parameters this library does not interpret are kept in `extra`.
 *
 * @throws {@link CrestError} (400, naming the parameter) for a filter that does not parse, a bad
 * number or policy, a repeated parameter, or parameters that exclude each other (`_queryFilter`,
 * `_queryId` and `_queryExpression`; `_pagedResultsCookie` and `_pagedResultsOffset`).
 *
 * @example
 * ```ts
 * import { parseQueryParams } from "crest-query";
 * const request = parseQueryParams("?_queryFilter=mail+co+%22example%22&_sortKeys=-sn,givenName&_pageSize=2");
 * request.pageSize;            // 2
 * request.sortKeys?.[0];       // { field: ["sn"], descending: true }
 * ```
 */
export function parseQueryParams(input: QueryParamsInput): QueryRequest {
  const seen = new Map<string, string>();
  const extra: Record<string, string> = {};
  for (const [rawName, value] of entriesOf(input)) {
    const name = KNOWN.get(rawName.toLowerCase());
    if (name === undefined) {
      Object.defineProperty(extra, rawName, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const previous = seen.get(name);
    if (previous !== undefined && !LISTS.has(name)) throw CrestError.badRequest(`Parameter ${name} is given more than once`);
    seen.set(name, previous === undefined ? value : `${previous},${value}`);
  }

  const request: {
    -readonly [K in keyof QueryRequest]: QueryRequest[K];
  } = {};
  const queries = ["_queryFilter", "_queryId", "_queryExpression"].filter((n) => seen.has(n));
  if (queries.length > 1) throw CrestError.badRequest(`Parameters ${queries.join(" and ")} cannot be used together`);
  for (const [name, value] of seen) {
    switch (name) {
      case "_queryFilter":
        try {
          request.queryFilter = parseFilter(value);
        } catch (error) {
          if (error instanceof FilterSyntaxError) {
            throw CrestError.badRequest(`Invalid _queryFilter: ${error.message}`, {
              parameter: "_queryFilter",
              offset: error.offset,
              line: error.line,
              column: error.column,
              found: error.found,
              expected: error.expected,
            });
          }
          throw error;
        }
        break;
      case "_queryId":
        if (value === "") throw CrestError.badRequest("Invalid _queryId: it is empty");
        request.queryId = value;
        break;
      case "_queryExpression":
        request.queryExpression = value;
        break;
      case "_fields":
        request.fields = parseFieldList(value);
        break;
      case "_sortKeys":
        request.sortKeys = parseSortKeys(value);
        break;
      case "_pageSize":
        request.pageSize = nonNegativeInteger("_pageSize", value);
        break;
      case "_pagedResultsCookie":
        request.pagedResultsCookie = value;
        break;
      case "_pagedResultsOffset":
        request.pagedResultsOffset = nonNegativeInteger("_pagedResultsOffset", value);
        break;
      case "_totalPagedResultsPolicy": {
        const policy = value.trim().toUpperCase();
        if (policy !== "NONE" && policy !== "EXACT" && policy !== "ESTIMATE") {
          throw CrestError.badRequest(`Invalid _totalPagedResultsPolicy: '${value}' is not NONE, EXACT or ESTIMATE`);
        }
        request.totalPagedResultsPolicy = policy;
        break;
      }
      case "_prettyPrint": {
        const flag = value.trim().toLowerCase();
        if (flag !== "true" && flag !== "false" && flag !== "") throw CrestError.badRequest(`Invalid _prettyPrint: '${value}' is not true or false`);
        request.prettyPrint = flag !== "false";
        break;
      }
    }
  }
  if (request.pagedResultsCookie !== undefined && request.pagedResultsOffset !== undefined && request.pagedResultsCookie !== "") {
    throw CrestError.badRequest("Parameters _pagedResultsCookie and _pagedResultsOffset cannot be used together");
  }
  if (Object.keys(extra).length > 0) request.extra = extra;
  return request;
}

/**
 * Write a {@link QueryRequest} as a URL query string (no leading `?`), with every value encoded
 * as servers expect (a space is `%20`, `+` is `%2B`), the filter in canonical form, and commas inside
 * field names escaped so lists read back the same.
 *
 * @example
 * ```ts
 * import { field, formatQueryParams } from "crest-query";
 * formatQueryParams({ queryFilter: field("mail").co("a+b"), pageSize: 50, sortKeys: [{ field: ["sn"], descending: true }] });
 * // "_queryFilter=%2Fmail%20co%20%22a%2Bb%22&_sortKeys=-%2Fsn&_pageSize=50"
 * ```
 */
export function formatQueryParams(request: QueryRequest): string {
  const parts: string[] = [];
  const add = (name: string, value: string) => parts.push(`${encodeQueryComponent(name)}=${encodeQueryComponent(value)}`);
  const list = (pointers: readonly Pointer[]) => pointers.map((p) => formatPointer(p).replace(/,/g, "%2C"));
  if (request.queryFilter !== undefined) add("_queryFilter", typeof request.queryFilter === "string" ? request.queryFilter : formatFilter(request.queryFilter));
  if (request.queryId !== undefined) add("_queryId", request.queryId);
  if (request.queryExpression !== undefined) add("_queryExpression", request.queryExpression);
  if (request.fields !== undefined && request.fields.length > 0) add("_fields", list(request.fields).join(","));
  if (request.sortKeys !== undefined && request.sortKeys.length > 0) {
    add("_sortKeys", request.sortKeys.map((k) => `${k.descending ? "-" : ""}${list([k.field]).join("")}`).join(","));
  }
  if (request.pageSize !== undefined) add("_pageSize", String(request.pageSize));
  if (request.pagedResultsCookie !== undefined) add("_pagedResultsCookie", request.pagedResultsCookie);
  if (request.pagedResultsOffset !== undefined) add("_pagedResultsOffset", String(request.pagedResultsOffset));
  if (request.totalPagedResultsPolicy !== undefined) add("_totalPagedResultsPolicy", request.totalPagedResultsPolicy);
  if (request.prettyPrint !== undefined) add("_prettyPrint", String(request.prettyPrint));
  for (const [name, value] of Object.entries(request.extra ?? {})) add(name, value);
  return parts.join("&");
}

/** A `_queryFilter` value as a filter: text is parsed, and a syntax error is a 400 naming the parameter. */
export function filterParameter(value: Filter | string): Filter {
  if (typeof value !== "string") {
    // A filter object from the caller: its shape and size are checked before anything walks it.
    assertFilter(value, "queryFilter");
    return value;
  }
  try {
    return parseFilter(value);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw CrestError.badRequest(`Invalid _queryFilter: ${error.message}`, { parameter: "_queryFilter", offset: error.offset });
    throw error;
  }
}

/** A count parameter (`_pageSize`, `_pagedResultsOffset`): 0 when absent, a 400 naming it unless a non-negative integer. */
export function countParameter(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw CrestError.badRequest(`Invalid ${name}: '${value}' is not a non-negative integer`);
  return value;
}

/** The paging and counting parameters of a query, checked. */
export interface CheckedPaging {
  readonly pageSize: number;
  readonly offset: number;
  readonly cookie: string | undefined;
  readonly policy: TotalPagedResultsPolicy;
}

/**
 * Check what every store checks the same way: one of `_queryFilter`, `_queryId` (and never
 * `_queryExpression`), page size and offset, cookie or offset, the count policy. A 400 naming the
 * parameter otherwise.
 */
export function checkQueryRequest(request: QueryRequest): CheckedPaging {
  const kinds = (request.queryFilter === undefined ? 0 : 1) + (request.queryId === undefined ? 0 : 1) + (request.queryExpression === undefined ? 0 : 1);
  if (kinds === 0) throw CrestError.badRequest("A query needs _queryFilter or _queryId (use _queryFilter=true for every resource)");
  if (kinds > 1) throw CrestError.badRequest("Parameters _queryFilter, _queryId and _queryExpression cannot be used together");
  if (request.queryExpression !== undefined) throw new CrestError(400, "Parameter _queryExpression is not supported: use _queryFilter");
  const pageSize = countParameter("_pageSize", request.pageSize);
  const offset = countParameter("_pagedResultsOffset", request.pagedResultsOffset);
  const cookie = request.pagedResultsCookie === undefined || request.pagedResultsCookie === "" ? undefined : request.pagedResultsCookie;
  if (cookie !== undefined && request.pagedResultsOffset !== undefined) {
    throw CrestError.badRequest("Parameters _pagedResultsCookie and _pagedResultsOffset cannot be used together");
  }
  const policy = request.totalPagedResultsPolicy ?? "NONE";
  if (policy !== "NONE" && policy !== "EXACT" && policy !== "ESTIMATE") {
    throw CrestError.badRequest(`Invalid _totalPagedResultsPolicy: '${String(policy)}' is not NONE, EXACT or ESTIMATE`);
  }
  return { pageSize, offset, cookie, policy };
}
