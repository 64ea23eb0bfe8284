import { CrestError } from "../query/crest-error.js";
import { applyPatch, validatePatch, type PatchTransform } from "../query/patch.js";
import { projectFields } from "../query/projection.js";
import type { QueryOptions, QueryResponse } from "../query/query-engine.js";
import type { QueryRequest } from "../query/query-params.js";
import { MemoryStore } from "../store/memory-store.js";
import type { CollectionStore, StoredResource } from "../store/store.js";
import { Authenticator, TOKEN_ENDPOINT_PATH, type CrestAuthOptions } from "./auth.js";
import { readBodyText } from "./body.js";
import { entityTags, protocolVersion, QUERY_ONLY, readParams, type RequestParams } from "./request.js";

/**
 * What a registered action receives.
 *
 * @example
 * ```ts
 * import type { ActionRequest } from "crest-query";
 * const describe = (r: ActionRequest) => `${r.action} on ${r.collection}${r.id === undefined ? "" : `/${r.id}`}`;
 * ```
 */
export interface ActionRequest {
  /** The action's name (`_action`). */
  readonly action: string;
  /** The collection's configured name, such as `managed/user`. */
  readonly collection: string;
  /** The resource id for a resource action; `undefined` on the collection. */
  readonly id: string | undefined;
  /** The JSON body, or `undefined` when the request had none. */
  readonly body: unknown;
  /** The request's parameters that are not reserved (`?owner=bjensen`). */
  readonly params: Readonly<Record<string, string>>;
  /** The collection's store, to read or change resources. */
  readonly store: CollectionStore;
  /** The request: method, URL and headers (its body is already read into `body`). */
  readonly request: Request;
}

/**
 * A registered action: returns the JSON to answer with (200), or `undefined` for 204 No Content.
 * Throw a `CrestError` to answer with its status.
 *
 * @example
 * ```ts
 * import type { CrestAction } from "crest-query";
 * const resetPassword: CrestAction = async ({ id, store }) => {
 *   const user = await store.read(id ?? "");
 *   if (user !== undefined) await store.update(user._id, { ...user, password: undefined }, { ifMatch: user._rev });
 * };
 * ```
 */
export type CrestAction = (request: ActionRequest) => unknown;

/**
 * Actions of one collection: on the collection (`POST .../managed/user?_action=NAME`) and on its
 * resources (`POST .../managed/user/ID?_action=NAME`).
 *
 * @example
 * ```ts
 * import type { CollectionActions } from "crest-query";
 * const actions: CollectionActions = { collection: { count: async ({ store }) => ({ count: (await store.query({ queryFilter: "true" })).resultCount }) } };
 * ```
 */
export interface CollectionActions {
  readonly collection?: Readonly<Record<string, CrestAction>>;
  readonly resource?: Readonly<Record<string, CrestAction>>;
}

/**
 * Options of {@link createCrestHandler}.
 *
 * @example
 * ```ts
 * import type { CrestHandlerOptions } from "crest-query";
 * const options: CrestHandlerOptions = {
 *   collections: { "managed/user": [{ _id: "bjensen", sn: "Jensen" }], "system/ldap/account": [] },
 *   basePath: "/openidm",
 * };
 * ```
 */
export interface CrestHandlerOptions {
  /**
   * Collections by name (one or more path segments: `managed/alpha_user`, `system/ldap/account`):
   * an array of resources (held in a {@link MemoryStore}) or any {@link CollectionStore}.
   */
  readonly collections: Readonly<Record<string, readonly unknown[] | CollectionStore>>;
  /** The path the collections live under (default `/openidm/managed`). */
  readonly basePath?: string;
  /** Options of the query engine for collections given as arrays (named queries, case, cookies). */
  readonly query?: QueryOptions;
  /** Registered actions by collection name; `clear` is built in. */
  readonly actions?: Readonly<Record<string, CollectionActions>>;
  /** Runs patch `transform` operations; without it they answer 501. */
  readonly transform?: PatchTransform;
  /** Refuse writes to existing resources without `If-Match` (428 Precondition Required). */
  readonly requireRevision?: boolean;
  /** Bearer-token authentication and the service-account token endpoint; off when absent. */
  readonly auth?: CrestAuthOptions;
  /** The clock, in milliseconds since 1970 (default `Date.now`): token expiry follows it. */
  readonly now?: () => number;
  /** The largest request body accepted (default 16 MiB); longer: 413. */
  readonly maxBodyBytes?: number;
}

