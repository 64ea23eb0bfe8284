import type { Filter, Pointer } from "../language/ast.js";
import { formatFilter } from "../language/writer.js";
import { CrestError } from "../query/crest-error.js";

/** What a bulk run needs of a collection: its queries and reads (a `CrestResource` is one). */
export interface BulkSource<R> {
  readonly url: string;
  query(filter: Filter | string, options: { readonly pageSize: number; readonly fields?: readonly (string | Pointer)[]; readonly signal?: AbortSignal }): AsyncIterable<R>;
  read(id: string, options: { readonly signal: AbortSignal; readonly fields?: readonly (string | Pointer)[] }): Promise<R>;
}

/**
 * Where a bulk run stopped: the ids it had not finished, in order. Plain JSON: save it, and pass it
 * as `resume` to carry on (the query is not sent again).
 *
 * @example
 * ```ts
 * import type { BulkPosition } from "crest-query";
 * const position: BulkPosition = { filter: '/accountStatus eq "inactive"', remaining: ["id-7", "id-8"] };
 * ```
 */
export interface BulkPosition {
  /** The filter of the run, as text (a resumed run must name the same one). */
  readonly filter: string;
  readonly remaining: readonly string[];
}

/**
 * A resource a bulk run could not handle, and why.
 *
 * @example
 * ```ts
 * import type { BulkFailure } from "crest-query";
 * const show = (f: BulkFailure) => `${f.id}: ${f.error.message}`;
 * ```
 */
export interface BulkFailure {
  readonly id: string;
  readonly error: Error;
}

/**
 * What a bulk run did: every id it handled, in `succeeded` or `failed`. `complete` is true when it
 * went through every resource; otherwise `stoppedBy` says why (the signal, or an error that every
 * further request would meet too: 401, 403, a server that stays unavailable, a network failure)
 * and `position` holds what is left.
 *
 * @example
 * ```ts
 * import type { BulkReport } from "crest-query";
 * const summary = (r: BulkReport) => `${r.succeeded.length} done, ${r.failed.length} failed${r.complete ? "" : `, ${r.position?.remaining.length} left`}`;
 * ```
 */
export interface BulkReport {
  /** How many resources the run took on (the snapshot's size, or the resumed position's). */
  readonly total: number;
  readonly succeeded: readonly string[];
  readonly failed: readonly BulkFailure[];
  readonly complete: boolean;
  readonly stoppedBy?: Error;
  /** What is left when the run did not complete (failed ids are not in it: retry them on purpose). */
  readonly position?: BulkPosition;
}

/**
 * Options of the bulk helpers (`patchAll`, `deleteAll`, `forEach`).
 *
 * @example
 * ```ts
 * import type { BulkOptions } from "crest-query";
 * const options: BulkOptions = { maxResources: 50_000, onProgress: (done, total) => console.error(`${done}/${total}`) };
 * ```
 */
export interface BulkOptions {
  /** Stops the run; what is left is in the report's `position`. */
  readonly signal?: AbortSignal;
  /** Carry on from where an earlier run stopped. */
  readonly resume?: BulkPosition;
  /** The most resources one run takes on (default 100,000); a filter matching more fails before anything changes. */
  readonly maxResources?: number;
  /** The page size of the snapshot query (default 500). */
  readonly pageSize?: number;
  /** Called after each resource, with how many are done (succeeded or failed) and how many there are. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** What a bulk run does with each resource. */
export type BulkWork<R> =
  | { readonly kind: "ids"; readonly run: (id: string, signal: AbortSignal) => Promise<unknown> }
  | { readonly kind: "resources"; readonly fields: readonly (string | Pointer)[] | undefined; readonly run: (resource: R) => unknown };

/** Errors every further request would meet too: the run stops instead of failing each resource. */
const STOPPING_CODES = new Set([0, 401, 403, 429, 502, 503, 504]);

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(typeof error === "string" ? error : "a non-Error value was thrown");
}

function filterText(filter: Filter | string): string {
  return typeof filter === "string" ? filter : formatFilter(filter);
}

/**
 * Run work over every resource a filter matches. The matches are taken first, as a snapshot of ids
 * (or of resources for `forEach`) bounded by `maxResources`: paging a query while deleting or
 * changing what it matches would skip resources, since the server's pages shift under the walk.
 * Then up to `concurrency` resources are handled at once, within the client's shared limits.
 */
