import type { Filter, Pointer } from "../language/ast.js";
import { encodeQueryComponent } from "../language/percent.js";
import { parsePointer } from "../language/pointer.js";
import { CrestError } from "../query/crest-error.js";
import type { PatchOperation } from "../query/patch.js";
import { formatQueryParams } from "../query/query-params.js";
import { isCachingProvider, type TokenProvider } from "./auth.js";
import { runBulk, type BulkOptions, type BulkReport } from "./bulk.js";
import { queryTarget, walkPages, type QueryClientOptions, type QueryPage } from "./client.js";
import { ClientGate, type RateLimitOptions } from "./gate.js";
import { patchOperations, type PatchBuilder } from "./patch-builder.js";
import { createRequestSender, defaultSleep, requestTarget, type CrestReply, type CrestRequestOptions, type RequestSender, type RequestTarget } from "./request.js";

/**
 * Options of {@link createCrestClient}: where the server is, how to log in, and the limits every
 * call of the client shares, plus everything a request takes (headers, retries, time and size
 * limits, redirects, an injectable `fetch`, `now` and `sleep`).
 *
 * @example
 * ```ts
 * import type { CrestClientOptions } from "crest-query";
 * const options: CrestClientOptions = {
 *   baseUrl: "https://openam-example.forgeblocks.com/openidm",
 *   auth: async () => process.env.CREST_TOKEN ?? "",
 *   concurrency: 4,
 *   requestsPerSecond: 10,
 *   retry: { retries: 5 },
 * };
 * ```
 */
export interface CrestClientOptions extends Omit<CrestRequestOptions, "getToken">, RateLimitOptions {
  /** The URL resource paths start from: `https://tenant/openidm` for `managed/alpha_user`. */
  readonly baseUrl: string | URL;
  /**
   * Gives bearer tokens: any `() => Promise<string>`. One from `serviceAccount` or `jwtExchange` is
   * asked before every request (it caches, and refreshes ahead of expiry); any other function is
   * asked once, and again after a 401.
   */
  readonly auth?: TokenProvider;
  /** `Accept-API-Version` sent with every request, such as `{ resource: "1.0" }`. */
  readonly apiVersion?: { readonly protocol?: string; readonly resource?: string };
}

/**
 * A resource as the server stores it: with `_id` and `_rev`.
 *
 * @example
 * ```ts
 * import type { Stored } from "crest-query";
 * const user: Stored<{ userName: string }> = { _id: "1", _rev: "0", userName: "bjensen" };
 * ```
 */
export type Stored<T> = T & { readonly _id: string; readonly _rev: string };

/**
 * Options every call takes: a signal that cancels it.
 *
 * @example
 * ```ts
 * import type { CallOptions } from "crest-query";
 * const options: CallOptions = { signal: AbortSignal.timeout(30_000) };
 * ```
 */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/**
 * Options of the calls that answer with a resource: `_fields`, the fields to return.
 *
 * @example
 * ```ts
 * import type { ReadOptions } from "crest-query";
 * const options: ReadOptions = { fields: ["userName", "mail"] };
 * ```
 */
export interface ReadOptions extends CallOptions {
  readonly fields?: readonly (string | Pointer)[];
}

/**
 * Options of calls that change a resource: `rev`, the revision it must still have (`If-Match`).
 *
 * @example
 * ```ts
 * import type { RevisionOptions } from "crest-query";
 * const options: RevisionOptions = { rev: "3", fields: ["_id"] };
 * ```
 */
export interface RevisionOptions extends ReadOptions {
  /** The revision the resource must have; otherwise the server answers 412 and changes nothing. */
  readonly rev?: string;
}

/**
 * Options of a create: `id` to choose the new resource's id (`PUT` with `If-None-Match: *`, 412
 * if it exists); without it the server picks one (`POST ?_action=create`).
 *
 * @example
 * ```ts
 * import type { CreateOptions } from "crest-query";
 * const options: CreateOptions = { id: "bjensen" };
 * ```
 */
export interface CreateOptions extends ReadOptions {
  readonly id?: string;
}

/**
 * Options of an action: the resource it runs on (`id`), else the collection.
 *
 * @example
 * ```ts
 * import type { ActionOptions } from "crest-query";
 * const options: ActionOptions = { id: "bjensen" };
 * ```
 */
