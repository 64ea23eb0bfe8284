import type { Filter, Pointer } from "../language/ast.js";
import { forEachTest } from "../build/transform.js";
import { digestText, invalidCookie, openCookie, randomSecret, sealCookie } from "./signing.js";
import { CrestError } from "./crest-error.js";
import { compileFilter, readInList, type EvaluateOptions } from "../eval/evaluator.js";
import { formatPointer } from "../language/pointer.js";
import { fieldProjector, MAX_FIELD_SEGMENTS, MAX_FIELDS } from "./projection.js";
import { checkQueryRequest, filterParameter, parseQueryParams, type QueryRequest, type SortKey, type TotalPagedResultsPolicy } from "./query-params.js";
import { SortedPages } from "./sort.js";
import { HARD_MAX_NESTING } from "../language/limits.js";
import { formatFilter } from "../language/writer.js";

/**
 * The CREST query response.
 *
 * @example
 * ```ts
 * import { queryCollection, type QueryResponse } from "crest-query";
 * const response: QueryResponse<{ _id: string }> = queryCollection([{ _id: "a" }], { queryFilter: "true" });
 * response.resultCount; // 1
 * ```
 */
export interface QueryResponse<T> {
  /** This page's resources; with `fields`, each holds only those fields (and `_id`, `_rev`). */
  readonly result: T[];
  readonly resultCount: number;
  /** Give it back to get the next page; `null` on the last page. */
  readonly pagedResultsCookie: string | null;
  readonly totalPagedResultsPolicy: TotalPagedResultsPolicy;
  /** The number of matches, or -1 under the `NONE` policy. */
  readonly totalPagedResults: number;
  /** The matches after this page under `EXACT`, else -1. */
  readonly remainingPagedResults: number;
}

/**
 * A named query for `_queryId`: takes the collection and the request, returns the matches.
 *
 * @example
 * ```ts
 * import type { NamedQuery } from "crest-query";
 * const admins: NamedQuery = (resources) => resources.filter((r) => (r as { admin?: boolean }).admin === true);
 * ```
 */
export type NamedQuery = (resources: readonly unknown[], request: QueryRequest) => readonly unknown[];

/**
 * Options of {@link queryCollection}: the evaluator's, plus paging state and named queries.
 *
 * @example
 * ```ts
 * import { QueryCache, type QueryOptions } from "crest-query";
 * const options: QueryOptions = { caseSensitive: false, cache: new QueryCache({ maxEntries: 4 }), cookieSecret: "s3cret" };
 * ```
 */
export interface QueryOptions extends EvaluateOptions {
  /**
   * Where sorted matches are kept between the pages of one query, so that walking all pages costs
   * about one query. Default: 16 queries per collection kept 5 minutes, held through the collection
   * (dropped with it). Entries are keyed by everything that changes the answer: the collection, the
   * filter or `_queryId` with every other request parameter, the sort keys, `caseSensitive`, and
   * the extended operator and named query functions used. `false` recomputes every page.
   */
  readonly cache?: QueryCache | false;
  /** The key that signs paging cookies. Default: random per process. */
  readonly cookieSecret?: string | Uint8Array;
  /**
   * Queries for `_queryId`. `query-all` and `query-all-ids` are built in.
   */
  readonly queries?: Readonly<Record<string, NamedQuery>>;
}

/**
 * What {@link QueryCache} keeps for a query: its matches in order, read a page at a time. An array
 * is one; the query engine keeps matches that are sorted only as far as pages were asked for.
 *
 * @example
 * ```ts
 * import type { PageSource } from "crest-query";
 * const matches: PageSource = [{ _id: "1" }, { _id: "2" }];
 * matches.slice(0, 1); // [{ _id: "1" }]
 * ```
 */
export interface PageSource {
  /** How many matches there are. */
  readonly length: number;
  /** The matches from `start` up to (not including) `end`, in order. */
  slice(start: number, end: number): readonly unknown[];
}

interface CacheEntry {
  readonly matches: PageSource;
  readonly created: number;
}

/** The cached queries of one collection, least recently used first, and the key used last. */
interface CacheEntries {
  readonly map: Map<string, CacheEntry>;
  newest: string | undefined;
}

