import type { Filter } from "../language/ast.js";
import { base64urlToText, constantTimeEqual, digestText, randomSecret, signText, textToBase64url } from "./signing.js";
import { CrestError } from "./crest-error.js";
import { FilterSyntaxError } from "../language/errors.js";
import { compileFilter, type EvaluateOptions } from "../eval/evaluator.js";
import { parseFilter } from "../language/parser.js";
import { formatPointer } from "../language/pointer.js";
import { projectFields } from "./projection.js";
import { parseQueryParams, type QueryRequest, type TotalPagedResultsPolicy } from "./query-params.js";
import { sortResources } from "./sort.js";
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
   * about one query. Default: a shared cache of 16 queries kept 5 minutes. `false` recomputes
   * every page.
   */
  readonly cache?: QueryCache | false;
  /** The key that signs paging cookies. Default: random per process. */
  readonly cookieSecret?: string | Uint8Array;
  /**
   * Queries for `_queryId`. `query-all` and `query-all-ids` are built in.
   */
  readonly queries?: Readonly<Record<string, NamedQuery>>;
}

interface CacheEntry {
  readonly collection: object;
  readonly matches: readonly unknown[];
  readonly created: number;
}

/**
 * Sorted matches of recent queries, kept so that each further page of a query costs only the
 * page: a bounded, least-recently-used store with an age limit. A walk that starts again from the
 * first page always sees fresh data; pages reached by cookie or offset see the snapshot of the
 * first page (like a database cursor) while it is kept.
 *
 * @example
 * ```ts
 * import { QueryCache, queryCollection } from "crest-query";
 * const cache = new QueryCache({ maxEntries: 8, ttlMs: 60_000 });
 * queryCollection([{ _id: "1" }], { queryFilter: "true", pageSize: 10 }, { cache });
 * ```
 */
export class QueryCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;

  constructor(options: { readonly maxEntries?: number; readonly ttlMs?: number } = {}) {
    this.maxEntries = Math.max(1, options.maxEntries ?? 16);
    this.ttlMs = Math.max(0, options.ttlMs ?? 300_000);
  }

  /** The cached matches of a query over a collection, if still fresh. */
  get(key: string, collection: object, now: number): readonly unknown[] | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.collection !== collection) return undefined;
    if (now - entry.created > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.matches;
  }

  /** Keep the sorted matches of a query over a collection, dropping the least recently used. */
  set(key: string, collection: object, matches: readonly unknown[], now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { collection, matches, created: now });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Forget everything, for example after the data changed. */
  clear(): void {
    this.entries.clear();
  }
}

const sharedCache = new QueryCache();
const processSecret = randomSecret();
const collectionIds = new WeakMap<object, number>();
let nextCollectionId = 1;

function collectionId(collection: object): number {
  let id = collectionIds.get(collection);
  if (id === undefined) {
    id = nextCollectionId++;
    collectionIds.set(collection, id);
  }
  return id;
}

function digest(text: string): string {
  return digestText(text, 16);
}

function sign(secret: string | Uint8Array, payload: string): string {
  return signText(secret, payload, 22);
}

function makeCookie(secret: string | Uint8Array, queryDigest: string, offset: number): string {
  const payload = textToBase64url(JSON.stringify({ o: offset, q: queryDigest }));
  return `${payload}.${sign(secret, payload)}`;
}

function readCookie(secret: string | Uint8Array, cookie: string, queryDigest: string): number {
  const invalid = (why: string) => CrestError.badRequest(`Invalid _pagedResultsCookie: ${why}`);
  const [payload = "", mac = "", ...rest] = cookie.split(".");
  if (rest.length > 0 || payload === "" || mac.length !== 22) throw invalid("it is not a cookie this server made");
  if (!constantTimeEqual(mac, sign(secret, payload))) throw invalid("it is not a cookie this server made, or it was altered");
  let data: unknown;
  try {
    const text = base64urlToText(payload);
    if (text === undefined) throw new Error("not base64url");
    data = JSON.parse(text);
  } catch {
    throw invalid("it cannot be read");
  }
  const { o, q } = (typeof data === "object" && data !== null ? data : {}) as { o?: unknown; q?: unknown };
  if (typeof o !== "number" || !Number.isSafeInteger(o) || o < 0) throw invalid("it holds no valid position");
  if (q !== queryDigest) throw invalid("it belongs to another query (a different _queryFilter, _queryId or _sortKeys)");
  return o;
}

function toFilter(value: Filter | string): Filter {
  if (typeof value !== "string") return value;
  try {
    return parseFilter(value);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw CrestError.badRequest(`Invalid _queryFilter: ${error.message}`, { parameter: "_queryFilter", offset: error.offset });
    throw error;
  }
}

function checkCount(name: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0) throw CrestError.badRequest(`Invalid ${name}: '${value}' is not a non-negative integer`);
  return value;
}