export interface ActionOptions extends CallOptions {
  readonly id?: string;
}

/**
 * Options of a query through a client: those of the request helper that shape the query, plus
 * `cookie` to start at a page a previous walk returned.
 *
 * @example
 * ```ts
 * import type { ResourceQueryOptions } from "crest-query";
 * const options: ResourceQueryOptions = { fields: ["userName"], sortKeys: ["userName"], pageSize: 50 };
 * ```
 */
export interface ResourceQueryOptions
  extends CallOptions,
    Pick<QueryClientOptions, "fields" | "sortKeys" | "pageSize" | "totalPagedResultsPolicy" | "params" | "maxPages" | "maxResults" | "maxEmptyPages" | "onPage"> {
  /** Start at this `pagedResultsCookie` (from a page of an earlier walk). */
  readonly cookie?: string;
}

/**
 * A query not yet sent: iterate it for resources, or `pages()` for whole pages.
 *
 * @example
 * ```ts
 * import type { ResourceQuery } from "crest-query";
 * async function first(query: ResourceQuery<{ _id: string }>) {
 *   for await (const resource of query) return resource;
 * }
 * ```
 */
export interface ResourceQuery<T> extends AsyncIterable<T> {
  /** The pages, each with its cookie (to resume a walk later) and counts. */
  pages(): AsyncIterable<QueryPage<T>>;
}

/**
 * One collection of a CREST server, with every verb of the protocol and bulk helpers.
 *
 * @example
 * ```ts
 * import type { CrestResource } from "crest-query";
 * async function disable(users: CrestResource<{ accountStatus: string }>, id: string) {
 *   return users.patch(id, [{ operation: "replace", field: "/accountStatus", value: "inactive" }]);
 * }
 * ```
 */
export interface CrestResource<T extends object = Record<string, unknown>> {
  /** The collection's path (`managed/alpha_user`). */
  readonly path: string;
  /** The collection's URL (without credentials). */
  readonly url: string;
  /** A query: `true` (everything) when no filter is given. */
  query(filter?: Filter | string, options?: ResourceQueryOptions): ResourceQuery<Stored<T>>;
  /** Read one resource. @throws {@link CrestError} 404 when it does not exist. */
  read(id: string, options?: ReadOptions): Promise<Stored<T>>;
  /** Create a resource; the server picks the id unless `id` is given (then 412 if it exists). */
  create(body: Partial<T>, options?: CreateOptions): Promise<Stored<T>>;
  /** Replace a resource (`PUT` with `If-Match`: the revision when given, else `*`, so a missing resource is a 404, never created). */
  update(id: string, body: Partial<T>, options?: RevisionOptions): Promise<Stored<T>>;
  /** Patch a resource with CREST operations (a list or a {@link PatchBuilder}), checked before sending. */
  patch(id: string, operations: PatchBuilder<T> | PatchBuilder<unknown> | readonly PatchOperation[], options?: RevisionOptions): Promise<Stored<T>>;
  /** Delete a resource; answers with what was deleted. */
  delete(id: string, options?: RevisionOptions): Promise<Stored<T>>;
  /** Run an action on the collection (or on the resource `options.id`); `undefined` when the server answers 204. */
  action(name: string, body?: unknown, params?: Readonly<Record<string, string>>, options?: ActionOptions): Promise<unknown>;
  /** How many resources match (`_countOnly`, or the EXACT paged-results policy when the server has no `_countOnly`). */
  count(filter?: Filter | string, options?: CallOptions): Promise<number>;
  /** Patch every resource that matches, within the client's limits; see {@link BulkReport}. */
  patchAll(filter: Filter | string, operations: PatchBuilder<T> | PatchBuilder<unknown> | readonly PatchOperation[], options?: BulkOptions): Promise<BulkReport>;
  /** Delete every resource that matches, within the client's limits; see {@link BulkReport}. */
  deleteAll(filter: Filter | string, options?: BulkOptions): Promise<BulkReport>;
  /** Call `fn` with every resource that matches (several at once, up to the client's concurrency); see {@link BulkReport}. */
  forEach(filter: Filter | string, fn: (resource: Stored<T>) => unknown, options?: BulkOptions & Pick<ReadOptions, "fields">): Promise<BulkReport>;
}

