import type { Filter, Pointer } from "../language/ast.js";
import { CrestError } from "../query/crest-error.js";
import { parsePointer } from "../language/pointer.js";
import type { QueryResponse } from "../query/query-engine.js";
import { formatQueryParams, parseSortKeys, type QueryRequest, type SortKey, type TotalPagedResultsPolicy } from "../query/query-params.js";
import { encodeQueryComponent } from "../language/encoding.js";
import { createRequestSender, requestTarget, type CrestReply, type CrestRequestOptions, type RequestTarget } from "./request.js";

/**
 * One page of a query, as the server answered it, with where it came from.
 *
 * @example
 * ```ts
 * import type { QueryPage } from "crest-query";
 * const describe = (page: QueryPage<{ _id: string }>) => `page ${page.pageNumber}: ${page.resultCount} resources`;
 * ```
 */
export interface QueryPage<T> extends QueryResponse<T> {
  /** 1 for the first page. */
  readonly pageNumber: number;
  /** The request URL (without credentials). */
  readonly url: string;
}

/**
 * Options of the request helper.
 *
 * @example
 * ```ts
 * import { field, type QueryClientOptions } from "crest-query";
 * const options: QueryClientOptions = {
 *   filter: field("accountStatus").eq("active"),
 *   fields: ["userName", "mail"],
 *   sortKeys: ["sn", "-createDate"],
 *   pageSize: 50,
 *   token: process.env.CREST_TOKEN,
 *   timeoutMs: 10_000,
 * };
 * ```
 */
export interface QueryClientOptions extends CrestRequestOptions {
  /** The filter: text, a parsed or built filter. Default `true` (everything). */
  readonly filter?: Filter | string;
  /** `_fields`: pointers as text (`"postalAddress/city"`) or segments. */
  readonly fields?: readonly (string | Pointer)[];
  /** `_sortKeys`: `"sn"`, `"-createDate"`, or `{ field, descending }`. */
  readonly sortKeys?: readonly (string | SortKey)[];
  /** `_pageSize` (default 100). */
  readonly pageSize?: number;
  readonly totalPagedResultsPolicy?: TotalPagedResultsPolicy;
  /** More query parameters, sent as given. */
  readonly params?: Readonly<Record<string, string>>;
  /** Stop after this many pages. */
  readonly maxPages?: number;
  /** Stop after this many resources (the last page is cut). */
  readonly maxResults?: number;
  /**
   * Empty pages in a row, each with a new cookie, after which the walk stops as a loop (default 10).
   * A cookie the server already returned in the walk stops it at once.
   */
  readonly maxEmptyPages?: number;
  /** Called with each page before it is yielded, for progress reports. */
  readonly onPage?: (page: QueryPage<unknown>) => void;
}

/** The query URL of a walk, but the cookie: built once, then one string concatenation per page. */
export interface QueryTarget extends RequestTarget {
  /** `href` followed by `&` when the cookie needs a separator. */
  readonly cookiePrefix: string;
}

export function queryTarget(collectionUrl: string | URL, options: QueryClientOptions): QueryTarget {
  const base = requestTarget(collectionUrl);
  const url = new URL(base.href);
  const request: QueryRequest = {
    queryFilter: options.filter ?? "true",
    fields: (options.fields ?? []).map((f) => (typeof f === "string" ? parsePointer(f) : f)),
    sortKeys: (options.sortKeys ?? []).flatMap((key) => (typeof key === "string" ? parseSortKeys(key) : [key])),
    pageSize: options.pageSize ?? 100,
    ...(options.totalPagedResultsPolicy === undefined ? {} : { totalPagedResultsPolicy: options.totalPagedResultsPolicy }),
    ...(options.params === undefined ? {} : { extra: options.params }),
  };
  const query = formatQueryParams(request);
  const existing = url.search.replace(/^\?/, "");
  url.search = existing === "" ? query : `${existing}&${query}`;
  const href = url.href;
  return { ...base, href, cookiePrefix: `${href}${url.search === "" ? "?" : "&"}_pagedResultsCookie=` };
}

function pageTarget(target: QueryTarget, cookie: string | undefined): RequestTarget {
  return cookie === undefined ? target : { href: target.cookiePrefix + encodeQueryComponent(cookie), origin: target.origin, ...(target.basic === undefined ? {} : { basic: target.basic }) };
}