/**
 * Sorted matches of recent queries, kept so that each further page of a query costs only the
 * page: per collection, a bounded, least-recently-used store with an age limit. Entries are held
 * through the collection (a `WeakMap`), so a collection the caller drops is freed with its cached
 * pages. A walk that starts again from the first page always sees fresh data; pages reached by
 * cookie or offset see the snapshot of the first page (like a database cursor) while it is kept.
 *
 * @example
 * ```ts
 * import { QueryCache, queryCollection } from "crest-query";
 * const cache = new QueryCache({ maxEntries: 8, ttlMs: 60_000 });
 * queryCollection([{ _id: "1" }], { queryFilter: "true", pageSize: 10 }, { cache });
 * ```
 */
export class QueryCache {
  private collections = new WeakMap<object, CacheEntries>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;

  /**
   * @param options `maxEntries`: queries kept per collection (default 16); `ttlMs`: how long a
   * query is kept (default 5 minutes).
   * @throws RangeError when an option is not a non-negative integer.
   */
  constructor(options: { readonly maxEntries?: number; readonly ttlMs?: number } = {}) {
    const { maxEntries = 16, ttlMs = 300_000 } = options;
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new RangeError(`QueryCache maxEntries must be a positive integer, not ${String(maxEntries)}`);
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 0) throw new RangeError(`QueryCache ttlMs must be a non-negative integer, not ${String(ttlMs)}`);
    this.maxEntries = maxEntries;
    this.ttlMs = ttlMs;
  }

  /** The cached matches of a query over a collection, if still fresh. */
  get(key: string, collection: object, now: number): PageSource | undefined {
    const entries = this.collections.get(collection);
    const entry = entries?.map.get(key);
    if (entries === undefined || entry === undefined) return undefined;
    if (now - entry.created > this.ttlMs) {
      entries.map.delete(key);
      return undefined;
    }
    // Most recently used last; a walk asks for the same key page after page.
    if (entries.newest !== key) {
      entries.map.delete(key);
      entries.map.set(key, entry);
      entries.newest = key;
    }
    return entry.matches;
  }

  /** Keep the sorted matches of a query over a collection, dropping the least recently used. */
  set(key: string, collection: object, matches: PageSource, now: number): void {
    let entries = this.collections.get(collection);
    if (entries === undefined) {
      entries = { map: new Map(), newest: undefined };
      this.collections.set(collection, entries);
    }
    const { map } = entries;
    map.delete(key);
    map.set(key, { matches, created: now });
    entries.newest = key;
    for (const [oldKey, entry] of map) {
      if (map.size <= this.maxEntries && now - entry.created <= this.ttlMs) break;
      map.delete(oldKey);
    }
  }

  /** Forget everything, for example after the data changed. */
  clear(): void {
    this.collections = new WeakMap();
  }
}

// Used when the caller passes no cache: entries live as long as their collection, no longer.
const defaultCache = new QueryCache();
const processSecret = randomSecret();
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

/** A number naming an object or function for as long as it lives (for cache keys). */
function identity(value: object): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(value, id);
  }
  return id;
}

function digest(text: string): string {
  return digestText(text, 16);
}

function makeCookie(secret: string | Uint8Array, queryDigest: string, offset: number): string {
  return sealCookie(secret, { o: offset, q: queryDigest });
}

function readCookie(secret: string | Uint8Array, cookie: string, queryDigest: string): number {
  const { o, q } = openCookie(secret, cookie);
  if (typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) throw invalidCookie("it holds no valid position");
  if (q !== queryDigest) throw invalidCookie("it belongs to another query (a different _queryFilter, _queryId, _sortKeys or other parameter)");
  return o;
}

