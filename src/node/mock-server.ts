import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { readCollectionFile } from "./collection-file.js";
import { Persister, readPersistFile } from "./persist.js";
import { CrestError, reasonPhrase } from "../query/crest-error.js";
import { createCrestCore, webHandler, type CrestHandler, type CrestHandlerOptions, type IncomingRequest } from "../server/handler.js";
import { TOKEN_ENDPOINT_PATH } from "../server/auth.js";
import { MemoryStore } from "../store/memory-store.js";
import type { CollectionStore } from "../store/store.js";

/**
 * A request the mock server received, for assertions.
 *
 * @example
 * ```ts
 * import type { RecordedRequest } from "crest-query/node";
 * const isQuery = (r: RecordedRequest) => r.url.includes("_queryFilter=");
 * ```
 */
export interface RecordedRequest {
  /** 1 for the first request the server received (counting on past the log's size). */
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
 * import type { Fault } from "crest-query/node";
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
 * Options of {@link createMockServer}: those of `createCrestHandler`, with collections that may
 * also be JSON files, plus the listening address, faults, the request log and persistence.
 *
 * @example
 * ```ts
 * import type { MockServerOptions } from "crest-query/node";
 * const options: MockServerOptions = { collections: { "managed/user": "examples/users.json" }, basePath: "/openidm", persist: "/tmp/crest-data.json" };
 * ```
 */
export interface MockServerOptions extends Omit<CrestHandlerOptions, "collections"> {
  /**
   * Collections by name (`user`, `managed/alpha_user`, `system/ldap/account`): an array of resources,
   * the path of a JSON file holding an array or `{ result: [...] }`, or a store.
   */
  readonly collections: Readonly<Record<string, readonly unknown[] | string | CollectionStore>>;
  /** Failures to inject: a list (each fault used as many times as it says), or a function of the request. */
  readonly faults?: readonly Fault[] | ((request: RecordedRequest) => Fault | undefined);
  /** The port (default 0: any free one). */
  readonly port?: number;
  /** The address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /**
   * How many of the latest requests `requests` keeps (a ring; default 10,000; 0 keeps none).
   */
  readonly recordRequests?: number;
  /**
   * A JSON file the in-memory collections are saved to after every change (atomically: a temporary
   * file renamed over it) and read back from on start, where it wins over `collections`' data.
   */
  readonly persist?: string;
}

/**
 * A running mock CREST server.
 *
 * @example
 * ```ts
 * import { createMockServer, type MockServer } from "crest-query/node";
 * const server: MockServer = await createMockServer({ collections: { user: [{ _id: "1" }] } });
 * console.log(server.url); // http://127.0.0.1:PORT/openidm/managed
 * await server.close();
 * ```
 */
export interface MockServer {
  /** The base URL of the collections: `${url}/user` is the `user` collection. */
  readonly url: string;
  readonly port: number;
  /** The token endpoint's URL when service accounts are configured, else `undefined`. */
  readonly tokenEndpoint: string | undefined;
  /** The latest requests received (at most `recordRequests`), oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** The web-standard handler behind the server. */
  readonly handler: CrestHandler;
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

/** The latest requests, in a ring of fixed size. */
class RequestLog {
  private readonly ring: RecordedRequest[] = [];
  private next = 0;
  count = 0;

  constructor(private readonly size: number) {}

  add(record: RecordedRequest): void {
    this.count++;
    if (this.size === 0) return;
    if (this.ring.length < this.size) this.ring.push(record);
    else this.ring[this.next] = record;
    this.next = (this.next + 1) % this.size;
  }

