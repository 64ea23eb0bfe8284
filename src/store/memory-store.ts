import { CrestError } from "../query/crest-error.js";
import { QueryCache, queryCollection, type QueryOptions, type QueryResponse } from "../query/query-engine.js";
import type { QueryRequest } from "../query/query-params.js";
import type { CollectionStore, StoredResource, WriteOptions } from "./store.js";

/**
 * Options of {@link MemoryStore}.
 *
 * @example
 * ```ts
 * import type { MemoryStoreOptions } from "crest-query";
 * const options: MemoryStoreOptions = { name: "managed/user", query: { caseSensitive: false }, onChange: () => console.log("changed") };
 * ```
 */
export interface MemoryStoreOptions {
  /** The collection's name, for error messages (`Resource 'managed/user/x' not found`). */
  readonly name?: string;
  /** Options of the query engine (named queries, case sensitivity, cache, cookie secret). */
  readonly query?: QueryOptions;
  /** Picks ids for creates without one (default `crypto.randomUUID`). */
  readonly newId?: () => string;
  /**
   * Called after every change (create, update, delete, clear), before the write's promise
   * resolves; a rejection fails the write's promise (the change stays made).
   */
  readonly onChange?: () => void | Promise<void>;
}

interface Entry {
  readonly resource: StoredResource;
  /** The resource's JSON text, kept so that responses need not serialize it again. */
  readonly text: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function freeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) freeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

function nextRevision(rev: string): string {
  if (/^[0-9]{1,15}$/.test(rev)) return String(Number(rev) + 1);
  return rev === "0" ? "1" : "0";
}

/**
 * A collection held in memory: the store behind the mock server. Resources are kept frozen with
 * their JSON text; revisions start at `"0"` and count up by one per change. Every method is
 * atomic (it runs to completion before another starts), so of two writers holding the same
 * revision exactly one succeeds.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "crest-query";
 * const store = new MemoryStore([{ _id: "bjensen", sn: "Jensen" }]);
 * const created = await store.create(undefined, { sn: "Nowak" }); // { _id: "<uuid>", _rev: "0", sn: "Nowak" }
 * await store.update("bjensen", { sn: "Jensen-Smith" }, { ifMatch: "0" }); // _rev "1"
 * await store.delete(created._id);
 * ```
 */
export class MemoryStore implements CollectionStore {
  private readonly entries = new Map<string, Entry>();
  private list: StoredResource[] | undefined;
  private readonly answers = new WeakMap<QueryRequest, { readonly list: readonly StoredResource[]; readonly response: QueryResponse<StoredResource> }>();
  private readonly name: string;
  private readonly queryOptions: QueryOptions;
  private readonly newId: () => string;
  private readonly onChange: (() => void | Promise<void>) | undefined;

  /**
   * @param resources - The initial resources: JSON objects; `_id` (a string) is kept or picked,
   * `_rev` (a string) is kept or `"0"`.
   * @throws TypeError for an entry that is not an object, a non-string `_id` or `_rev`, or an id given twice.
   */
  constructor(resources: readonly unknown[] = [], options: MemoryStoreOptions = {}) {
    this.name = options.name ?? "collection";
    this.queryOptions = { ...options.query, cache: options.query?.cache ?? new QueryCache() };
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.onChange = options.onChange;
    resources.forEach((resource, index) => {
      if (!isRecord(resource)) throw new TypeError(`${this.name}: the resource at index ${index} is not a JSON object`);
      const { _id: id, _rev: rev } = resource;
      if (id !== undefined && (typeof id !== "string" || id === "")) throw new TypeError(`${this.name}: the resource at index ${index} has an _id that is not a non-empty string`);
      if (rev !== undefined && typeof rev !== "string") throw new TypeError(`${this.name}: the resource at index ${index} has a _rev that is not a string`);
      const key = id ?? this.newId();
      if (this.entries.has(key)) throw new TypeError(`${this.name}: the id '${key}' is given twice (at index ${index})`);
      this.put(key, rev ?? "0", resource);
    });
  }

  private put(id: string, rev: string, content: Readonly<Record<string, unknown>>): StoredResource {
    const resource: Record<string, unknown> = { _id: id, _rev: rev };
    for (const key of Object.keys(content)) {
      if (key === "_id" || key === "_rev") continue;
      Object.defineProperty(resource, key, { value: content[key], enumerable: true, writable: true, configurable: true });
    }
    const text = JSON.stringify(resource);
    // A private deep copy, so that later changes to the caller's objects do not reach the store.
    const stored = freeze(JSON.parse(text) as StoredResource);
    this.entries.set(id, { resource: stored, text });
    this.list = undefined;
    return stored;
  }

  private current(id: string, options: WriteOptions | undefined): Entry {
    const entry = this.entries.get(id);
    if (entry === undefined) throw CrestError.notFound(`Resource '${this.name}/${id}' not found`);
    const expected = options?.ifMatch;
    if (expected !== undefined && expected !== "*" && expected !== entry.resource._rev) {
      throw new CrestError(412, `Resource '${this.name}/${id}' has revision ${entry.resource._rev}, not ${expected}`);
    }
    return entry;
  }

  private async changed<T>(value: T): Promise<T> {
    if (this.onChange !== undefined) await this.onChange();
    return value;
  }

  /** The number of resources. */
  get size(): number {
    return this.entries.size;
  }

  /** Every resource, in insertion order (the same array until the next change). */
  resources(): readonly StoredResource[] {
    this.list ??= [...this.entries.values()].map((entry) => entry.resource);
    return this.list;
  }

  /** The JSON text of a resource this store handed out (`undefined` for any other object). */
  textOf(resource: StoredResource): string | undefined {
    const entry = this.entries.get(resource._id);
    return entry !== undefined && entry.resource === resource ? entry.text : undefined;
  }

  async read(id: string): Promise<StoredResource | undefined> {
    return this.entries.get(id)?.resource;
  }

  async create(id: string | undefined, content: Readonly<Record<string, unknown>>): Promise<StoredResource> {
    const key = id ?? this.newId();
    if (this.entries.has(key)) throw new CrestError(412, `Resource '${this.name}/${key}' already exists`);
    return this.changed(this.put(key, "0", content));
  }

  async update(id: string, content: Readonly<Record<string, unknown>>, options?: WriteOptions): Promise<StoredResource> {
    const entry = this.current(id, options);
    return this.changed(this.put(id, nextRevision(entry.resource._rev), content));
  }

  async delete(id: string, options?: WriteOptions): Promise<StoredResource> {
    const entry = this.current(id, options);
    this.entries.delete(id);
    this.list = undefined;
    return this.changed(entry.resource);
  }

  async query(request: QueryRequest): Promise<QueryResponse<StoredResource>> {
    const list = this.resources();
    // The same request object over unchanged data has the same answer (filters are pure; named
    // queries may not be, so they always run).
    const memoized = request.queryId === undefined ? this.answers.get(request) : undefined;
    if (memoized !== undefined && memoized.list === list) return memoized.response;
    const response = queryCollection(list, request, this.queryOptions);
    if (request.queryId === undefined) this.answers.set(request, { list, response });
    return response;
  }

  async clear(): Promise<number> {
    const count = this.entries.size;
    this.entries.clear();
    this.list = undefined;
    return this.changed(count);
  }
}
