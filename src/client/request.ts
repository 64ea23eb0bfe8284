import { CrestError } from "../query/crest-error.js";
import { cancel, readBodyText } from "./body.js";

/**
 * How failed requests are retried: 429, 502, 503, 504 and network errors (including timeouts),
 * with exponential backoff and jitter, honouring `Retry-After`.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from "crest-query";
 * const retry: RetryOptions = { retries: 5, minDelayMs: 500, maxDelayMs: 30_000, jitter: true, maxRetryAfterMs: 120_000 };
 * ```
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 3; 0 disables retrying). */
  readonly retries?: number;
  /** The first backoff delay (default 250 ms); it doubles with each retry. */
  readonly minDelayMs?: number;
  /** The longest backoff delay (default 30 s). */
  readonly maxDelayMs?: number;
  /** Spread backoff delays randomly between half and all of their value (default true). */
  readonly jitter?: boolean;
  /**
   * The longest `Retry-After` the client waits (default 2 minutes). A server asking for less is
   * waited for in full, even beyond `maxDelayMs`; one asking for more fails the request at once,
   * saying how long the server asked for.
   */
  readonly maxRetryAfterMs?: number;
}

/**
 * What {@link CrestRequestOptions.onRetry} is told before each retry.
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
  /** Why, without credentials. */
  readonly reason: string;
  /** The request URL, without credentials. */
  readonly url: string;
}

/**
 * Which redirects are followed: `"same-origin"` (the default) follows redirects within the origin
 * of the request; `"follow"` follows any, but never sends credentials to another origin;
 * `"error"` follows none. A redirect that is not followed fails the request.
 *
 * @example
 * ```ts
 * import type { RedirectPolicy } from "crest-query";
 * const redirects: RedirectPolicy = "follow";
 * ```
 */
export type RedirectPolicy = "same-origin" | "follow" | "error";

/**
 * How requests are sent: headers and credentials, time and size limits, retries and redirects.
 *
 * @example
 * ```ts
 * import type { CrestRequestOptions } from "crest-query";
 * const options: CrestRequestOptions = {
 *   headers: { "X-OpenIDM-Username": "openidm-admin", "X-OpenIDM-Password": "openidm-admin" },
 *   timeoutMs: 10_000,
 *   maxBodyBytes: 16 * 1024 * 1024,
 *   retry: { retries: 5 },
 * };
 * ```
 */
export interface CrestRequestOptions {
  /**
   * Headers sent with every request. An `Authorization` header here is replaced by `token` or
   * `getToken` when either is given (never merged with it).
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * More header names that carry credentials. `Authorization`, `Proxy-Authorization`, `Cookie`,
   * `X-OpenIDM-Username`, `X-OpenIDM-Password`, `X-OpenIDM-Reauth-Password` and `X-Api-Key` always
   * do. Credentials are never sent to another origin, and never appear in messages.
   */
  readonly secretHeaders?: readonly string[];
  /** A bearer token. */
  readonly token?: string;
  /**
   * Gives a bearer token: called before the first request, and again with `refresh: true` after
   * every 401. A 401 for a token it has just issued fails the request.
   */
  readonly getToken?: (context: { readonly refresh: boolean }) => string | Promise<string>;
  /** The `fetch` to use (default the platform's). */
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** Time limit of each attempt, response body included, in milliseconds (default none). */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Which redirects to follow (default `"same-origin"`). */
  readonly redirects?: RedirectPolicy;
  /** Redirects followed for one request (default 5). */
  readonly maxRedirects?: number;
  /** The most bytes read from a successful response body, after decompression (default 64 MiB). */
  readonly maxBodyBytes?: number;
  /** The most bytes read from an error response body (default 64 KiB); a longer one is ignored. */
  readonly maxErrorBodyBytes?: number;
  /**
   * How response bodies are read from JSON text (default `JSON.parse`). Pass a reader that keeps
   * integers beyond 2^53 exact (for example one built on lossless-json) when resources hold them:
   * `JSON.parse` rounds them to the nearest double. It must throw a SyntaxError on text that is
   * not JSON.
   */
  readonly parseJson?: (text: string) => unknown;
  /** Called before each retry, with why and how long it waits. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Waits between retries; tests pass their own clock. Default: a timer that the signal cancels. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1) for jitter (default Math.random). */
  readonly random?: () => number;
  /** The current time in ms, for `Retry-After` dates (default Date.now). */
  readonly now?: () => number;
}

