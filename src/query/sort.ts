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
  const extractors = keys.map((k) => smallestAt(k.field));
  const n = resources.length;
  // Each key's value is worked out once per resource, not once per comparison.
  const columns = extractors.map((extract) => {
    const column = new Array<unknown>(n);
    for (let i = 0; i < n; i++) column[i] = extract(resources[i]);
    return column;
  });
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => {
    for (let k = 0; k < columns.length; k++) {
      const column = columns[k] as unknown[];
      const a = column[i];
      const b = column[j];
      if (a === MISSING || b === MISSING) {
        if (a !== b) return a === MISSING ? 1 : -1;
        continue;
      }
      const c = compareSortValues(a, b);
      if (c !== 0) return (keys[k] as SortKey).descending ? -c : c;
    }
    return i - j;
  });
  return order.map((i) => resources[i] as T);
}