/**
 * Answer a CREST query over an array of resources, as a CREST server would (see
 * docs/evaluation.md): filter with `_queryFilter` (or a `_queryId`), sort by `_sortKeys`, page by
 * `_pageSize` with an opaque cookie bound to the query or by `_pagedResultsOffset`, count under
 * `_totalPagedResultsPolicy`, and project `_fields` (keeping `_id` and `_rev`). Results are the
 * stored objects themselves unless `fields` projects them into new ones.
 *
 * @throws {@link CrestError} with code 400 naming the parameter for every bad request: a missing or
 * unparsable filter, negative numbers, a cookie that was altered or belongs to another query,
 * cookie and offset together, an unknown `_queryId`, an `in` value that is not a JSON array, more
 * than 100 different `_fields` or `_sortKeys`.
 *
 * @example
 * ```ts
 * import { queryCollection } from "crest-query";
 * const users = [
 *   { _id: "1", sn: "Jensen", active: true },
 *   { _id: "2", sn: "Anders", active: true },
 *   { _id: "3", sn: "Carter", active: false },
 * ];
 * const page = queryCollection(users, "_queryFilter=active eq true&_sortKeys=sn&_pageSize=1&_totalPagedResultsPolicy=EXACT");
 * page.result;                // [{ _id: "2", sn: "Anders", active: true }]
 * page.remainingPagedResults; // 1
 * queryCollection(users, { queryFilter: "active eq true", sortKeys: [{ field: ["sn"], descending: false }], pageSize: 1, pagedResultsCookie: page.pagedResultsCookie ?? "" });
 * ```
 */
export function queryCollection<T>(
  resources: readonly T[],
  request: QueryRequest | string | URL | URLSearchParams,
  options: QueryOptions = {},
): QueryResponse<T> {
  const query: QueryRequest = typeof request === "string" || request instanceof URL || request instanceof URLSearchParams ? parseQueryParams(request) : request;
  const { pageSize, offset: offsetParam, cookie, policy } = checkQueryRequest(query);

  const filter = query.queryFilter === undefined ? undefined : filterParameter(query.queryFilter);
  if (filter !== undefined) checkInOperands(filter, options);
  const sortKeys = uniqueSortKeys(query.sortKeys ?? []);
  const fields = query.queryId === "query-all-ids" ? [["_id"], ["_rev"]] : uniqueFields(query.fields ?? []);
  const named = filter === undefined ? namedQuery(query.queryId ?? "", options) : undefined;
  // What the answer depends on. A named query may read any other parameter, so every one of them
  // binds its cookies and cache entries.
  const queryText = [
    filter === undefined ? `id:${query.queryId ?? ""}` : `filter:${formatFilter(filter, { maxNesting: HARD_MAX_NESTING })}`,
    `sort:${sortKeys.map((k) => `${k.descending ? "-" : "+"}${formatPointer(k.field)}`).join(",")}`,
    `case:${options.caseSensitive === true}`,
    ...(filter === undefined ? [`extra:${JSON.stringify(Object.entries(query.extra ?? {}).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))}`] : []),
  ].join("\n");
  const queryDigest = digest(queryText);
  const secret = options.cookieSecret ?? processSecret;
  const start = cookie === undefined ? offsetParam : readCookie(secret, cookie, queryDigest);

  const cache = options.cache === false ? undefined : (options.cache ?? defaultCache);
  // The functions that compute the answer are part of the key too: two callers with different
  // implementations of an operator or a named query never share pages.
  const cacheKey = `${queryText}\nfunctions:${functionsUsed(filter, named, options)}`;
  const now = Date.now();
  // The first page of a walk always reads current data; later pages use its snapshot.
  let matches = start > 0 || cookie !== undefined ? cache?.get(cacheKey, resources, now) : undefined;
  if (matches === undefined) {
    const selected = select(resources, filter, named, query, options);
    // Sorted lazily: a first page is a top-k selection; a later page sorts everything once.
    matches = new SortedPages(selected === resources ? resources.slice() : selected, sortKeys);
    if (pageSize > 0 || start > 0) cache?.set(cacheKey, resources, matches, now);
  }

  const end = pageSize > 0 ? Math.min(matches.length, start + pageSize) : matches.length;
  const page = (start >= matches.length ? [] : matches.slice(start, end)) as T[];
  const more = pageSize > 0 && end < matches.length;
  const project = fields.length === 0 ? undefined : fieldProjector(fields);
  return {
    result: project === undefined ? page : page.map((r) => project(r) as T),
    resultCount: page.length,
    pagedResultsCookie: more ? makeCookie(secret, queryDigest, end) : null,
    totalPagedResultsPolicy: policy,
    totalPagedResults: policy === "NONE" ? -1 : matches.length,
    remainingPagedResults: policy === "EXACT" ? Math.max(0, matches.length - Math.max(end, start)) : -1,
  };
}