/**
 * A CREST server as a function from a web-standard `Request` to a `Response`.
 *
 * @example
 * ```ts
 * import { createCrestHandler, type CrestHandler } from "crest-query";
 * const handler: CrestHandler = createCrestHandler({ collections: { user: [] } });
 * ```
 */
export type CrestHandler = (request: Request) => Promise<Response>;

interface Route {
  readonly name: string;
  readonly store: CollectionStore;
  readonly id: string | undefined;
  /** The collection's URL path as it should appear in a Location header (encoded). */
  readonly path: string;
}

interface Collection {
  readonly name: string;
  readonly store: CollectionStore;
  readonly path: string;
}

const CREST_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);
const OVERRIDES = new Set(["PUT", "PATCH", "DELETE"]);
const MAX_WRITE_ATTEMPTS = 1000;
const JSON_TYPE = "application/json; charset=UTF-8";

function segmentsOf(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function encodePath(segments: readonly string[]): string {
  return segments.map((segment) => encodeURIComponent(segment)).join("/");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function decodeSegments(pathname: string): string[] {
  const raw = pathname.split("/").slice(1);
  if (raw.length > 1 && raw[raw.length - 1] === "") raw.pop();
  return raw.map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw CrestError.badRequest(`Invalid percent-encoding in the path segment '${segment.slice(0, 80)}'`);
    }
  });
}

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
    /** The body's JSON text when known already (not pretty-printed, no projection). */
    readonly text?: string,
  ) {}
}

function etag(resource: StoredResource): Record<string, string> {
  return { etag: `"${resource._rev}"` };
}

/**
 * Create a CREST resource server as a web-standard handler: `(request: Request) => Promise<Response>`.
 * It runs wherever `fetch` does: under `node:http` (`createMockServer` in `crest-query/node`), inside
 * request interceptors such as MSW, in a service worker or an edge runtime.
 *
 * It answers queries (`_queryFilter`, `_queryId` named queries, paging, `_countOnly`), reads with
 * ETags and `If-None-Match` (304), creates (POST, or PUT with `If-None-Match: *`: 201 with `Location`),
 * updates and upserts (PUT), patches (all CREST operations, all or nothing), deletes, actions (`clear`
 * and registered ones), `If-Match` preconditions (412), `_fields` and `_prettyPrint` on every verb,
 * `X-HTTP-Method-Override`, and CREST error bodies for every failure. Collections are named by one or
 * more path segments; the longest configured name that prefixes the path wins.
 *
 * @example
 * ```ts
 * import { createCrestHandler } from "crest-query";
 * const handler = createCrestHandler({ collections: { "managed/user": [{ _id: "bjensen", sn: "Jensen" }] }, basePath: "/openidm" });
 * const response = await handler(new Request("http://localhost/openidm/managed/user/bjensen"));
 * response.status;               // 200
 * response.headers.get("etag");  // '"0"'
 * await response.json();         // { _id: "bjensen", _rev: "0", sn: "Jensen" }
 * ```
 */
export function createCrestHandler(options: CrestHandlerOptions): CrestHandler {
  return webHandler(createCrestCore(options));
}

/**
 * The web-standard handler over a server core.
 * @internal
 */
export function webHandler(core: (request: IncomingRequest) => Promise<OutgoingReply>): CrestHandler {
  return async (request: Request): Promise<Response> => {
    const reply = await core(incomingOf(request));
    return new Response(reply.body, { status: reply.status, headers: reply.headers });
  };
}

/**
 * A request as the server core reads it: the web `Request` and Node's `IncomingMessage` both fit,
 * so that the Node server need not build a `Request` for every request.
 * @internal
 */
export interface IncomingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  /** The body as UTF-8 text, at most `maxBytes` bytes (413 above, 400 for bytes that are not UTF-8). */
  readText(maxBytes: number): Promise<string>;
  /** A web `Request` with the method, URL and headers (and the body when `withBody`), for actions. */
  toRequest(withBody?: boolean): Request;
}

/**
 * What the server core answers: a status, headers and the body text (`null` for none).
 * @internal
 */
export interface OutgoingReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | null;
}

/**
 * The server behind {@link createCrestHandler}, on {@link IncomingRequest} and {@link OutgoingReply}.
 * @internal
 */