export async function runBulk<R>(
  resource: BulkSource<R>,
  filter: Filter | string,
  work: BulkWork<R>,
  concurrency: number,
  options: BulkOptions,
): Promise<BulkReport> {
  const text = filterText(filter);
  const maxResources = options.maxResources ?? 100_000;
  if (!Number.isSafeInteger(maxResources) || maxResources < 1) throw new CrestError(0, `maxResources must be a whole number of at least 1, not ${String(maxResources)}`, { reason: "Invalid Request" });
  const signal = options.signal;
  signal?.throwIfAborted();

  // The snapshot: ids, and for forEach the resources themselves (a resumed forEach reads each again).
  let ids: string[];
  let resources: Map<string, R> | undefined;
  if (options.resume !== undefined) {
    const { remaining, filter: resumed } = options.resume;
    if (resumed !== text) throw new CrestError(0, `resume: the position is of the filter ${JSON.stringify(resumed)}, not ${JSON.stringify(text)}`, { reason: "Invalid Request" });
    if (!Array.isArray(remaining) || remaining.some((id) => typeof id !== "string")) throw new CrestError(0, "resume: remaining must be a list of ids", { reason: "Invalid Request" });
    if (remaining.length > maxResources) throw new CrestError(0, `resume: ${remaining.length} ids is more than maxResources (${maxResources})`, { reason: "Invalid Request" });
    ids = [...remaining];
  } else {
    ids = [];
    const seen = new Set<string>();
    if (work.kind === "resources") resources = new Map();
    const fields = work.kind === "ids" ? ["_id"] : work.fields === undefined ? undefined : [...work.fields, "_id"];
    const query = resource.query(filter, { pageSize: options.pageSize ?? 500, ...(fields === undefined ? {} : { fields }), ...(signal === undefined ? {} : { signal }) });
    for await (const found of query) {
      const id = (found as { _id?: unknown })._id;
      if (typeof id !== "string" || seen.has(id)) continue;
      if (ids.length >= maxResources) {
        throw new CrestError(0, `The filter matches more than ${maxResources} resources (maxResources); nothing was changed. Narrow the filter or raise maxResources.`, { reason: "Too Many Resources", url: resource.url });
      }
      seen.add(id);
      ids.push(id);
      resources?.set(id, found);
    }
  }

  const total = ids.length;
  const state = new Uint8Array(total); // 0 not started, 1 succeeded, 2 failed, 3 left (stopped)
  const succeeded: string[] = [];
  const failed: BulkFailure[] = [];
  let next = 0;
  let stoppedBy: Error | undefined;
  const stop = new AbortController();
  const onAbort = () => {
    stoppedBy ??= asError(signal?.reason);
    stop.abort(signal?.reason);
  };
  signal?.addEventListener("abort", onAbort, { once: true });

  const handle = async (id: string): Promise<void> => {
    if (work.kind === "ids") {
      await work.run(id, stop.signal);
      return;
    }
    const found = resources?.get(id) ?? (await resource.read(id, { signal: stop.signal, ...(work.fields === undefined ? {} : { fields: [...work.fields, "_id"] }) }));
    resources?.delete(id);
    await work.run(found);
  };

  const worker = async (): Promise<void> => {
    while (stoppedBy === undefined && next < total) {
      const index = next++;
      const id = ids[index] as string;
      try {
        await handle(id);
        state[index] = 1;
        succeeded.push(id);
      } catch (error) {
        if (stop.signal.aborted) {
          state[index] = 3;
          continue;
        }
        const failure = asError(error);
        if (failure instanceof CrestError && STOPPING_CODES.has(failure.code)) {
          // Not this resource's fault: stop, and leave it for a later run.
          state[index] = 3;
          stoppedBy ??= failure;
          stop.abort(failure);
          continue;
        }
        state[index] = 2;
        failed.push({ id, error: failure });
      }
      options.onProgress?.(succeeded.length + failed.length, total);
    }
  };
  try {
    const workers = Math.max(1, Math.min(concurrency, total));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
  if (stoppedBy === undefined) return { total, succeeded, failed, complete: true };
  const remaining: string[] = [];
  for (let i = 0; i < total; i++) if (state[i] === 0 || state[i] === 3) remaining.push(ids[i] as string);
  return { total, succeeded, failed, complete: false, stoppedBy, position: { filter: text, remaining } };
}