/**
 * A CREST client: one set of options, one token, one concurrency limit and one rate budget shared
 * by every call of every resource made from it.
 *
 * @example
 * ```ts
 * import type { CrestClient } from "crest-query";
 * const users = (client: CrestClient) => client.resource("managed/alpha_user");
 * ```
 */
export interface CrestClient {
  /** The base URL (without credentials). */
  readonly baseUrl: string;
  /** One collection, by its path under the base URL (`managed/alpha_user`, `system/ldap/account`). */
  resource<T extends object = Record<string, unknown>>(path: string): CrestResource<T>;
}

function usage(message: string): CrestError {
  return new CrestError(0, message, { reason: "Invalid Request" });
}

function encodeSegment(text: string, what: string): string {
  if (typeof text !== "string" || text === "") throw usage(`${what} must be a non-empty string`);
  try {
    return encodeQueryComponent(text);
  } catch (error) {
    throw usage(`${what}: ${(error as Error).message}`);
  }
}

const REVISION = /^[\x21\x23-\x7e]+$/;

function ifMatch(rev: string | undefined, fallback?: string): Record<string, string> {
  if (rev === undefined) return fallback === undefined ? {} : { "if-match": fallback };
  if (typeof rev !== "string" || !REVISION.test(rev)) throw usage(`rev must be a revision (visible ASCII without quotes), not ${JSON.stringify(rev)}`);
  return { "if-match": `"${rev}"` };
}

function withSearch(target: RequestTarget, search: string): RequestTarget {
  if (search === "") return target;
  const href = `${target.href}${target.href.includes("?") ? "&" : "?"}${search}`;
  return { ...target, href };
}

function fieldsSearch(fields: readonly (string | Pointer)[] | undefined, extra?: Readonly<Record<string, string>>): string {
  const pointers = (fields ?? []).map((f) => (typeof f === "string" ? parsePointer(f) : f));
  return formatQueryParams({ fields: pointers, ...(extra === undefined ? {} : { extra }) });
}

function asResource<T>(reply: CrestReply, what: string): Stored<T> {
  const body = reply.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new CrestError(0, `${what}: the server answered without a resource`, { reason: "Invalid response", url: reply.url });
  return body as Stored<T>;
}

function formatApiVersion(version: CrestClientOptions["apiVersion"], protocol?: string): string | undefined {
  const parts: string[] = [];
  const p = protocol ?? version?.protocol;
  if (p !== undefined) parts.push(`protocol=${p}`);
  if (version?.resource !== undefined) parts.push(`resource=${version.resource}`);
  return parts.length === 0 ? undefined : parts.join(",");
}

/** The calls of one client: one sender, one gate. */
class Connection {
  readonly sender: RequestSender;
  readonly base: RequestTarget;
  readonly apiVersion: string | undefined;
  readonly gate: ClientGate;

  constructor(readonly options: CrestClientOptions) {
    const { baseUrl, auth, apiVersion, concurrency, requestsPerSecond, ...request } = options;
    let base: RequestTarget;
    try {
      base = requestTarget(baseUrl);
    } catch {
      throw usage("baseUrl is not a URL");
    }
    if (base.href.includes("?")) throw usage("baseUrl must not hold a query string: parameters go with each call");
    this.base = { ...base, href: base.href.replace(/\/+$/, "") };
    this.apiVersion = formatApiVersion(apiVersion);
    const gate = (this.gate = new ClientGate({ ...(concurrency === undefined ? {} : { concurrency }), ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }) }, options.now ?? Date.now, options.sleep ?? defaultSleep));
    const getToken = auth === undefined ? undefined : (context: { readonly refresh: boolean }) => auth({ refresh: context.refresh });
    this.sender = createRequestSender({ ...request, ...(getToken === undefined ? {} : { getToken }) }, { gate, tokenEachRequest: auth !== undefined && isCachingProvider(auth) });
  }

  /** The signal of one call: the client's and the call's. */
  signal(call: AbortSignal | undefined): AbortSignal | undefined {
    const client = this.options.signal;
    if (client === undefined) return call;
    if (call === undefined) return client;
    return AbortSignal.any([client, call]);
  }

  headers(extra: Record<string, string>, protocol?: string): Record<string, string> {
    const version = protocol === undefined ? this.apiVersion : formatApiVersion(this.options.apiVersion, protocol);
    return version === undefined ? extra : { "accept-api-version": version, ...extra };
  }

  send(method: string, target: RequestTarget, call: AbortSignal | undefined, body: unknown, headers: Record<string, string> = {}, protocol?: string): Promise<CrestReply> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const all = text === undefined ? headers : { "content-type": "application/json", ...headers };
    return this.sender.send(method, target, this.signal(call), text, this.headers(all, protocol));
  }
}