// A text naming a field, different for different fields: most fields have one segment.
function fieldName(field: Pointer): string {
  return field.length === 1 ? `/${field[0] as string}` : JSON.stringify(field);
}

function uniqueSortKeys(keys: readonly SortKey[]): SortKey[] {
  // A later key on a field already sorted by never decides anything: keep the first.
  const seen = new Set<string>();
  const out: SortKey[] = [];
  for (const key of keys) {
    if (key.field.length === 0) throw CrestError.badRequest("Invalid _sortKeys: a key names no field");
    const name = fieldName(key.field);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(key);
    if (out.length > MAX_FIELDS) throw CrestError.badRequest(`Invalid _sortKeys: more than ${MAX_FIELDS} different keys`);
  }
  return out;
}

function uniqueFields(fields: readonly Pointer[]): Pointer[] {
  const seen = new Set<string>();
  const out: Pointer[] = [];
  for (const field of fields) {
    if (field.length > MAX_FIELD_SEGMENTS) throw CrestError.badRequest(`Invalid _fields: a field has ${field.length} segments, at most ${MAX_FIELD_SEGMENTS} are allowed`);
    const name = fieldName(field);
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(field);
    if (out.length > MAX_FIELDS) throw CrestError.badRequest(`Invalid _fields: more than ${MAX_FIELDS} different fields`);
  }
  return out;
}

// A filter's `in` tests must hold a JSON array of values (unless the caller implements `in`).
function checkInOperands(filter: Filter, options: QueryOptions): void {
  if (ownFunction(options.extendedOperators, "in") !== undefined) return;
  forEachTest(filter, (node) => {
    if (node.type !== "comparison" || node.operator !== "in") return;
    const list = readInList(node.value);
    if ("problem" in list) throw CrestError.badRequest(`Invalid _queryFilter: ${list.problem} (field ${formatPointer(node.field)})`, { parameter: "_queryFilter" });
  });
}

function ownFunction<F>(record: Readonly<Record<string, F>> | undefined, name: string): F | undefined {
  if (record === undefined || record === null || !Object.prototype.hasOwnProperty.call(record, name)) return undefined;
  const value = record[name];
  return typeof value === "function" ? value : undefined;
}

function namedQuery(id: string, options: QueryOptions): NamedQuery | undefined {
  if (id === "query-all" || id === "query-all-ids") return undefined;
  const named = ownFunction(options.queries, id);
  if (named === undefined) throw CrestError.badRequest(`Unknown _queryId '${id}'`);
  return named;
}

// The identities of the functions an answer depends on: the extended operators the filter uses
// and the named query.
function functionsUsed(filter: Filter | undefined, named: NamedQuery | undefined, options: QueryOptions): string {
  if (named !== undefined) return `q${identity(named)}`;
  if (filter === undefined || options.extendedOperators === undefined) return "";
  const operators = new Set<string>();
  forEachTest(filter, (node) => {
    if (node.type === "comparison") operators.add(node.operator);
  });
  const parts: string[] = [];
  for (const operator of operators) {
    const implementation = ownFunction(options.extendedOperators, operator);
    if (implementation !== undefined) parts.push(`${JSON.stringify(operator)}=${identity(implementation)}`);
  }
  return parts.join(",");
}

function select<T>(resources: readonly T[], filter: Filter | undefined, named: NamedQuery | undefined, query: QueryRequest, options: QueryOptions): readonly T[] {
  if (filter !== undefined) {
    const matches = compileFilter(filter, options);
    const out: T[] = [];
    for (let i = 0; i < resources.length; i++) if (matches(resources[i])) out.push(resources[i] as T);
    return out;
  }
  if (named === undefined) return resources;
  const result = named(resources, query);
  if (!Array.isArray(result)) throw new TypeError(`The named query '${query.queryId ?? ""}' returned ${typeof result}, not an array`);
  return result as readonly T[];
}