/** A request URL taken apart once: where it goes, and credentials it held. */
export interface RequestTarget {
  /** The URL without user name, password and fragment. */
  readonly href: string;
  readonly origin: string;
  /** `Basic ...` from the URL's user name and password, if it had any. */
  readonly basic?: string;
}

/** A successful answer: status 2xx and the parsed JSON body (undefined when empty). */
export interface CrestReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  /** The URL that answered (after redirects), without credentials. */
  readonly url: string;
}

/** Sends CREST requests with one set of options; holds the current token. */
export interface RequestSender {
  /** One request, with its retries; `signal` cancels it (one listener, removed when it ends). */
  send(method: string, target: RequestTarget, signal?: AbortSignal, body?: string, headers?: Readonly<Record<string, string>>): Promise<CrestReply>;
  /**
   * Cancel every request in flight and every one after, with `reason`: how a loop that owns its
   * sender stops it without an abort listener per request.
   */
  abort(reason: unknown): void;
}

/**
 * Admits each attempt of a client's requests: a concurrency limit, a rate budget, and a pause that
 * every request honours once the server asked one of them to slow down.
 */
export interface RequestGate {
  /** Wait for a turn; rejects with the signal's reason when it aborts first. */
  enter(signal?: AbortSignal): Promise<void>;
  /** The attempt that entered is over. */
  leave(): void;
  /** The server answered 429 or 503 and wants `ms` of quiet: every request waits, and the rate drops. */
  slowDown(ms: number): void;
  /** An attempt got an answer that was not a request to slow down. */
  answered(): void;
}

/** What a client adds to a sender: a shared gate, and a token provider asked before every request. */
export interface SenderHooks {
  readonly gate?: RequestGate;
  /** Ask `getToken` before every request (the provider caches and refreshes), not only the first time. */
  readonly tokenEachRequest?: boolean;
}

/** Tokens remembered for redaction: the latest ones (older ones have long expired). */
const MAX_REMEMBERED_SECRETS = 64;
const SLOW_DOWN_STATUSES = new Set([429, 503]);
const RETRY_STATUSES = new Set([429, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie", "x-openidm-username", "x-openidm-password", "x-openidm-reauth-password", "x-api-key"];
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What fetch refuses in a header value (and then echoes in its error message).
const BAD_HEADER_VALUE = /[\0\r\n\u0100-\uffff]/;
const MiB = 1024 * 1024;

function usageError(message: string): CrestError {
  return new CrestError(0, message, { reason: "Invalid Request" });
}

function checkLimit(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value) || value < min) throw usageError(`${name} must be a number of at least ${min}, not ${String(value)}`);
  return value;
}

/**
 * Take a URL apart for sending: the fragment is dropped (it is never sent), and a user name and
 * password become Basic credentials so that they are never part of a URL in a message.
 */
export function requestTarget(input: string | URL): RequestTarget {
  const url = new URL(input);
  url.hash = "";
  if (url.username === "" && url.password === "") return { href: url.href, origin: url.origin };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = "";
  url.password = "";
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { href: url.href, origin: url.origin, basic: `Basic ${btoa(binary)}` };
}

/** The URL without user name and password, for messages and errors. */
export function safeUrl(url: string | URL): string {
  try {
    const copy = new URL(url);
    if (copy.username === "" && copy.password === "") return copy.href;
    copy.username = "";
    copy.password = "";
    return copy.href;
  } catch {
    return "(invalid URL)";
  }
}

/** The reasons our own deadlines abort with: a caller's TimeoutError is the caller's, not ours. */
const deadlineReasons = new WeakSet<object>();

function timedOut(controller: AbortController): boolean {
  const reason: unknown = controller.signal.reason;
  return controller.signal.aborted && typeof reason === "object" && reason !== null && deadlineReasons.has(reason);
}

/** Wait `ms` milliseconds, or until `signal` aborts (then reject with its reason); no listener outlives it. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** One attempt's outcome: a response read to the end, or an error without one. */
interface Outcome {
  readonly status: number;
  readonly statusText: string;
  readonly headers?: Headers;
  readonly body?: unknown;
  /** The URL of the last hop, without credentials. */
  readonly url: string;
  /** Whether the answer came from another origin than the request's. */
  readonly crossOrigin?: boolean;
  /** The error body was longer than the cap and was not read. */
  readonly bodyDropped?: boolean;
  /** Without a response (status 0): what went wrong, and whether trying again may help. */
  readonly error?: unknown;
  readonly problem?: string;
  readonly reason?: string;
  readonly transient?: boolean;
}