/**
 * The URL of one query request: the collection URL (its own parameters are kept, its fragment is
 * dropped) with the query parameters percent-encoded as servers expect (a space is `%20`, a `+`
 * is `%2B`), and the cookie last.
 *
 * @example
 * ```ts
 * import { buildQueryUrl, field } from "crest-query";
 * buildQueryUrl("https://idm.example.com/openidm/managed/user", { filter: field("sn").eq("O'Brien"), pageSize: 2 }).href;
 * // "https://idm.example.com/openidm/managed/user?_queryFilter=%2Fsn%20eq%20%22O%27Brien%22&_pageSize=2"
 * ```
 */
export function buildQueryUrl(collectionUrl: string | URL, options: QueryClientOptions = {}, cookie?: string): URL {
  const url = new URL(pageTarget(queryTarget(collectionUrl, options), cookie).href);
  // Keep the credentials the caller wrote: this builds a URL, it sends nothing.
  const given = new URL(collectionUrl);
  url.username = given.username;
  url.password = given.password;
  return url;
}

function asPage<T>(body: unknown, pageNumber: number, url: string): QueryPage<T> {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (!Array.isArray(b.result)) {
    throw new CrestError(0, `GET ${url}: the response is not a CREST query response (no result array)`, { reason: "Invalid response", url });
  }
  const number = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
  return {
    result: b.result as T[],
    resultCount: number(b.resultCount, b.result.length),
    pagedResultsCookie: typeof b.pagedResultsCookie === "string" ? b.pagedResultsCookie : null,
    totalPagedResultsPolicy: (typeof b.totalPagedResultsPolicy === "string" ? b.totalPagedResultsPolicy : "NONE") as TotalPagedResultsPolicy,
    totalPagedResults: number(b.totalPagedResults, -1),
    remainingPagedResults: number(b.remainingPagedResults, -1),
    pageNumber,
    url,
  };
}

/**
 * Send one query request and return its page.
 *
 * @throws {@link CrestError} with the HTTP status and the server's CREST error body, or code 0 for a
 * network error, a timeout or a response that is not a query response.
 *
 * @example
 * ```ts
 * import { queryPage } from "crest-query";
 * const page = await queryPage("https://idm.example.com/openidm/managed/user", { filter: "true", pageSize: 10 });
 * console.log(page.resultCount, page.pagedResultsCookie);
 * ```
 */
export async function queryPage<T = unknown>(collectionUrl: string | URL, options: QueryClientOptions & { readonly cookie?: string } = {}): Promise<QueryPage<T>> {
  // One request, awaited to the end: only the caller can cancel it.
  const target = pageTarget(queryTarget(collectionUrl, options), options.cookie);
  const sender = createRequestSender(options);
  try {
    const reply = await sender.send("GET", target, options.signal);
    return asPage<T>(reply.body, 1, reply.url);
  } finally {
    // Nothing is under way any more; this ends the sender's timer.
    sender.abort(new DOMException("The request is over", "AbortError"));
  }
}

/**
 * Tells whether a cookie came back in this walk, in constant memory per page: two 32-bit hashes
 * and the length of each cookie stand for it (cookies can be long; a walk can be long too).
 */