class Resource<T extends object> implements CrestResource<T> {
  readonly path: string;
  readonly url: string;
  private readonly target: RequestTarget;

  constructor(
    private readonly connection: Connection,
    path: string,
  ) {
    const segments = typeof path === "string" ? path.split("/").filter((s) => s !== "") : [];
    if (segments.length === 0) throw usage(`the resource path must name a collection, such as managed/alpha_user, not ${JSON.stringify(path)}`);
    this.path = segments.join("/");
    this.target = { ...connection.base, href: `${connection.base.href}/${segments.map((s) => encodeSegment(s, "a resource path segment")).join("/")}` };
    this.url = this.target.href;
  }

  private at(id: string, search = ""): RequestTarget {
    return withSearch({ ...this.target, href: `${this.target.href}/${encodeSegment(id, "the resource id")}` }, search);
  }

  query(filter: Filter | string = "true", options: ResourceQueryOptions = {}): ResourceQuery<Stored<T>> {
    const connection = this.connection;
    const collectionUrl = this.target.href;
    const basic = this.target.basic;
    const walk = (): AsyncGenerator<QueryPage<Stored<T>>, void, undefined> => {
      const target = queryTarget(collectionUrl, { ...options, filter });
      const withBasic = basic === undefined ? target : { ...target, basic };
      const stop = new AbortController();
      const signal = connection.signal(options.signal);
      const walkSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
      return walkPages<Stored<T>>(
        withBasic,
        { ...options, filter, signal: walkSignal },
        (page) => connection.sender.send("GET", page, walkSignal, undefined, connection.headers({})),
        (reason) => stop.abort(reason),
      );
    };
    return {
      pages: walk,
      async *[Symbol.asyncIterator]() {
        for await (const page of walk()) yield* page.result;
      },
    };
  }

  async read(id: string, options: ReadOptions = {}): Promise<Stored<T>> {
    const reply = await this.connection.send("GET", this.at(id, fieldsSearch(options.fields)), options.signal, undefined);
    return asResource<T>(reply, `read ${this.path}/${id}`);
  }

  async create(body: Partial<T>, options: CreateOptions = {}): Promise<Stored<T>> {
    const search = fieldsSearch(options.fields);
    const reply =
      options.id === undefined
        ? await this.connection.send("POST", withSearch(this.target, `_action=create${search === "" ? "" : `&${search}`}`), options.signal, body)
        : await this.connection.send("PUT", this.at(options.id, search), options.signal, body, { "if-none-match": "*" });
    return asResource<T>(reply, `create in ${this.path}`);
  }

  async update(id: string, body: Partial<T>, options: RevisionOptions = {}): Promise<Stored<T>> {
    const reply = await this.connection.send("PUT", this.at(id, fieldsSearch(options.fields)), options.signal, body, ifMatch(options.rev, "*"));
    return asResource<T>(reply, `update ${this.path}/${id}`);
  }

  async patch(id: string, operations: PatchBuilder<T> | PatchBuilder<unknown> | readonly PatchOperation[], options: RevisionOptions = {}): Promise<Stored<T>> {
    const checked = patchOperations(operations as PatchBuilder<unknown> | readonly PatchOperation[]);
    const reply = await this.connection.send("PATCH", this.at(id, fieldsSearch(options.fields)), options.signal, checked, ifMatch(options.rev));
    return asResource<T>(reply, `patch ${this.path}/${id}`);
  }

  async delete(id: string, options: RevisionOptions = {}): Promise<Stored<T>> {
    const reply = await this.connection.send("DELETE", this.at(id, fieldsSearch(options.fields)), options.signal, undefined, ifMatch(options.rev));
    return asResource<T>(reply, `delete ${this.path}/${id}`);
  }