export function createCrestCore(options: CrestHandlerOptions): (request: IncomingRequest) => Promise<OutgoingReply> {
  const baseSegments = segmentsOf(options.basePath ?? "/openidm/managed");
  const basePath = baseSegments.length === 0 ? "" : `/${encodePath(baseSegments)}`;
  const collections = new Map<string, Collection>();
  let deepest = 0;
  for (const [name, source] of Object.entries(options.collections)) {
    const segments = segmentsOf(name);
    if (segments.length === 0) throw new TypeError(`The collection name '${name}' has no path segment`);
    const store = Array.isArray(source) ? new MemoryStore(source, { name, ...(options.query === undefined ? {} : { query: options.query }) }) : (source as CollectionStore);
    const key = segments.join("\u0000");
    if (collections.has(key)) throw new TypeError(`The collection '${name}' is configured twice`);
    collections.set(key, { name: segments.join("/"), store, path: `${basePath}/${encodePath(segments)}` });
    deepest = Math.max(deepest, segments.length);
  }
  const now = options.now ?? Date.now;
  const auth = options.auth === undefined ? undefined : new Authenticator(options.auth, now);
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;

  const route = (url: URL): Route => {
    const segments = decodeSegments(url.pathname);
    const notFound = () => CrestError.notFound(`Resource '${url.pathname}' not found`);
    if (baseSegments.some((segment, i) => segments[i] !== segment)) throw notFound();
    const rest = segments.slice(baseSegments.length);
    for (let length = Math.min(deepest, rest.length); length > 0; length--) {
      const head = rest.slice(0, length);
      if (head.some((segment) => segment.includes("/") || segment === "")) continue;
      const collection = collections.get(head.join("\u0000"));
      if (collection === undefined) continue;
      const tail = rest.slice(length);
      if (tail.length > 1 || tail[0] === "") throw notFound();
      return { ...collection, id: tail[0] };
    }
    throw notFound();
  };

  const readJson = async (request: IncomingRequest, required: boolean): Promise<unknown> => {
    const type = request.headers.get("content-type");
    const text = await request.readText(maxBodyBytes);
    if (text.trim() === "") {
      if (required) throw CrestError.badRequest("The request needs a JSON body");
      return undefined;
    }
    if (type !== null && !/^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test(type.trim())) {
      throw new CrestError(415, `The request body must be JSON (Content-Type: application/json), not ${type.slice(0, 80)}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw CrestError.badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
    }
  };

  const readObject = async (request: IncomingRequest): Promise<Record<string, unknown>> => {
    const body = await readJson(request, true);
    if (!isRecord(body)) throw CrestError.badRequest("The request body must be a JSON object");
    return body;
  };

  const resourceReply = (status: number, resource: StoredResource, params: RequestParams, store: CollectionStore, extraHeaders: Record<string, string> = {}): Reply => {
    const fields = params.query.fields ?? [];
    const headers = { ...etag(resource), ...extraHeaders };
    if (fields.length > 0) return new Reply(status, projectFields(resource, fields), headers);
    return new Reply(status, resource, headers, textOf(store, resource));
  };

  const query = async (request: IncomingRequest, target: Route, params: RequestParams): Promise<Reply> => {
    if (target.id !== undefined) throw CrestError.badRequest(`A query applies to a collection, not to the resource '${target.name}/${target.id}'`);
    if (params.query.queryExpression !== undefined) throw new CrestError(501, "_queryExpression is not supported: use _queryFilter or _queryId");
    if (params.query.queryFilter === undefined && params.query.queryId === undefined) {
      throw CrestError.badRequest("A query needs _queryFilter or _queryId (use _queryFilter=true for every resource)");
    }
    const extra = Object.keys(params.extra).length > 0 ? { extra: params.extra } : {};
    if (params.countOnly) {
      const version = protocolVersion(request.headers.get("accept-api-version"));
      if (version !== undefined && (version[0] < 2 || (version[0] === 2 && version[1] < 2))) {
        throw CrestError.badRequest(`_countOnly needs Accept-API-Version protocol=2.2 or later, not ${version.join(".")}`, { parameter: "_countOnly" });
      }
      const { queryFilter, queryId } = params.query;
      const counted = await target.store.query({
        ...(queryFilter === undefined ? {} : { queryFilter }),
        ...(queryId === undefined ? {} : { queryId }),
        ...extra,
        pageSize: 1,
        fields: [["_id"]],
        totalPagedResultsPolicy: "EXACT",
      });
      const body: QueryResponse<never> = {
        result: [],
        resultCount: 0,
        pagedResultsCookie: null,
        totalPagedResultsPolicy: "EXACT",
        totalPagedResults: counted.totalPagedResults,
        remainingPagedResults: -1,
      };
      return new Reply(200, body);
    }
    let queryRequest = queryRequests.get(params);
    if (queryRequest === undefined) {
      queryRequest = { ...params.query, ...extra };
      queryRequests.set(params, queryRequest);
    }
    const response = await target.store.query(queryRequest);
    let text = responseTexts.get(response);
    if (text === undefined) {
      text = queryText(target.store, response, queryRequest);
      if (text !== undefined) responseTexts.set(response, text);
    }
    return new Reply(200, response, {}, text);
  };

  const read = async (request: IncomingRequest, target: Route & { id: string }, params: RequestParams): Promise<Reply> => {
    if (request.headers.has("if-match")) throw new CrestError(412, "If-Match is not supported on a read; use If-None-Match");
    const resource = await target.store.read(target.id);
    if (resource === undefined) throw CrestError.notFound(`Resource '${target.name}/${target.id}' not found`);
    const noneMatch = entityTags(request.headers.get("if-none-match"), "If-None-Match");
    if (noneMatch === "*" || noneMatch?.includes(resource._rev) === true) return new Reply(304, undefined, etag(resource));
    return resourceReply(200, resource, params, target.store);
  };

  const location = (url: URL, target: Route, id: string) => ({ location: `${url.origin}${target.path}/${encodeURIComponent(id)}` });

  const create = async (request: IncomingRequest, url: URL, target: Route, params: RequestParams): Promise<Reply> => {
    if (request.headers.has("if-match")) throw CrestError.badRequest("If-Match does not apply to a create");
    const noneMatch = entityTags(request.headers.get("if-none-match"), "If-None-Match");
    if (noneMatch !== undefined && noneMatch !== "*") throw CrestError.badRequest("If-None-Match on a create must be *");
    const body = await readObject(request);
    const id = body._id;
    if (id !== undefined && (typeof id !== "string" || id === "")) throw CrestError.badRequest("The _id of a new resource must be a non-empty string");
    const created = await target.store.create(id, body);
    return resourceReply(201, created, params, target.store, location(url, target, created._id));
  };

  const put = async (request: IncomingRequest, url: URL, target: Route & { id: string }, params: RequestParams): Promise<Reply> => {
    const match = entityTags(request.headers.get("if-match"), "If-Match");
    const noneMatch = entityTags(request.headers.get("if-none-match"), "If-None-Match");
    if (match !== undefined && noneMatch !== undefined) throw new CrestError(412, "If-Match and If-None-Match cannot be used together");
    if (noneMatch !== undefined && noneMatch !== "*") throw CrestError.badRequest("If-None-Match on a PUT must be * (create only)");
    const ifMatch = singleRevision(match);
    const body = await readObject(request);
    const created = (resource: StoredResource) => resourceReply(201, resource, params, target.store, location(url, target, resource._id));
    if (noneMatch === "*") return created(await target.store.create(target.id, body));
    if (ifMatch !== undefined) return resourceReply(200, await target.store.update(target.id, body, { ifMatch }), params, target.store);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await target.store.read(target.id);
      if (current !== undefined && options.requireRevision === true) throw new CrestError(428, `Updating '${target.name}/${target.id}' needs If-Match with its revision`);
      try {
        if (current === undefined) return created(await target.store.create(target.id, body));
        return resourceReply(200, await target.store.update(target.id, body), params, target.store);
      } catch (error) {
        // Created or deleted by someone else meanwhile: look again.
        if (!(error instanceof CrestError) || (error.code !== 412 && error.code !== 404)) throw error;
      }
    }
    throw new CrestError(409, `Resource '${target.name}/${target.id}' changed too often to be written`);
  };

  const requireMatch = (match: string | undefined, target: Route & { id: string }) => {
    if (match === undefined && options.requireRevision === true) throw new CrestError(428, `Changing '${target.name}/${target.id}' needs If-Match with its revision`);
  };

  const patch = async (request: IncomingRequest, target: Route & { id: string }, params: RequestParams): Promise<Reply> => {
    if (request.headers.has("if-none-match")) throw CrestError.badRequest("If-None-Match does not apply to a patch");
    const ifMatch = singleRevision(entityTags(request.headers.get("if-match"), "If-Match"));
    requireMatch(ifMatch, target);
    const operations = validatePatch(await readJson(request, true));
    const patchOptions = options.transform === undefined ? {} : { transform: options.transform };
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const current = await target.store.read(target.id);
      if (current === undefined) throw CrestError.notFound(`Resource '${target.name}/${target.id}' not found`);
      if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== current._rev) {
        throw new CrestError(412, `Resource '${target.name}/${target.id}' has revision ${current._rev}, not ${ifMatch}`);
      }
      const changed = applyPatch(current, operations, patchOptions);
      try {
        return resourceReply(200, await target.store.update(target.id, changed, { ifMatch: current._rev }), params, target.store);
      } catch (error) {
        // Changed meanwhile by another writer: a caller that named no revision gets the patch applied
        // to the newer one, so that no write is lost; a caller that named one gets 412 on the next turn.
        if (!(error instanceof CrestError) || error.code !== 412) throw error;
      }
    }
    throw new CrestError(409, `Resource '${target.name}/${target.id}' changed too often to be patched`);
  };

  const remove = async (request: IncomingRequest, target: Route & { id: string }, params: RequestParams): Promise<Reply> => {
    if (request.headers.has("if-none-match")) throw CrestError.badRequest("If-None-Match does not apply to a delete");
    const ifMatch = singleRevision(entityTags(request.headers.get("if-match"), "If-Match"));
    requireMatch(ifMatch, target);
    const deleted = await target.store.delete(target.id, ifMatch === undefined ? {} : { ifMatch });
    return resourceReply(200, deleted, params, target.store);
  };

  const action = async (request: IncomingRequest, target: Route, params: RequestParams, name: string): Promise<Reply> => {
    const registered = options.actions?.[target.name];
    const table = target.id === undefined ? registered?.collection : registered?.resource;
    const run = table !== undefined && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
    const body = await readJson(request, false);
    if (run === undefined) {
      if (target.id === undefined && name === "clear") return new Reply(200, { cleared: await target.store.clear() });
      const where = target.id === undefined ? `collection '${target.name}'` : `resources of '${target.name}'`;
      throw new CrestError(501, `Action '${name}' is not supported on the ${where}`);
    }
    if (target.id !== undefined && (await target.store.read(target.id)) === undefined) throw CrestError.notFound(`Resource '${target.name}/${target.id}' not found`);
    const result = await run({ action: name, collection: target.name, id: target.id, body, params: params.extra, store: target.store, request: request.toRequest() });
    return result === undefined ? new Reply(204, undefined) : new Reply(200, result);
  };

  const dispatch = async (request: IncomingRequest, url: URL, method: string, params: RequestParams): Promise<Reply> => {
    const target = route(url);
    const isQuery = method === "GET" && (params.query.queryFilter !== undefined || params.query.queryId !== undefined || params.query.queryExpression !== undefined);
    if (!isQuery && method === "GET" && target.id === undefined) {
      throw CrestError.badRequest("A query needs _queryFilter or _queryId (use _queryFilter=true for every resource)");
    }
    if (!isQuery) {
      const misplaced = [...params.reserved].find((name) => QUERY_ONLY.has(name));
      if (misplaced !== undefined) throw CrestError.badRequest(`Parameter ${misplaced} applies to queries only`, { parameter: misplaced });
    }
    if (method !== "POST" && params.action !== undefined) throw CrestError.badRequest(`Parameter _action applies to POST only, not ${method}`, { parameter: "_action" });
    if (isQuery) return query(request, target, params);
    const id = target.id;
    if (id === undefined) {
      if (method === "GET") throw CrestError.badRequest("A query needs _queryFilter or _queryId (use _queryFilter=true for every resource)");
      if (method !== "POST") throw methodNotAllowed(method, `the collection '${target.name}'`, "GET, POST");
      if (params.action === undefined || params.action === "create") return create(request, url, target, params);
      return action(request, target, params, params.action);
    }
    const resource = { ...target, id };
    switch (method) {
      case "GET":
        return read(request, resource, params);
      case "PUT":
        return put(request, url, resource, params);
      case "PATCH":
        return patch(request, resource, params);
      case "DELETE":
        return remove(request, resource, params);
      default:
        if (params.action === undefined) throw CrestError.badRequest(`POST on the resource '${target.name}/${id}' needs an _action`, { parameter: "_action" });
        if (params.action === "create") throw CrestError.badRequest(`Create applies to the collection: POST to '${target.name}', or PUT to '${target.name}/${id}' with If-None-Match: *`);
        return action(request, resource, params, params.action);
    }
  };

  const paramsCache = new Map<string, RequestParams>();
  // One query request object per parameter set, so that a store can recognize a repeated query;
  // the JSON text of a response, for a store that answers a repeated query with the same object.
  const queryRequests = new WeakMap<RequestParams, QueryRequest>();
  const responseTexts = new WeakMap<QueryResponse<StoredResource>, string>();
  const paramsOf = (search: string): RequestParams => {
    let params = paramsCache.get(search);
    if (params === undefined) {
      params = readParams(search);
      if (paramsCache.size >= 256) paramsCache.delete(paramsCache.keys().next().value as string);
      paramsCache.set(search, params);
    }
    return params;
  };

  return async (request: IncomingRequest): Promise<OutgoingReply> => {
    let pretty = false;
    let head = false;
    try {
      const url = request.url;
      if (auth?.issuesTokens === true && url.pathname === TOKEN_ENDPOINT_PATH) {
        const response = await auth.tokenEndpoint(request.toRequest(true), url);
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name] = value;
        });
        return { status: response.status, headers, body: await response.text() };
      }
      const params = paramsOf(url.search);
      pretty = params.pretty;
      let method = request.method;
      const override = request.headers.get("x-http-method-override");
      if (override !== null) {
        const wanted = override.trim().toUpperCase();
        if (method !== "POST") throw CrestError.badRequest(`X-HTTP-Method-Override applies to POST only, not ${method}`, { header: "X-HTTP-Method-Override" });
        if (!OVERRIDES.has(wanted)) throw CrestError.badRequest(`X-HTTP-Method-Override must be PUT, PATCH or DELETE, not '${override.slice(0, 40)}'`, { header: "X-HTTP-Method-Override" });
        method = wanted;
      }
      if (!CREST_METHODS.has(method)) throw new CrestError(501, `Method ${method.slice(0, 40)} is not supported: use GET, POST, PUT, PATCH or DELETE`);
      head = method === "HEAD";
      auth?.check(request);
      const reply = await dispatch(request, url, head ? "GET" : method, params);
      return toReply(reply, pretty, head);
    } catch (error) {
      const crest = error instanceof CrestError ? error : new CrestError(500, "Internal error in the CREST server");
      const headers: Record<string, string> = {};
      if (crest.code === 401) headers["www-authenticate"] = 'Bearer realm="crest"';
      const allow = (crest.detail as { allow?: unknown } | undefined)?.allow;
      if (crest.code === 405 && typeof allow === "string") headers.allow = allow;
      return toReply(new Reply(crest.code, crest.toJSON(), headers), pretty, head);
    }
  };
}

/**
 * Wrap a web `Request` for the server core.
 * @internal
 */
function incomingOf(request: Request): IncomingRequest {
  return {
    method: request.method,
    url: new URL(request.url),
    headers: request.headers,
    readText: (maxBytes) => readBodyText(request, maxBytes),
    toRequest: () => request,
  };
}

function methodNotAllowed(method: string, where: string, allow: string): CrestError {
  return new CrestError(405, `Method ${method} is not allowed on ${where}: it takes ${allow}`, { detail: { allow } });
}

function singleRevision(tags: "*" | string[] | undefined): string | undefined {
  if (tags === undefined || tags === "*") return tags;
  if (tags.length !== 1) throw CrestError.badRequest("If-Match must name exactly one revision, or *", { header: "If-Match" });
  return tags[0];
}

/** The kept JSON text of a resource, when the store keeps it. */
function textOf(store: CollectionStore, resource: StoredResource): string | undefined {
  return store.textOf?.(resource);
}

/** The JSON text of a query response built from kept resource texts, when every one is kept. */
function queryText(store: CollectionStore, response: QueryResponse<StoredResource>, request: QueryRequest): string | undefined {
  if (store.textOf === undefined || (request.fields !== undefined && request.fields.length > 0) || request.queryId === "query-all-ids") return undefined;
  const texts: string[] = [];
  for (const resource of response.result) {
    const text = store.textOf(resource);
    if (text === undefined) return undefined;
    texts.push(text);
  }
  const { result: _result, ...rest } = response;
  const tail = JSON.stringify(rest);
  return `{"result":[${texts.join(",")}],${tail.slice(1)}`;
}

function toReply(reply: Reply, pretty: boolean, head: boolean): OutgoingReply {
  if (reply.body === undefined) return { status: reply.status, headers: reply.headers, body: null };
  const text = pretty ? JSON.stringify(reply.body, null, 2) : (reply.text ?? JSON.stringify(reply.body));
  return { status: reply.status, headers: { "content-type": JSON_TYPE, ...reply.headers }, body: head ? null : text };
}
