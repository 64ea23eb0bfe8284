import type { Filter, Pointer } from "../language/ast.js";
import { CrestError } from "../query/crest-error.js";
import { parsePointer } from "../language/pointer.js";
import type { QueryResponse } from "../query/query-engine.js";
import { formatQueryParams, parseSortKeys, type QueryRequest, type SortKey, type TotalPagedResultsPolicy } from "../query/query-params.js";

/**
 * How failed requests are retried: 429, 502, 503, 504 and network errors (including timeouts),
 * with exponential backoff and jitter, honouring `Retry-After`.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from "crest-query";
 * const retry: RetryOptions = { retries: 5, minDelayMs: 500, maxDelayMs: 30_000, jitter: true };
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables retrying). */
  readonly retries?: number;
  /** The first backoff delay (default 250 ms); it doubles with each retry. */
  readonly minDelayMs?: number;
  /** The longest delay, for backoff and for `Retry-After` alike (default 30 s). */
  readonly maxDelayMs?: number;
  /** Spread backoff delays randomly between half and all of their value (default true). */
  readonly jitter?: boolean;
}

/**
 * What {@link QueryClientOptions.onRetry} is told before each retry.
 *
 * @example
 * ```ts
 * import type { RetryInfo } from "crest-query";
 * const log = (info: RetryInfo) => console.error(`retry ${info.attempt} in ${info.delayMs} ms: ${info.reason}`);
 * ```
 */
export interface RetryInfo {
  /** 1 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  /** The status that caused it, or 0 for a network error. */
  readonly status: number;
  readonly reason: string;
  readonly url: string;
}

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
export interface QueryClientOptions {
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
  readonly headers?: Readonly<Record<string, string>>;
  /** A bearer token. */
  readonly token?: string;
  /**
   * Gives a bearer token; called before the first request and once more, with `refresh: true`,
   * after a 401. A second 401 fails.
   */
  readonly getToken?: (context: { readonly refresh: boolean }) => string | Promise<string>;
  /** The `fetch` to use (default the platform's). */
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** Time limit of each request, in milliseconds (default none). */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Stop after this many pages. */
  readonly maxPages?: number;
  /** Stop after this many resources (the last page is cut). */
  readonly maxResults?: number;
  /** Called with each page before it is yielded, for progress reports. */
  readonly onPage?: (page: QueryPage<unknown>) => void;
  /** Called before each retry, with why and how long it waits. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Waits between retries; tests pass their own clock. Default: a timer that the signal cancels. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1) for jitter (default Math.random). */
  readonly random?: () => number;
  /** The current time in ms, for `Retry-After` dates (default Date.now). */
  readonly now?: () => number;
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The URL without user name and password, for messages and errors. */
function safeUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}


/**
 * The URL of one query request: the collection URL (its own parameters are kept) with the query
 * parameters percent-encoded as servers expect (a space is `%20`, a `+` is `%2B`).
 *
 * @example
 * ```ts
 * import { buildQueryUrl, field } from "crest-query";
 * buildQueryUrl("https://idm.example.com/openidm/managed/user", { filter: field("sn").eq("O'Brien"), pageSize: 2 }).href;
 * // "https://idm.example.com/openidm/managed/user?_queryFilter=%2Fsn%20eq%20%22O%27Brien%22&_pageSize=2"
 * ```
 */
export function buildQueryUrl(collectionUrl: string | URL, options: QueryClientOptions = {}, cookie?: string): URL {
  const url = new URL(collectionUrl);
  const request: QueryRequest = {
    queryFilter: options.filter ?? "true",
    fields: (options.fields ?? []).map((f) => (typeof f === "string" ? parsePointer(f) : f)),
    sortKeys: (options.sortKeys ?? []).flatMap((key) => (typeof key === "string" ? parseSortKeys(key) : [key])),
    pageSize: options.pageSize ?? 100,
    ...(cookie === undefined ? {} : { pagedResultsCookie: cookie }),
    ...(options.totalPagedResultsPolicy === undefined ? {} : { totalPagedResultsPolicy: options.totalPagedResultsPolicy }),
    ...(options.params === undefined ? {} : { extra: options.params }),
  };
  const query = formatQueryParams(request);
  const existing = url.search.replace(/^\?/, "");
  url.search = existing === "" ? query : `${existing}&${query}`;
  return url;
}

interface Attempt {
  readonly response?: Response;
  readonly body?: unknown;
  readonly error?: unknown;
  /** For errors without a response: whether trying again may help. */
  readonly transient?: boolean;
}

class Requester {
  private token: string | undefined;
  private refreshed = false;

  constructor(private readonly options: QueryClientOptions) {
    this.token = options.token;
  }