  list(): RecordedRequest[] {
    return this.ring.length < this.size ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The request target as WHATWG URL parsing reads it: an origin-form target (`/path?query`) is
 * appended to the origin (so `//x` stays a path), any other form is parsed as an absolute URL.
 */
function targetUrl(target: string, origin: string): URL | undefined {
  try {
    return target.startsWith("/") ? new URL(`${origin}${target}`) : new URL(target);
  } catch {
    return undefined;
  }
}

const origins = new Map<string, string | undefined>();

/** The origin a Host header names (remembered: clients send the same few), or `fallback`. */
function originOf(host: string | undefined, fallback: string): string {
  if (host === undefined || host === "") return fallback;
  let origin = origins.get(host);
  if (origin === undefined && !origins.has(host)) {
    try {
      origin = /[/\\@?#\s]/.test(host) ? undefined : new URL(`http://${host}`).origin;
    } catch {
      origin = undefined;
    }
    if (origins.size >= 64) origins.delete(origins.keys().next().value as string);
    origins.set(host, origin);
  }
  return origin ?? fallback;
}

function webRequest(req: IncomingMessage, url: URL, withBody: boolean): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
    } catch {
      // A header undici refuses (bytes it rejects) is not one CREST reads.
    }
  }
  const method = req.method ?? "GET";
  if (!withBody || method === "GET" || method === "HEAD") return new Request(url, { method, headers });
  return new Request(url, { method, headers, body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } as RequestInit);
}

/** The body of a request as UTF-8 text, at most `maxBytes` bytes; the rest of a longer one is discarded. */
function readText(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    req.resume();
    return Promise.reject(new CrestError(413, `The request body is ${declared} bytes; at most ${maxBytes} are accepted`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        req.off("data", onData);
        req.resume();
        reject(new CrestError(413, `The request body is longer than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("error", reject);
    req.once("end", () => {
      if (total > maxBytes) return;
      try {
        resolve(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks)));
      } catch {
        reject(CrestError.badRequest("The request body is not valid UTF-8"));
      }
    });
  });
}

function incomingOf(req: IncomingMessage, url: URL): IncomingRequest {
  const header = (name: string): string | null => {
    const value = req.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
  return {
    method: req.method ?? "GET",
    url,
    headers: { get: header, has: (name) => req.headers[name] !== undefined },
    readText: (maxBytes) => readText(req, maxBytes),
    toRequest: (withBody = false) => webRequest(req, url, withBody),
  };
}

/**
 * Start a mock CREST server for tests and demos: the web-standard handler of `createCrestHandler`
 * on `node:http`, on 127.0.0.1 and port 0 unless told otherwise. It answers every CREST verb
 * (queries, read, create, update, patch, delete, actions), optional bearer-token auth with a
 * service-account token endpoint, and optional persistence to a JSON file. A fault plan makes chosen
 * requests fail (429 with `Retry-After`, 502/503/504, delays, dropped connections, truncated bodies),
 * and the latest requests are kept for assertions.
 *
 * @example
 * ```ts
 * import { queryAll } from "crest-query";
 * import { createMockServer } from "crest-query/node";
 * const server = await createMockServer({ collections: { user: [{ _id: "1", sn: "Jensen" }, { _id: "2", sn: "Nowak" }] } });
 * try {
 *   for await (const user of queryAll(`${server.url}/user`, { filter: "/sn sw 'J'" })) console.log(user);
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export async function createMockServer(options: MockServerOptions): Promise<MockServer> {
  const { collections: sources, faults, port: wantedPort, host = "127.0.0.1", recordRequests = 10_000, persist, ...handlerOptions } = options;
  if (!Number.isSafeInteger(recordRequests) || recordRequests < 0) throw new TypeError(`recordRequests must be a non-negative integer, not ${String(recordRequests)}`);
  const saved = persist === undefined ? undefined : readPersistFile(persist);
  const memory = new Map<string, MemoryStore>();
  let persister: Persister | undefined;
  const onChange = () => persister?.save();
  const collections: Record<string, CollectionStore> = {};
  for (const [name, source] of Object.entries(sources)) {
    let store: CollectionStore;
    if (typeof source === "string" || Array.isArray(source)) {
      const resources = saved !== undefined && Object.prototype.hasOwnProperty.call(saved, name) ? (saved[name] as unknown[]) : loadCollection(name, source as readonly unknown[] | string);
      const memoryStore = new MemoryStore(resources, { name, onChange, ...(handlerOptions.query === undefined ? {} : { query: handlerOptions.query }) });
      memory.set(name, memoryStore);
      store = memoryStore;
    } else {
      store = source as CollectionStore;
    }
    Object.defineProperty(collections, name, { value: store, enumerable: true, writable: true, configurable: true });
  }
  if (persist !== undefined) {
    // Collections the file holds but this server does not serve are written back unchanged.
    const carried = Object.entries(saved ?? {}).filter(([name]) => !memory.has(name));
    persister = new Persister(persist, () => {
      const parts: string[] = [];
      for (const [name, store] of memory) parts.push(`${JSON.stringify(name)}:[${store.resources().map((r) => store.textOf(r) ?? JSON.stringify(r)).join(",")}]`);
      for (const [name, resources] of carried) parts.push(`${JSON.stringify(name)}:${JSON.stringify(resources)}`);
      return `{"collections":{${parts.join(",")}}}\n`;
    });
    if (saved === undefined) await persister.save();
  }
  const core = createCrestCore({ ...handlerOptions, collections });
  const handler = webHandler(core);

  const log = new RequestLog(recordRequests);
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
    if (typeof faults === "function") return faults(request);
    for (const fault of faults ?? []) {
      const matches = fault.on === undefined || (typeof fault.on === "number" ? fault.on === request.index : fault.on(request));
      const limit = fault.times ?? (typeof fault.on === "number" ? 1 : Number.POSITIVE_INFINITY);
      if (matches && (used.get(fault) ?? 0) < limit) {
        used.set(fault, (used.get(fault) ?? 0) + 1);
        return fault;
      }
    }
    return undefined;
  };

  let origin = "";
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? "/";
    const index = log.count + 1;
    const record: RecordedRequest | undefined =
      recordRequests > 0 || faults !== undefined ? { index, method: req.method ?? "GET", url: target, headers: recordHeaders(req.rawHeaders) } : undefined;
    if (record !== undefined) log.add(record);
    else log.count++;
    const fault = record === undefined ? undefined : faultFor(record);
    if (fault?.delayMs !== undefined) await sleep(fault.delayMs);
    if (req.socket.destroyed) return;
    if (fault?.drop === true) {
      req.socket.destroy();
      return;
    }
    const url = targetUrl(target, originOf(req.headers.host, origin));
    if (url === undefined) {
      sendJson(res, 400, CrestError.badRequest("The request target is not a valid URL").toJSON());
      return;
    }
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers["retry-after"] = typeof fault.retryAfter === "number" ? String(fault.retryAfter) : fault.retryAfter.toUTCString();
      const pretty = /(^|&)_prettyPrint=true(&|$)/i.test(url.search.slice(1));
      const body = new CrestError(fault.status, `Injected failure: ${reasonPhrase(fault.status)}`).toJSON();
      const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
      res.writeHead(fault.status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text), ...headers });
      res.end(text);
      return;
    }
    const reply = await core(incomingOf(req, url));
    const headers: Record<string, string | number> = reply.headers;
    if (reply.body !== null) headers["content-length"] = Buffer.byteLength(reply.body);
    res.writeHead(reply.status, headers);
    if (fault?.truncate === true && reply.body !== null) {
      const body = Buffer.from(reply.body);
      res.write(body.subarray(0, Math.floor(body.byteLength / 2)));
      setTimeout(() => req.socket.destroy(), 5);
      return;
    }
    res.end(reply.body ?? undefined);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, new CrestError(500, "Internal error in the mock server").toJSON());
      else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(wantedPort ?? 0, host, () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  origin = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  const basePath = (options.basePath ?? "/openidm/managed").split("/").filter((s) => s !== "").map(encodeURIComponent).join("/");
  return {
    url: `${origin}${basePath === "" ? "" : `/${basePath}`}`,
    port,
    tokenEndpoint: Object.keys(options.auth?.serviceAccounts ?? {}).length > 0 ? `${origin}${TOKEN_ENDPOINT_PATH}` : undefined,
    get requests() {
      return log.list();
    },
    handler,
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
