import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { readCollectionFile } from "./collection-file.js";
import { CrestError, reasonPhrase } from "../query/crest-error.js";
import { projectFields } from "../query/projection.js";
import { QueryCache, queryCollection, type QueryOptions } from "../query/query-engine.js";
import { parseQueryParams } from "../query/query-params.js";

/**
 * A request the mock server received, for assertions.
 *
 * @example
 * ```ts
 * import type { RecordedRequest } from "crest-query";
 * const isQuery = (r: RecordedRequest) => r.url.includes("_queryFilter=");
 * ```
 */
export interface RecordedRequest {
  /** 1 for the first request the server received. */
  readonly index: number;
  readonly method: string;
  /** The path and query, as sent. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/**
 * A failure to inject, for testing clients: an error status (with `Retry-After` as seconds or a
 * date), a delay, a dropped connection, or a body cut off half way.
 *
 * @example
 * ```ts
 * import type { Fault } from "crest-query";
 * const faults: Fault[] = [
 *   { on: 1, status: 429, retryAfter: 2 },
 *   { on: (r) => r.url.includes("_pagedResultsCookie"), status: 503, times: 2 },
 *   { on: 5, drop: true },
 * ];
 * ```
 */
export interface Fault {
  /** Which requests: the request number (1-based), or a test. Default: every request. */
  readonly on?: number | ((request: RecordedRequest) => boolean);
  /** How many matching requests fail (default: 1 when `on` is a number, else all). */
  readonly times?: number;
  /** Answer with this status and a CREST error body. */
  readonly status?: number;
  /** `Retry-After`: seconds, or a date (sent as an HTTP date). */
  readonly retryAfter?: number | Date;
  /** Wait this long before answering (or failing). */
  readonly delayMs?: number;
  /** Close the connection without answering. */
  readonly drop?: boolean;
  /** Send the headers and half of the body, then close the connection. */
  readonly truncate?: boolean;
}

/**
 * Options of {@link createMockServer}.
 *
 * @example
 * ```ts
 * import type { MockServerOptions } from "crest-query";
 * const options: MockServerOptions = { collections: { user: "examples/users.json" }, basePath: "/openidm/managed" };
 * ```
 */
export interface MockServerOptions {
  /** Collections by name: an array of resources, or the path of a JSON file holding an array or `{ result: [...] }`. */
  readonly collections: Readonly<Record<string, readonly unknown[] | string>>;
  /** Where the collections live (default `/openidm/managed`): `GET {basePath}/{name}?_queryFilter=...`. */
  readonly basePath?: string;
  /** Failures to inject: a list (each fault used as many times as it says), or a function of the request. */
  readonly faults?: readonly Fault[] | ((request: RecordedRequest) => Fault | undefined);
  /** Options of the query engine (case sensitivity, extended operators, named queries...). */
  readonly query?: QueryOptions;
  /** The port (default 0: any free one). It always listens on 127.0.0.1. */
  readonly port?: number;
}

/**
 * A running mock CREST server.
 *
 * @example
 * ```ts
 * import { createMockServer, type MockServer } from "crest-query";
 * const server: MockServer = await createMockServer({ collections: { user: [{ _id: "1" }] } });
 * console.log(server.url); // http://127.0.0.1:PORT/openidm/managed
 * await server.close();
 * ```
 */
export interface MockServer {
  /** The base URL of the collections: `${url}/user` is the `user` collection. */
  readonly url: string;
  readonly port: number;
  /** Every request received so far. */
  readonly requests: readonly RecordedRequest[];
  /** Stop listening and drop open connections. */
  close(): Promise<void>;
}

function loadCollection(name: string, source: readonly unknown[] | string): readonly unknown[] {
  if (typeof source !== "string") return source;
  try {
    return readCollectionFile(source);
  } catch (error) {
    throw new TypeError(`Collection "${name}": ${(error as Error).message}`);
  }
}

// From the raw headers, so that a header named like an Object.prototype member (which Node's own
// req.headers drops) is recorded as sent, as a plain own property.
function recordHeaders(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    const previous = Object.prototype.hasOwnProperty.call(headers, name) ? headers[name] : undefined;
    Object.defineProperty(headers, name, { value: previous === undefined ? value : `${previous}, ${value}`, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

function send(res: ServerResponse, status: number, body: unknown, pretty: boolean, headers: Record<string, string> = {}): void {
  const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: CrestError, pretty: boolean, headers: Record<string, string> = {}): void {
  send(res, error.code, error.toJSON(), pretty, headers);
}


/**
 * Start a mock CREST server on 127.0.0.1 (port 0 by default) serving collections for tests and
 * demos: `GET {basePath}/{collection}?_queryFilter=...` answers with the query engine,
 * `GET {basePath}/{collection}/{id}` reads one resource (404 with a CREST error body when missing),
 * `_prettyPrint=true` indents, and bad requests get CREST errors. A fault plan makes chosen
 * requests fail (429 with `Retry-After`, 502/503/504, delays, dropped connections, truncated bodies).
 *
 * @example
 * ```ts
 * import { createMockServer, queryAll } from "crest-query";
 * const server = await createMockServer({ collections: { user: [{ _id: "1", sn: "Jensen" }, { _id: "2", sn: "Nowak" }] } });
 * try {
 *   for await (const user of queryAll(`${server.url}/user`, { filter: "/sn sw 'J'" })) console.log(user);
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export async function createMockServer(options: MockServerOptions): Promise<MockServer> {
  const basePath = `/${(options.basePath ?? "/openidm/managed").replace(/^\/+|\/+$/g, "")}`.replace(/^\/$/, "");
  const collections = new Map<string, readonly unknown[]>();
  for (const [name, source] of Object.entries(options.collections)) collections.set(name, loadCollection(name, source));
  const queryOptions: QueryOptions = { cache: new QueryCache(), ...options.query };
  const requests: RecordedRequest[] = [];
  const used = new Map<Fault, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  // Delays end early when the server closes, so no timer outlives it.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (timers.delete(entry), resolve()), ms), resolve };
      timers.add(entry);
    });

  const faultFor = (request: RecordedRequest): Fault | undefined => {
    if (typeof options.faults === "function") return options.faults(request);
    for (const fault of options.faults ?? []) {
      const matches = fault.on === undefined || (typeof fault.on === "number" ? fault.on === request.index : fault.on(request));
      const limit = fault.times ?? (typeof fault.on === "number" ? 1 : Number.POSITIVE_INFINITY);
      if (matches && (used.get(fault) ?? 0) < limit) {
        used.set(fault, (used.get(fault) ?? 0) + 1);
        return fault;
      }
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const record: RecordedRequest = { index: requests.length + 1, method: req.method ?? "GET", url: req.url ?? "/", headers: recordHeaders(req.rawHeaders) };
    requests.push(record);
    const fault = faultFor(record);
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
    if (req.socket.destroyed) return;
    if (fault?.drop === true) {
      req.socket.destroy();
      return;
    }
    const rawQuery = record.url.includes("?") ? record.url.slice(record.url.indexOf("?") + 1) : "";
    const pretty = /(^|&)_prettyPrint=true(&|$)/i.test(rawQuery);
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers["retry-after"] = typeof fault.retryAfter === "number" ? String(fault.retryAfter) : fault.retryAfter.toUTCString();
      sendError(res, new CrestError(fault.status, `Injected failure: ${reasonPhrase(fault.status)}`), pretty, headers);
      return;
    }
    let status = 200;
    let body: unknown;
    try {
      body = answer(record, rawQuery);
    } catch (error) {
      const crest = error instanceof CrestError ? error : new CrestError(500, "Internal error in the mock server");
      status = crest.code;
      body = crest.toJSON();
    }
    if (fault?.truncate === true) {
      const text = JSON.stringify(body);
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      setTimeout(() => req.socket.destroy(), 5);
      return;
    }
    send(res, status, body, pretty);
  };

  const answer = (request: RecordedRequest, rawQuery: string): unknown => {
    if (request.method !== "GET" && request.method !== "HEAD") throw new CrestError(405, `Method ${request.method} is not supported by the mock server: it serves GET only`);
    const path = request.url.split("?")[0] ?? "/";
    if (basePath !== "" && path !== basePath && !path.startsWith(`${basePath}/`)) throw CrestError.notFound(`Resource '${path}' not found`);
    const rest = path.slice(basePath.length).replace(/^\/+|\/+$/g, "");
    const [name = "", ...idParts] = rest.split("/").map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        throw CrestError.badRequest(`Invalid percent-encoding in path '${path}'`);
      }
    });
    const collection = collections.get(name);
    if (collection === undefined) throw CrestError.notFound(`Resource '${path}' not found`);
    const params = parseQueryParams(rawQuery);
    if (idParts.length === 0) return queryCollection(collection, params, queryOptions);
    const id = idParts.join("/");
    const found = collection.find((r) => typeof r === "object" && r !== null && (r as { _id?: unknown })._id === id);
    if (found === undefined) throw CrestError.notFound(`Resource '${name}/${id}' not found`);
    return params.fields === undefined ? found : projectFields(found, params.fields);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendError(res, new CrestError(500, "Internal error in the mock server"), false);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const { timer, resolve: wake } of timers) {
          clearTimeout(timer);
          wake();
        }
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