  async getJson(url: URL, signal: AbortSignal): Promise<unknown> {
    const retry = this.options.retry ?? {};
    const retries = Math.max(0, retry.retries ?? 3);
    const sleep = this.options.sleep ?? defaultSleep;
    if (this.token === undefined && this.options.getToken !== undefined) this.token = await this.options.getToken({ refresh: false });
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      const outcome = await this.attempt(url, signal);
      if (outcome.response?.ok === true) return outcome.body;
      if (outcome.response?.status === 401 && this.options.getToken !== undefined && !this.refreshed) {
        // One refresh per walk: a token that is refused again is not going to work.
        this.refreshed = true;
        this.token = await this.options.getToken({ refresh: true });
        attempt--;
        continue;
      }
      const status = outcome.response?.status ?? 0;
      const retryable = outcome.response === undefined ? outcome.transient === true : RETRY_STATUSES.has(status);
      if (!retryable || attempt >= retries) throw this.failure(url, outcome, attempt + 1);
      const delayMs = this.delay(attempt, outcome.response);
      this.options.onRetry?.({ attempt: attempt + 1, delayMs, status, reason: this.reason(outcome), url: safeUrl(url) });
      await sleep(delayMs, signal);
    }
  }

  private async attempt(url: URL, signal: AbortSignal): Promise<Attempt> {
    const headers: Record<string, string> = { accept: "application/json", ...this.options.headers };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    const timeout = this.options.timeoutMs;
    const requestSignal = timeout === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(timeout)]);
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(url, { method: "GET", headers, signal: requestSignal });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return { error, transient: true };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const cut = new Error(`the connection closed before the whole response arrived (status ${response.status})`, { cause: error });
      return { error: (error as { name?: string }).name === "TimeoutError" ? error : cut, transient: true };
    }
    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch (error) {
        // A whole body that is not JSON will not improve by asking again.
        if (response.ok) return { error: new SyntaxError(`the response body is not valid JSON (${(error as Error).message})`), transient: false };
      }
    }
    return { response, body };
  }

  private delay(attempt: number, response: Response | undefined): number {
    const retry = this.options.retry ?? {};
    const maxDelay = Math.max(0, retry.maxDelayMs ?? 30_000);
    const retryAfter = response?.headers.get("retry-after");
    if (retryAfter !== null && retryAfter !== undefined) {
      const seconds = /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
      const date = seconds === undefined ? Date.parse(retryAfter) : Number.NaN;
      const wait = seconds ?? (Number.isNaN(date) ? undefined : date - (this.options.now ?? Date.now)());
      if (wait !== undefined) return Math.min(maxDelay, Math.max(0, wait));
    }
    const base = Math.min(maxDelay, Math.max(0, retry.minDelayMs ?? 250) * 2 ** attempt);
    if (retry.jitter === false) return base;
    return Math.round(base / 2 + ((this.options.random ?? Math.random)() * base) / 2);
  }

  private reason(outcome: Attempt): string {
    if (outcome.response !== undefined) return `${outcome.response.status} ${outcome.response.statusText}`.trim();
    const error = outcome.error as { name?: string; message?: string; cause?: { message?: string } } | undefined;
    if (error?.name === "TimeoutError") return `no answer within ${this.options.timeoutMs} ms`;
    return [error?.message, error?.cause?.message].filter(Boolean).join(": ") || "network error";
  }

  private failure(url: URL, outcome: Attempt, attempts: number): CrestError {
    const where = safeUrl(url);
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    const response = outcome.response;
    if (response === undefined) {
      const timedOut = (outcome.error as { name?: string } | undefined)?.name === "TimeoutError";
      const kind = outcome.error instanceof SyntaxError ? "Invalid response" : timedOut ? "Timeout" : "Network Error";
      return new CrestError(0, `GET ${where} failed${tries}: ${this.reason(outcome)}`, { reason: kind, url: where, cause: outcome.error });
    }
    const body = (typeof outcome.body === "object" && outcome.body !== null ? outcome.body : {}) as Record<string, unknown>;
    const message = typeof body.message === "string" ? body.message : `${response.status} ${response.statusText}`.trim();
    return new CrestError(response.status, `GET ${where} failed${tries}: ${message}`, {
      ...(typeof body.reason === "string" ? { reason: body.reason } : {}),
      detail: body.detail,
      url: where,
    });
  }
}

function asPage<T>(body: unknown, pageNumber: number, url: URL): QueryPage<T> {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (!Array.isArray(b.result)) {
    throw new CrestError(0, `GET ${safeUrl(url)}: the response is not a CREST query response (no result array)`, { reason: "Invalid response", url: safeUrl(url) });
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
    url: safeUrl(url),
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
  const signal = options.signal ?? new AbortController().signal;
  const url = buildQueryUrl(collectionUrl, options, options.cookie);
  return asPage<T>(await new Requester(options).getJson(url, signal), 1, url);
}

/**
 * Walk a query page by page: follows `pagedResultsCookie` (sent encoded) until it is `null`,
 * retrying transient failures, and fetching the next page while the caller works on this one.
 * Stops with a {@link CrestError} when the server repeats a cookie (a loop), and after `maxPages` or
 * `maxResults`. Breaking out of the loop, or aborting `signal`, cancels the request in flight.
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
  const controller = new AbortController();
  const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  const requester = new Requester(options);
  const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY;
  const maxResults = options.maxResults ?? Number.POSITIVE_INFINITY;
  const fetchPage = async (cookie: string | undefined, pageNumber: number): Promise<QueryPage<T>> => {
    const url = buildQueryUrl(collectionUrl, options, cookie);
    return asPage<T>(await requester.getJson(url, signal), pageNumber, url);
  };
  let pending: Promise<QueryPage<T>> | undefined = fetchPage(undefined, 1);
  let delivered = 0;
  let sentCookie: string | undefined;
  try {
    while (pending !== undefined) {
      const page: QueryPage<T> = await pending;
      pending = undefined;
      const cookie = page.pagedResultsCookie;
      if (cookie !== null && cookie === sentCookie) {
        throw new CrestError(0, `The server returned the cookie it was sent, with ${page.resultCount === 0 ? "an empty page" : "the same page"}: stopping instead of looping forever (${page.url})`, {
          reason: "Paging Loop",
          url: page.url,
        });
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
    controller.abort(new DOMException("The query walk was stopped", "AbortError"));
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
