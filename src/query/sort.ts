import type { Pointer } from "../language/ast.js";
import { compareIgnoringCase, compareNumberValues } from "../eval/collation.js";
import { compilePointer, walkPointer } from "../eval/walk.js";
import type { SortKey } from "./query-params.js";

const MISSING = Symbol("missing");

// Values of different types order by type: booleans, then numbers, then strings, then the rest.
function typeRank(value: unknown): number {
  switch (typeof value) {
    case "boolean":
      return 0;
    case "number":
    case "bigint":
      return 1;
    case "string":
      return 2;
    default:
      return 3;
  }
}

/**
 * Order two values the way `_sortKeys` does: by type first (booleans, numbers, strings, others),
 * then numbers as doubles (Java's `Double.compare`; bigints exactly), strings ignoring case code point
 * by code point (see {@link compareIgnoringCase}), `false` before `true`.
 *
 * @example
 * ```ts
 * import { compareSortValues } from "crest-query";
 * ["b", 2, "A", true, 10n].sort(compareSortValues); // [true, 2, 10n, "A", "b"]
 * ```
 */
export function compareSortValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (typeof a) {
    case "string":
      return compareIgnoringCase(a, b as string);
    case "number":
    case "bigint":
      return compareNumberValues(a, b as number | bigint);
    case "boolean":
      return (a ? 1 : 0) - (b ? 1 : 0);
    default:
      return 0;
  }
}

/** Compile a pointer into a function giving a resource's smallest value there, or MISSING. */
function smallestAt(pointer: Pointer): (resource: unknown) => unknown {
  let best: unknown = MISSING;
  const consider = (value: unknown): void => {
    if (value === null || value === undefined) return;
    if (best === MISSING || compareSortValues(value, best) < 0) best = value;
  };
  const compiled = compilePointer(pointer);
  const visit = (value: unknown): number => {
    if (Array.isArray(value)) for (let i = 0; i < value.length; i++) consider(value[i]);
    else consider(value);
    return 0;
  };
  return (resource) => {
    best = MISSING;
    walkPointer(resource, compiled, visit);
    return best;
  };
}

/**
 * Sort resources by `_sortKeys`: stable, resources missing a field last in either direction, an
 * array by its smallest value, strings ignoring case, mixed types by type. Returns a new array.
 *
 * @example
 * ```ts
 * import { sortResources } from "crest-query";
 * sortResources([{ sn: "b" }, {}, { sn: "A" }], [{ field: ["sn"], descending: true }]);
 * // [{ sn: "b" }, { sn: "A" }, {}]
 * ```
 */
export function sortResources<T>(resources: readonly T[], keys: readonly SortKey[]): T[] {
  if (keys.length === 0) return [...resources];
  return new SortedPages(resources, keys).slice(0, resources.length);
}

/**
 * Resources in `_sortKeys` order, sorted only as far as asked: the first page of a query is found
 * by top-k selection (a heap of the first `end` resources, O(n log k)), and the whole order is
 * sorted once, the first time a later page is asked for. Either way the order is exactly the
 * stable sort's.
 *
 * @internal
 */
export class SortedPages<T> {
  readonly length: number;
  private order: Int32Array | undefined;
  private readonly compare: ((i: number, j: number) => number) | undefined;

  constructor(
    private readonly resources: readonly T[],
    keys: readonly SortKey[],
  ) {
    this.length = resources.length;
    if (keys.length === 0) return;
    const n = resources.length;
    // Each key's value is worked out once per resource, not once per comparison.
    const columns = keys.map((k) => {
      const extract = smallestAt(k.field);
      const column = new Array<unknown>(n);
      for (let i = 0; i < n; i++) column[i] = extract(resources[i]);
      return column;
    });
    const descending = keys.map((k) => k.descending);
    this.compare = (i, j) => {
      for (let k = 0; k < columns.length; k++) {
        const column = columns[k] as unknown[];
        const a = column[i];
        const b = column[j];
        if (a === MISSING || b === MISSING) {
          if (a !== b) return a === MISSING ? 1 : -1;
          continue;
        }
        const c = compareSortValues(a, b);
        if (c !== 0) return descending[k] === true ? -c : c;
      }
      return i - j;
    };
  }

  /** The resources from `start` to `end` (exclusive) in sorted order. */
  slice(start: number, end: number): T[] {
    const from = Math.max(0, start);
    const to = Math.min(this.length, end);
    if (to <= from) return [];
    const compare = this.compare;
    if (compare === undefined) return this.resources.slice(from, to);
    let order = this.order;
    // The first page of a large result: select it instead of sorting everything. Any later page
    // (a walk goes on) sorts everything once, so that walking all pages costs one sort.
    if (order === undefined && from === 0 && to * 8 <= this.length) {
      return topK(this.length, to, compare)
        .slice(from)
        .map((i) => this.resources[i] as T);
    }
    if (order === undefined) {
      order = new Int32Array(this.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort(compare);
      this.order = order;
    }
    const out = new Array<T>(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.resources[order[i] as number] as T;
    return out;
  }
}

// The k first indexes of 0..n-1 under `compare` (a total order), in order: a max-heap of the k
// best seen so far.
function topK(n: number, k: number, compare: (i: number, j: number) => number): number[] {
  const heap: number[] = [];
  const down = (at: number): void => {
    const size = heap.length;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) return;
      const right = left + 1;
      const larger = right < size && compare(heap[right] as number, heap[left] as number) > 0 ? right : left;
      if (compare(heap[larger] as number, heap[at] as number) <= 0) return;
      const t = heap[at] as number;
      heap[at] = heap[larger] as number;
      heap[larger] = t;
      at = larger;
    }
  };
  for (let i = 0; i < n; i++) {
    if (heap.length < k) {
      heap.push(i);
      let at = heap.length - 1;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (compare(heap[at] as number, heap[parent] as number) <= 0) break;
        const t = heap[at] as number;
        heap[at] = heap[parent] as number;
        heap[parent] = t;
        at = parent;
      }
    } else if (compare(i, heap[0] as number) < 0) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort(compare);
}
