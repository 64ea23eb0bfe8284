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
 * Every method fails with a `CrestError`: 404 when the resource is missing, 412 when `ifMatch` names
 * another revision (nothing is changed then), 412 when `create` finds the id taken, 400 for a bad
 * query. Writes are atomic: a concurrent writer holding the same revision loses with 412.
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
  /** The resource with this id, or `undefined`. */
  read(id: string): Promise<StoredResource | undefined>;
  /** Store a new resource under `id` (the store picks one when `undefined`); 412 if the id is taken. */
  create(id: string | undefined, content: Readonly<Record<string, unknown>>): Promise<StoredResource>;
  /** Replace a resource's content (its `_id`/`_rev` in `content` are ignored) and give it a new revision. */
  update(id: string, content: Readonly<Record<string, unknown>>, options?: WriteOptions): Promise<StoredResource>;
  /** Remove a resource and return it as it was. */
  delete(id: string, options?: WriteOptions): Promise<StoredResource>;
  /** Answer a CREST query (filter, sort, paging, counts, `_fields`) over the collection. */
  query(request: QueryRequest): Promise<QueryResponse<StoredResource>>;
  /** Remove every resource; returns how many there were. */
  clear(): Promise<number>;
}