class Sender implements RequestSender {
  private token: string | undefined;
  private readonly secrets: string[] = [];
  private readonly fixedSecrets: number;
  private readonly secretNames: Set<string>;
  private readonly callerHeaders: Record<string, string> = { accept: "application/json" };
  private headers: Record<string, string> = {};
  private readonly fetch: typeof fetch;
  private readonly retries: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly timeoutMs: number | undefined;
  private readonly maxRedirects: number;
  private readonly maxBodyBytes: number;
  private readonly maxErrorBodyBytes: number;
  private readonly parseJson: (text: string) => unknown;
  /** What `abort` stops: each request and retry wait under way. */
  private readonly inflight = new Set<AbortController>();
  private stopped: { readonly reason: unknown } | undefined;
  /** When each attempt under way runs out of time (performance.now), under `timeoutMs`. */
  private readonly deadlines = new Map<AbortController, number>();
  /**
   * One timer watches every deadline: a timer per request costs a tenth of a fast walk. It is held
   * here (a timer inside AbortSignal.timeout is lost after a garbage collection on Node 20), and
   * unref'd so that an idle sender never keeps a process alive.
   */
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: CrestRequestOptions,
    private readonly hooks: SenderHooks = {},
  ) {
    const retry = options.retry ?? {};
    this.retries = Math.floor(checkLimit("retry.retries", retry.retries, 3));
    this.minDelayMs = checkLimit("retry.minDelayMs", retry.minDelayMs, 250);
    this.maxDelayMs = checkLimit("retry.maxDelayMs", retry.maxDelayMs, 30_000);
    this.maxRetryAfterMs = checkLimit("retry.maxRetryAfterMs", retry.maxRetryAfterMs, 120_000);
    this.timeoutMs = options.timeoutMs === undefined ? undefined : checkLimit("timeoutMs", options.timeoutMs, 0, 1);
    this.maxRedirects = Math.floor(checkLimit("maxRedirects", options.maxRedirects, 5));
    this.maxBodyBytes = checkLimit("maxBodyBytes", options.maxBodyBytes, 64 * MiB, 1);
    this.maxErrorBodyBytes = checkLimit("maxErrorBodyBytes", options.maxErrorBodyBytes, 64 * 1024, 1);
    if (options.parseJson !== undefined && typeof options.parseJson !== "function") throw usageError("parseJson must be a function of the body text");
    this.parseJson = options.parseJson ?? JSON.parse;
    const redirects = options.redirects ?? "same-origin";
    if (redirects !== "same-origin" && redirects !== "follow" && redirects !== "error") {
      throw usageError(`redirects must be "same-origin", "follow" or "error", not ${JSON.stringify(redirects)}`);
    }
    this.fetch = options.fetch ?? fetch;
    this.secretNames = new Set([...CREDENTIAL_HEADERS, ...(options.secretHeaders ?? []).map((name) => name.toLowerCase())]);
    const seen = new Map<string, string>();
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!HEADER_NAME.test(name)) throw usageError(`${JSON.stringify(name)} is not a valid header name`);
      const lower = name.toLowerCase();
      const twice = seen.get(lower);
      if (twice !== undefined) throw usageError(`the header ${twice} is given twice (as ${twice} and ${name}); header names are case-insensitive`);
      seen.set(lower, name);
      this.checkValue(name, value);
      if (this.secretNames.has(lower)) this.secrets.push(value);
      this.callerHeaders[lower] = value;
    }
    this.fixedSecrets = this.secrets.length;
    if (options.token !== undefined) this.setToken(options.token);
    else this.headers = this.callerHeaders;
  }

  async send(method: string, target: RequestTarget, signal?: AbortSignal, body?: string, headers?: Readonly<Record<string, string>>): Promise<CrestReply> {
    const getToken = this.options.getToken;
    if (getToken !== undefined && (this.token === undefined || this.hooks.tokenEachRequest === true)) this.setToken(await getToken({ refresh: false }));
    const gate = this.hooks.gate;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      this.throwIfStopped(signal);
      const used = this.token;
      let outcome: Outcome;
      if (gate === undefined) outcome = await this.attempt(method, target, signal, body, headers);
      else {
        await gate.enter(signal);
        try {
          outcome = await this.attempt(method, target, signal, body, headers);
          // Before this attempt leaves the gate, so that nobody slips in after the server said "slow down".
          if (SLOW_DOWN_STATUSES.has(outcome.status)) gate.slowDown(this.sharedPause(attempt, outcome, method));
        } finally {
          gate.leave();
        }
      }
      const { status } = outcome;
      if (gate !== undefined && !SLOW_DOWN_STATUSES.has(status)) gate.answered();
      if (status >= 200 && status < 300) return { status, headers: outcome.headers ?? new Headers(), body: outcome.body, url: outcome.url };
      if (status === 401 && getToken !== undefined && outcome.crossOrigin !== true) {
        if (refreshed) throw this.failure(method, outcome, attempt + 1, "a token the token provider had just issued was refused too");
        // A long walk outlives many tokens: ask for a new one at every 401 and try again. When a
        // request running beside this one got a new token meanwhile, that one is tried first.
        if (this.token === used) this.setToken(await getToken({ refresh: true }));
        refreshed = true;
        attempt--;
        continue;
      }
      const retryable = status === 0 ? outcome.transient === true : RETRY_STATUSES.has(status);
      if (!retryable || attempt >= this.retries) throw this.failure(method, outcome, attempt + 1);
      const delayMs = this.delay(attempt, outcome, method);
      this.options.onRetry?.({ attempt: attempt + 1, delayMs, status, reason: this.describe(outcome), url: outcome.url });
      // The server is overloaded, not this request: the whole client waits (the gate holds every
      // request until then, this one included).
      if (gate === undefined || !SLOW_DOWN_STATUSES.has(status)) await this.pause(delayMs, signal);
    }
  }

  abort(reason: unknown): void {
    this.stopped = { reason };
    for (const controller of this.inflight) controller.abort(reason);
    this.inflight.clear();
    this.deadlines.clear();
    if (this.watchdog !== undefined) clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private watch(controller: AbortController, timeoutMs: number): void {
    this.deadlines.set(controller, performance.now() + timeoutMs);
    if (this.watchdog === undefined) this.schedule(timeoutMs);
  }

  private schedule(ms: number): void {
    // Node fires a timer of more than 2^31 - 1 ms at once: wake at that bound and look again.
    this.watchdog = setTimeout(() => this.expire(), Math.min(2 ** 31 - 1, Math.max(1, Math.ceil(ms))));
    // Node's timers can be unref'd so that an idle sender keeps no process alive; browsers' are numbers.
    (this.watchdog as unknown as { unref?: () => void }).unref?.();
  }

  /** Abort the attempts past their deadline; wake again at the next one. */
  private expire(): void {
    this.watchdog = undefined;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [controller, deadline] of this.deadlines) {
      if (deadline <= now) {
        this.deadlines.delete(controller);
        const reason = new DOMException(`no answer within ${this.timeoutMs} ms`, "TimeoutError");
        deadlineReasons.add(reason);
        controller.abort(reason);
      } else if (deadline < next) next = deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.schedule(next - now);
  }

  private throwIfStopped(signal: AbortSignal | undefined): void {
    if (this.stopped !== undefined) throw this.stopped.reason;
    signal?.throwIfAborted();
  }

  /** The wait before a retry, cancelled like a request. */
  private async pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    this.throwIfStopped(signal);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort);
    this.inflight.add(controller);
    try {
      await (this.options.sleep ?? defaultSleep)(ms, controller.signal);
    } finally {
      this.inflight.delete(controller);
      signal?.removeEventListener("abort", onAbort);
    }
    this.throwIfStopped(signal);
  }

  private setToken(token: string): void {
    if (typeof token !== "string" || token === "") throw usageError("the token is empty or not a string");
    if (token === this.token) return;
    this.checkValue("Authorization", token);
    this.token = token;
    if (!this.secrets.includes(token)) this.secrets.push(token);
    // Caller-given secrets come first and stay; of the tokens, the latest are kept.
    if (this.secrets.length > this.fixedSecrets + MAX_REMEMBERED_SECRETS) this.secrets.splice(this.fixedSecrets, 1);
    // The bearer token replaces an Authorization header the caller gave: one header, one credential.
    this.headers = { ...this.callerHeaders, authorization: `Bearer ${token}` };
  }

  private checkValue(name: string, value: string): void {
    // The value is never shown: any header may hold a credential.
    if (typeof value !== "string") throw usageError(`the header ${name} has a value that is not a string`);
    if (BAD_HEADER_VALUE.test(value)) throw usageError(`the header ${name} holds a line break, a NUL or a character beyond U+00FF, which HTTP does not allow`);
  }

  /** Headers for another origin: without any credential. */
  private publicHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.headers)) if (!this.secretNames.has(name)) out[name] = value;
    return out;
  }

  /** One attempt: the request, its redirects and its body, under one timer and one abort listener. */
  private async attempt(method: string, target: RequestTarget, signal: AbortSignal | undefined, body: string | undefined, extra?: Readonly<Record<string, string>>): Promise<Outcome> {
    this.throwIfStopped(signal);
    const controller = new AbortController();
    this.inflight.add(controller);
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort);
    if (this.timeoutMs !== undefined) this.watch(controller, this.timeoutMs);
    let url = target.href;
    try {
      const own = extra === undefined ? this.headers : { ...this.headers, ...extra };
      let headers = target.basic === undefined || own.authorization !== undefined ? own : { ...own, authorization: target.basic };
      let crossOrigin = false;
      for (let hops = 0; ; hops++) {
        let response: Response;
        try {
          const init: RequestInit = { method, headers, signal: controller.signal, redirect: "manual" };
          if (body !== undefined) init.body = body;
          response = await this.fetch(url, init);
        } catch (error) {
          // Cancelled (by the caller's signal or by abort): the reason, as given.
          if (controller.signal.aborted && !timedOut(controller)) throw controller.signal.reason;
          return timedOut(controller) ? this.timeout(url) : { status: 0, statusText: "", url, error, transient: true };
        }
        const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get("location") : null;
        if (location !== null) {
          await cancel(response.body);
          const next = this.redirect(url, location, hops, target.origin);
          if (typeof next !== "string") return next;
          const leaving = new URL(next).origin !== target.origin;
          if (leaving && !crossOrigin) {
            crossOrigin = true;
            headers = this.publicHeaders();
          }
          if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
            method = "GET";
            body = undefined;
          }
          url = next;
          continue;
        }
        const ok = response.status >= 200 && response.status < 300;
        let read;
        try {
          read = await readBodyText(response, ok ? this.maxBodyBytes : this.maxErrorBodyBytes);
        } catch (error) {
          if (controller.signal.aborted && !timedOut(controller)) throw controller.signal.reason;
          if (timedOut(controller)) return this.timeout(url);
          const problem = `the connection closed before the whole response arrived (status ${response.status})`;
          return { status: 0, statusText: "", url, error, problem, transient: true };
        }
        const { status, statusText } = response;
        if (read.tooLarge === true) {
          // The status still counts (a 503 is retried), but a body that long is no CREST error body.
          if (!ok) return { status, statusText, headers: response.headers, url, crossOrigin, bodyDropped: true };
          const problem = `the response body is larger than maxBodyBytes (${this.maxBodyBytes} bytes); stopped reading it`;
          return { status: 0, statusText: "", url, problem, reason: "Response Too Large", transient: false };
        }
        if (read.text === "") return { status, statusText, headers: response.headers, url, crossOrigin };
        try {
          return { status, statusText, headers: response.headers, url, crossOrigin, body: this.parseJson(read.text) };
        } catch (error) {
          // A whole body that is not JSON will not improve by asking again; an error body need not be JSON.
          if (!ok) return { status, statusText, headers: response.headers, url, crossOrigin };
          const problem = `the response body is not valid JSON (${(error instanceof Error ? error.message : String(error)).slice(0, 200)})`;
          return { status: 0, statusText: "", url, problem, reason: "Invalid response", transient: false };
        }
      }
    } finally {
      this.deadlines.delete(controller);
      this.inflight.delete(controller);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private timeout(url: string): Outcome {
    return { status: 0, statusText: "", url, problem: `no answer within ${this.timeoutMs} ms`, reason: "Timeout", transient: true };
  }

  /** Where a redirect leads, or why it is not followed. */
  private redirect(from: string, location: string, hops: number, origin: string): string | Outcome {
    const refuse = (problem: string): Outcome => ({ status: 0, statusText: "", url: from, problem, reason: "Redirect Refused", transient: false });
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      return refuse("redirected to a location that is not a URL");
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") return refuse(`redirected to a ${next.protocol} URL, which is not followed`);
    const policy = this.options.redirects ?? "same-origin";
    if (policy === "error") return refuse(`redirected to ${safeUrl(next)}; redirects are not followed (redirects: "error")`);
    if (next.origin !== origin && policy !== "follow") {
      return refuse(`redirected to another origin (${next.origin}), which is not followed unless redirects is "follow" (credentials are never sent there)`);
    }
    if (hops >= this.maxRedirects) return refuse(`more than ${this.maxRedirects} redirects (maxRedirects)`);
    next.hash = "";
    next.username = "";
    next.password = "";
    return next.href;
  }

  /** How long the whole client waits after a 429 or 503: the server's `Retry-After` (capped), else the backoff. */
  private sharedPause(attempt: number, outcome: Outcome, method: string): number {
    try {
      return this.delay(attempt, outcome, method);
    } catch {
      return this.maxRetryAfterMs;
    }
  }

  private delay(attempt: number, outcome: Outcome, method: string): number {
    const retryAfter = outcome.headers?.get("retry-after") ?? null;
    if (retryAfter !== null) {
      const seconds = /^\s*\d+\s*$/.test(retryAfter) ? Number(retryAfter) * 1000 : undefined;
      const date = seconds === undefined ? Date.parse(retryAfter) : Number.NaN;
      const wait = seconds ?? (Number.isNaN(date) ? undefined : date - (this.options.now ?? Date.now)());
      if (wait !== undefined) {
        if (wait > this.maxRetryAfterMs) {
          const why = `the server asks to wait ${Math.ceil(wait / 1000)} s (Retry-After: ${retryAfter.trim().slice(0, 60)}), longer than retry.maxRetryAfterMs (${this.maxRetryAfterMs} ms); not retrying`;
          throw this.failure(method, outcome, attempt + 1, why);
        }
        // The server says when it will answer: asking sooner only earns another refusal.
        return Math.max(0, wait);
      }
    }
    const base = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** attempt);
    if (this.options.retry?.jitter === false) return base;
    return Math.round(base / 2 + ((this.options.random ?? Math.random)() * base) / 2);
  }

  /** Any credential the caller gave, replaced: messages may quote servers, and servers may quote tokens. */
  private redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]");
    return out;
  }

  /** The server's error body with every credential the caller gave replaced. */
  private redactBody(body: Record<string, unknown>): Record<string, unknown> {
    try {
      const text = JSON.stringify(body);
      const clean = this.redact(text);
      return clean === text ? body : (JSON.parse(clean) as Record<string, unknown>);
    } catch {
      return {};
    }
  }

  private describe(outcome: Outcome): string {
    if (outcome.status !== 0) return `${outcome.status} ${outcome.statusText}`.trim();
    if (outcome.problem !== undefined) return outcome.problem;
    const error = outcome.error as { message?: unknown; cause?: { message?: unknown } } | undefined;
    const parts = [error?.message, error?.cause?.message].filter((part): part is string => typeof part === "string" && part !== "");
    return this.redact(parts.join(": ") || "network error");
  }

  private failure(method: string, outcome: Outcome, attempts: number, why?: string): CrestError {
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    const where = `${method} ${outcome.url}`;
    if (outcome.status === 0) {
      const reason = outcome.reason ?? "Network Error";
      return new CrestError(0, `${where} failed${tries}: ${this.describe(outcome)}`, { reason, url: outcome.url, ...(outcome.error === undefined ? {} : { cause: outcome.error }) });
    }
    const body = (typeof outcome.body === "object" && outcome.body !== null ? outcome.body : {}) as Record<string, unknown>;
    const said = typeof body.message === "string" ? this.redact(body.message) : this.describe(outcome);
    const dropped = outcome.bodyDropped === true ? ` (the error body, longer than ${this.maxErrorBodyBytes} bytes, was not read)` : "";
    // The detail is the server's too: a credential it quotes is redacted there as well.
    const clean = this.redactBody(body);
    return new CrestError(outcome.status, `${where} failed${tries}: ${said}${dropped}${why === undefined ? "" : `; ${why}`}`, {
      ...(typeof body.reason === "string" ? { reason: this.redact(body.reason) } : {}),
      detail: clean.detail,
      url: outcome.url,
      ...(typeof outcome.body === "object" && outcome.body !== null && !Array.isArray(outcome.body) ? { body: clean } : {}),
    });
  }
}

/**
 * Make a sender of CREST requests with these options: it retries 429, 502, 503, 504 and network
 * errors, refreshes tokens on 401, follows redirects by the policy without leaking credentials,
 * limits time and body size, and fails with a {@link CrestError} that never holds a credential.
 */
export function createRequestSender(options: CrestRequestOptions, hooks?: SenderHooks): RequestSender {
  return new Sender(options, hooks);
}