  async action(name: string, body?: unknown, params: Readonly<Record<string, string>> = {}, options: ActionOptions = {}): Promise<unknown> {
    if (typeof name !== "string" || name === "") throw usage("the action name must be a non-empty string");
    const search = formatQueryParams({ extra: { _action: name, ...params } });
    const target = options.id === undefined ? withSearch(this.target, search) : this.at(options.id, search);
    const reply = await this.connection.send("POST", target, options.signal, body);
    return reply.body;
  }

  async count(filter: Filter | string = "true", options: CallOptions = {}): Promise<number> {
    const counted = async (search: string, protocol?: string): Promise<number> => {
      const reply = await this.connection.send("GET", withSearch(this.target, search), options.signal, undefined, {}, protocol);
      const total = (reply.body as { totalPagedResults?: unknown } | undefined)?.totalPagedResults;
      return typeof total === "number" && Number.isSafeInteger(total) && total >= 0 ? total : -1;
    };
    const queryFilter = formatQueryParams({ queryFilter: filter });
    let total: number;
    try {
      total = await counted(`${queryFilter}&_countOnly=true`, "2.2");
    } catch (error) {
      // A server without _countOnly (before CREST protocol 2.2) refuses it; count the EXACT way.
      if (!(error instanceof CrestError) || (error.code !== 400 && error.code !== 406)) throw error;
      total = -1;
    }
    if (total < 0) total = await counted(`${queryFilter}&_pageSize=1&_fields=_id&_totalPagedResultsPolicy=EXACT`);
    if (total < 0) throw new CrestError(0, `count ${this.path}: the server gave no totalPagedResults for _countOnly nor for the EXACT policy`, { reason: "Invalid response", url: this.url });
    return total;
  }

  patchAll(filter: Filter | string, operations: PatchBuilder<T> | PatchBuilder<unknown> | readonly PatchOperation[], options: BulkOptions = {}): Promise<BulkReport> {
    const checked = patchOperations(operations as PatchBuilder<unknown> | readonly PatchOperation[]);
    return runBulk<Stored<T>>(this, filter, { kind: "ids", run: (id, signal) => this.patch(id, checked, { signal, fields: ["_id"] }) }, this.concurrency(), options);
  }

  deleteAll(filter: Filter | string, options: BulkOptions = {}): Promise<BulkReport> {
    return runBulk<Stored<T>>(this, filter, { kind: "ids", run: (id, signal) => this.delete(id, { signal, fields: ["_id"] }) }, this.concurrency(), options);
  }

  forEach(filter: Filter | string, fn: (resource: Stored<T>) => unknown, options: BulkOptions & Pick<ReadOptions, "fields"> = {}): Promise<BulkReport> {
    return runBulk<Stored<T>>(this, filter, { kind: "resources", fields: options.fields, run: (resource: Stored<T>) => fn(resource) }, this.concurrency(), options);
  }

  private concurrency(): number {
    return this.connection.gate.concurrency;
  }
}

/**
 * Make a CREST client for a server (Identity Management, Advanced Identity Cloud, or the mock server):
 * `client.resource("managed/alpha_user")` has every verb (query, read, create, update, patch,
 * delete, action, count) and bulk helpers. Every call of the client shares one token, one
 * concurrency limit (4 requests at once by default) and one rate budget (10 requests per second by
 * default, retries included); a 429 or 503 makes the whole client wait and slow down. Failures are
 * {@link CrestError}s with the HTTP status and the server's error body (`error.body`); ids are
 * percent-encoded.
 *
 * @example
 * ```ts
 * import { createCrestClient } from "crest-query";
 * import { createMockServer } from "crest-query/node";
 * const server = await createMockServer({ collections: { "managed/alpha_user": [{ _id: "1", userName: "bjensen" }] }, basePath: "/openidm" });
 * const client = createCrestClient({ baseUrl: new URL("/openidm", server.url) });
 * const users = client.resource<{ userName: string }>("managed/alpha_user");
 * const user = await users.read("1");
 * await users.patch("1", [{ operation: "replace", field: "/userName", value: "babs" }], { rev: user._rev });
 * await server.close();
 * ```
 */
export function createCrestClient(options: CrestClientOptions): CrestClient {
  const connection = new Connection(options);
  return {
    baseUrl: connection.base.href,
    resource: <T extends object = Record<string, unknown>>(path: string) => new Resource<T>(connection, path),
  };
}