function cookieKey(cookie: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < cookie.length; i++) {
    const c = cookie.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}.${cookie.length}`;
}

function loop(message: string, url: string): CrestError {
  return new CrestError(0, `${message}: stopping instead of looping forever (${url})`, { reason: "Paging Loop", url });
}

/**
 * Walk a query page by page: follows `pagedResultsCookie` (sent encoded) until it is `null`,
 * retrying transient failures, and fetching the next page while the caller works on this one.
 * Stops with a {@link CrestError} when the server returns a cookie twice in the walk or sends
 * `maxEmptyPages` empty pages in a row (a loop), and after `maxPages` or `maxResults`. Breaking
 * out of the loop, or aborting `signal`, cancels the request in flight.
 *
 * @example
 * ```ts
 * import { queryPages } from "crest-query";
 * for await (const page of queryPages("https://idm.example.com/openidm/managed/user", { filter: "/accountStatus eq 'active'", pageSize: 50 })) {
 *   console.log(`page ${page.pageNumber}: ${page.resultCount}`);
 * }
 * ```
 */
export async function* queryPages<T = unknown>(collectionUrl: string | URL, options: QueryClientOptions = {}): AsyncGenerator<QueryPage<T>, void, undefined> {
  options.signal?.throwIfAborted();
  const target = queryTarget(collectionUrl, options);
  const sender = createRequestSender(options);
  // The caller's signal, or leaving the loop, stops the walk's own sender: no listener per request.
  yield* walkPages<T>(target, options, (page) => sender.send("GET", page), (reason) => sender.abort(reason));
}

/**
 * The walk behind {@link queryPages} and the client's queries: pages fetched through `fetchReply`,
 * the next one while the caller works on this one, loops detected; `stop` cancels what is in
 * flight (called when the caller's signal aborts and when the walk ends). `options.cookie` starts
 * the walk at a page a previous walk returned.
 */
export async function* walkPages<T>(
  target: QueryTarget,
  options: QueryClientOptions & { readonly cookie?: string },
  fetchReply: (page: RequestTarget) => Promise<CrestReply>,
  stop: (reason: unknown) => void,
): AsyncGenerator<QueryPage<T>, void, undefined> {
  const caller = options.signal;
  caller?.throwIfAborted();
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  const maxResults = options.maxResults ?? Number.POSITIVE_INFINITY;
  const maxEmptyPages = options.maxEmptyPages ?? 10;
  if (!(maxEmptyPages >= 1)) throw new CrestError(0, `maxEmptyPages must be at least 1, not ${String(maxEmptyPages)}`, { reason: "Invalid Request" });
  // One listener on the caller's signal for the whole walk.
  const onAbort = () => stop(caller?.reason);
  caller?.addEventListener("abort", onAbort);
  const fetchPage = async (cookie: string | undefined, pageNumber: number): Promise<QueryPage<T>> => {
    const reply = await fetchReply(pageTarget(target, cookie));
    return asPage<T>(reply.body, pageNumber, reply.url);
  };
  let pending: Promise<QueryPage<T>> | undefined = fetchPage(options.cookie, 1);
  let delivered = 0;
  let sentCookie: string | undefined;
  let emptyInARow = 0;
  const cookies = new Map<string, number>();
  try {
    while (pending !== undefined) {
      const page: QueryPage<T> = await pending;
      pending = undefined;
      const cookie = page.pagedResultsCookie;
      if (cookie !== null) {
        const key = cookieKey(cookie);
        const before = cookies.get(key);
        if (before !== undefined) {
          const what = page.resultCount === 0 ? "an empty page" : "a page";
          const which = cookie === sentCookie ? "the cookie it was sent" : `a cookie it already returned on page ${before}`;
          throw loop(`The server answered with ${what} and ${which}`, page.url);
        }
        cookies.set(key, page.pageNumber);
        emptyInARow = page.result.length === 0 ? emptyInARow + 1 : 0;
        if (emptyInARow >= maxEmptyPages) throw loop(`The server sent ${emptyInARow} empty pages in a row, each with a new cookie (maxEmptyPages)`, page.url);
      }
      const room = maxResults - delivered;
      const shown = page.result.length > room ? { ...page, result: page.result.slice(0, room), resultCount: room } : page;
      delivered += shown.result.length;
      const more = cookie !== null && page.pageNumber < maxPages && delivered < maxResults;
      if (more) {
        sentCookie = cookie;
        pending = fetchPage(cookie, page.pageNumber + 1);
        // Failures surface when the page is awaited; until then nothing is unhandled.
        pending.catch(() => undefined);
      }
      options.onPage?.(shown as QueryPage<unknown>);
      yield shown;
    }
  } finally {
    caller?.removeEventListener("abort", onAbort);
    stop(new DOMException("The query walk was stopped", "AbortError"));
  }
}

/**
 * Walk a query resource by resource, across all its pages (see {@link queryPages}).
 *
 * @example
 * ```ts
 * import { queryAll } from "crest-query";
 * for await (const user of queryAll<{ userName: string }>("https://idm.example.com/openidm/managed/user", { fields: ["userName"] })) {
 *   console.log(user.userName);
 * }
 * ```
 */
export async function* queryAll<T = unknown>(collectionUrl: string | URL, options: QueryClientOptions = {}): AsyncGenerator<T, void, undefined> {
  for await (const page of queryPages<T>(collectionUrl, options)) yield* page.result;
}