/**
 * Answer a CREST query over an array of resources, as a CREST server's in-memory backend would
 * (see docs/evaluation.md): filter with `_queryFilter` (or a `_queryId`), sort by `_sortKeys`, page by
 * `_pageSize` with an opaque cookie bound to the query or by `_pagedResultsOffset`, count under
 * `_totalPagedResultsPolicy`, and project `_fields` (keeping `_id` and `_rev`). Results are the
 * stored objects themselves unless `fields` projects them into new ones.
 *
 * @throws {@link CrestError} with code 400 naming the parameter for every bad request: a missing or
 * unparsable filter, negative numbers, a cookie that was altered or belongs to another query,
 * cookie and offset together, an unknown `_queryId`.
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
  const kinds = [query.queryFilter !== undefined, query.queryId !== undefined, query.queryExpression !== undefined].filter(Boolean).length;
  if (kinds === 0) throw CrestError.badRequest("A query needs _queryFilter or _queryId (use _queryFilter=true for every resource)");
  if (kinds > 1) throw CrestError.badRequest("Parameters _queryFilter, _queryId and _queryExpression cannot be used together");
  if (query.queryExpression !== undefined) throw new CrestError(400, "Parameter _queryExpression is not supported: use _queryFilter");

  const pageSize = checkCount("_pageSize", query.pageSize);
  const offsetParam = checkCount("_pagedResultsOffset", query.pagedResultsOffset);
  const cookie = query.pagedResultsCookie === undefined || query.pagedResultsCookie === "" ? undefined : query.pagedResultsCookie;
  if (cookie !== undefined && query.pagedResultsOffset !== undefined) {
    throw CrestError.badRequest("Parameters _pagedResultsCookie and _pagedResultsOffset cannot be used together");
  }
  const policy = query.totalPagedResultsPolicy ?? "NONE";
  if (policy !== "NONE" && policy !== "EXACT" && policy !== "ESTIMATE") {
    throw CrestError.badRequest(`Invalid _totalPagedResultsPolicy: '${String(policy)}' is not NONE, EXACT or ESTIMATE`);
  }

  const filter = query.queryFilter === undefined ? undefined : toFilter(query.queryFilter);
  const sortKeys = query.sortKeys ?? [];
  const queryText = [
    filter === undefined ? `id:${query.queryId ?? ""}` : `filter:${formatFilter(filter)}`,
    `sort:${sortKeys.map((k) => `${k.descending ? "-" : "+"}${formatPointer(k.field)}`).join(",")}`,
    `case:${options.caseSensitive === true}`,
  ].join("\n");
  const queryDigest = digest(queryText);
  const secret = options.cookieSecret ?? processSecret;
  const start = cookie === undefined ? offsetParam : readCookie(secret, cookie, queryDigest);

  const cache = options.cache === false ? undefined : (options.cache ?? sharedCache);
  const cacheKey = `${collectionId(resources)}\u0000${queryText}`;
  const now = Date.now();
  // The first page of a walk always reads current data; later pages use its snapshot.
  let matches = start > 0 || cookie !== undefined ? (cache?.get(cacheKey, resources, now) as readonly T[] | undefined) : undefined;
  if (matches === undefined) {
    matches = sortResources(select(resources, query, filter, options), sortKeys);
    if (pageSize > 0 || start > 0) cache?.set(cacheKey, resources, matches, now);
  }

  const end = pageSize > 0 ? Math.min(matches.length, start + pageSize) : matches.length;
  const page = start >= matches.length ? [] : matches.slice(start, end);
  const more = pageSize > 0 && end < matches.length;
  const fields = query.queryId === "query-all-ids" ? [["_id"], ["_rev"]] : (query.fields ?? []);
  return {
    result: fields.length === 0 ? page : page.map((r) => projectFields(r, fields)),
    resultCount: page.length,
    pagedResultsCookie: more ? makeCookie(secret, queryDigest, end) : null,
    totalPagedResultsPolicy: policy,
    totalPagedResults: policy === "NONE" ? -1 : matches.length,
    remainingPagedResults: policy === "EXACT" ? Math.max(0, matches.length - Math.max(end, start)) : -1,
  };
}

function select<T>(resources: readonly T[], query: QueryRequest, filter: Filter | undefined, options: QueryOptions): readonly T[] {
  if (filter !== undefined) {
    const matches = compileFilter(filter, options);
    const out: T[] = [];
    for (const resource of resources) if (matches(resource)) out.push(resource);
    return out;
  }
  const id = query.queryId ?? "";
  if (id === "query-all" || id === "query-all-ids") return resources;
  const named = options.queries !== undefined && Object.prototype.hasOwnProperty.call(options.queries, id) ? options.queries[id] : undefined;
  if (named === undefined) throw CrestError.badRequest(`Unknown _queryId '${id}'`);
  return named(resources, query) as readonly T[];
}
