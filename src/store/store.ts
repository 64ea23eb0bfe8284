import type { QueryRequest } from "../query/query-params.js";
import type { QueryResponse } from "../query/query-engine.js";

/**
 * A stored resource: a JSON object with its id and revision. Stores own `_id` and `_rev`; the other
 * properties are the caller's.
 *
 * @example
 * ```ts
 * import type { StoredResource } from "crest-query";
 * const user: StoredResource = { _id: "bjensen", _rev: "0", sn: "Jensen" };
 * ```
 */
export interface StoredResource {
  readonly _id: string;
  readonly _rev: string;
  readonly [property: string]: unknown;
}

/**
 * Options of a write: the revision the caller expects (`If-Match`); `"*"` or absent means any.
 *
 * @example
 * ```ts
 * import type { WriteOptions } from "crest-query";
 * const options: WriteOptions = { ifMatch: "3" };
 * ```
 */
export interface WriteOptions {
  readonly ifMatch?: string;
}

/**
 * One collection of resources behind the CREST resource server: the in-memory store and the
 * PostgreSQL store both implement it, so the server answers the same way over either.
 *
 * The contract every implementation keeps:
 * - Ids are case-sensitive, non-empty strings. Every stored resource carries its `_id` and a `_rev`
 *   (a string that changes on every write; the memory store counts up from `"0"`).
 * - Failures are `CrestError`s: 404 when the resource is missing, 412 when `ifMatch` names another
 *   revision or `create` finds the id taken, 400 for a bad query. A failed write changes nothing.
 * - Each write is atomic with its revision check: of two writers holding the same revision exactly
 *   one succeeds, and the other gets 412. The server builds patches and upserts on this (read, then
 *   write with `ifMatch` set to the revision read, again on 412), so a store needs no patch method.
 * - Returned resources are not changed later by the store (callers may keep them); callers do not
 *   change them either.
 *
 * @example
 * ```ts
 * import type { CollectionStore } from "crest-query";
 * async function rename(store: CollectionStore, id: string, sn: string) {
 *   const current = await store.read(id);
 *   if (current === undefined) return undefined;
 *   return store.update(id, { ...current, sn }, { ifMatch: current._rev });
 * }
 * ```
 */
export interface CollectionStore {
  /** The resource with this id, or `undefined` when there is none. Never fails for a missing id. */
  read(id: string): Promise<StoredResource | undefined>;
  /**
   * Store a new resource under `id` (the store picks a unique one, such as a UUID, when `undefined`)
   * with a first revision; `_id`/`_rev` in `content` are ignored. 412 if the id is taken.
   */
  create(id: string | undefined, content: Readonly<Record<string, unknown>>): Promise<StoredResource>;
  /**
   * Replace a resource's content (its `_id`/`_rev` in `content` are ignored) and give it a new
   * revision. 404 if missing; 412 if `options.ifMatch` is given, not `"*"`, and not the current revision.
   */
  update(id: string, content: Readonly<Record<string, unknown>>, options?: WriteOptions): Promise<StoredResource>;
  /** Remove a resource and return it as it was. 404 if missing; 412 as for `update`. */
  delete(id: string, options?: WriteOptions): Promise<StoredResource>;
  /**
   * Answer a CREST query (filter or `queryId` with `extra` parameters, sort, paging with cookies
   * bound to the query, counts, `_fields`) over the collection; 400 naming the parameter when bad.
   */
  query(request: QueryRequest): Promise<QueryResponse<StoredResource>>;
  /** Remove every resource; returns how many there were. */
  clear(): Promise<number>;
  /**
   * Optional: the JSON text of a resource this store returned (exactly `JSON.stringify` of it), so
   * that the server can answer without serializing it again; `undefined` when not known.
   */
  textOf?(resource: StoredResource): string | undefined;
}
