import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch, compareSortValues, CrestError, formatQueryParams, jsonEquals, parseQueryParams, projectFields, queryCollection, sortResources, validatePatch, type QueryRequest, type SortKey } from "../src/index.js";
import { caught } from "./helpers/errors.js";
import { modelCompareIgnoringCase, modelCompareNumbers, modelValuesAt } from "./helpers/evaluation-model.js";

// Tests written to kill the mutants Stryker found alive in src/query (query-params, sort,
// projection, patch). Each checks behaviour against a plain model written from the documented
// rules, not from the code.

// ---------------------------------------------------------------------------------------------
// Sorting: a model of `_sortKeys` order.

const MISSING = Symbol("missing");

function modelRank(v: unknown): number {
  if (typeof v === "boolean") return 0;
  if (typeof v === "number" || typeof v === "bigint") return 1;
  if (typeof v === "string") return 2;
  return 3;
}

function modelCompareValues(a: unknown, b: unknown): number {
  const ra = modelRank(a);
  const rb = modelRank(b);
  if (ra !== rb) return Math.sign(ra - rb);
  if (ra === 0) return a === b ? 0 : a === false ? -1 : 1;
  if (ra === 1) return Math.sign(modelCompareNumbers(a as number | bigint, b as number | bigint));
  if (ra === 2) return modelCompareIgnoringCase(a as string, b as string);
  return 0;
}

// The smallest value a field holds (an array field counts by its elements); MISSING when none.
function modelSortValue(resource: unknown, field: readonly string[]): unknown {
  const values = modelValuesAt(resource, field)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((v) => v !== null && v !== undefined);
  let best: unknown = MISSING;
  for (const v of values) if (best === MISSING || modelCompareValues(v, best) < 0) best = v;
  return best;
}

function modelSort<T>(resources: readonly T[], keys: readonly SortKey[]): T[] {
  const rows = resources.map((r, i) => ({ r, i, values: keys.map((k) => modelSortValue(r, k.field)) }));
  rows.sort((x, y) => {
    for (let k = 0; k < keys.length; k++) {
      const a = x.values[k];
      const b = y.values[k];
      if (a === MISSING && b === MISSING) continue;
      if (a === MISSING) return 1;
      if (b === MISSING) return -1;
      const c = modelCompareValues(a, b);
      if (c !== 0) return keys[k]!.descending ? -c : c;
    }
    return x.i - y.i;
  });
  return rows.map((row) => row.r);
}

const sortValue = fc.oneof(
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0.5, -0, 0, 1e300, -1e300),
  fc.bigInt({ min: -3n, max: 3n }),
  fc.constantFrom("", "a", "A", "b", "B", "ab", "Ab", "ä", "Ä", "ß", "z"),
  fc.constant(null),
  fc.constant({}),
);
const fieldValue = fc.oneof(sortValue, fc.array(sortValue, { maxLength: 3 }));
const resource = fc.record({ a: fieldValue, b: fc.oneof(fc.record({ c: fieldValue }, { requiredKeys: [] }), fc.array(fc.record({ c: sortValue }), { maxLength: 2 })) }, { requiredKeys: [] });
const sortKey = fc.record({ field: fc.constantFrom(["a"], ["b", "c"], ["b"], ["a", "0"]), descending: fc.boolean() });
const withIds = (rows: object[]) => rows.map((r, i) => ({ _id: String(i), ...r }));

describe("sorting against a model", () => {
  it("compareSortValues has the sign of the model's order", () => {
    fc.assert(
      fc.property(sortValue, sortValue, (a, b) => {
        expect(Math.sign(compareSortValues(a, b)) + 0).toBe(modelCompareValues(a, b) + 0);
      }),
      { numRuns: 2000 },
    );
  });

  it("sortResources gives the model's stable order", () => {
    fc.assert(
      fc.property(fc.array(resource, { maxLength: 12 }), fc.array(sortKey, { maxLength: 3 }), (rows, keys) => {
        const resources = withIds(rows);
        expect(sortResources(resources, keys).map((r) => r._id)).toEqual(modelSort(resources, keys).map((r) => r._id));
      }),
      { numRuns: 500 },
    );
  });

  it("every page of a sorted query is the model's slice, first page or later, cached or not", () => {
    fc.assert(
      fc.property(
        fc.array(resource, { minLength: 1, maxLength: 40 }),
        fc.array(sortKey, { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 45 }),
        (rows, keys, pageSize, offset) => {
          const resources = withIds(rows);
          const expected = modelSort(resources, keys).map((r) => r._id);
          const request = { queryFilter: "true", sortKeys: keys, pageSize, pagedResultsOffset: offset };
          expect(queryCollection(resources, request, { cache: false }).result.map((r) => r._id)).toEqual(expected.slice(offset, offset + pageSize));
          // With a cache: the first page (selected), then the page asked for (from the full sort).
          expect(queryCollection(resources, { ...request, pagedResultsOffset: 0 }).result.map((r) => r._id)).toEqual(expected.slice(0, pageSize));
          expect(queryCollection(resources, request).result.map((r) => r._id)).toEqual(expected.slice(offset, offset + pageSize));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a walk by cookies through a large sorted result visits the model's order", () => {
    const resources = withIds(Array.from({ length: 50 }, (_, i) => ({ a: (i * 37) % 11, b: { c: `x${(i * 7) % 5}` } })));
    const keys: SortKey[] = [{ field: ["a"], descending: true }, { field: ["b", "c"], descending: false }];
    const expected = modelSort(resources, keys).map((r) => r._id);
    const seen: string[] = [];
    let cookie: string | undefined;
    for (let page = 0; page < 20; page++) {
      const response = queryCollection(resources, { queryFilter: "true", sortKeys: keys, pageSize: 3, ...(cookie === undefined ? {} : { pagedResultsCookie: cookie }) });
      seen.push(...response.result.map((r) => r._id));
      if (response.pagedResultsCookie === null) break;
      cookie = response.pagedResultsCookie;
    }
    expect(seen).toEqual(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Patch: validation messages, nested fields, arrays, protected fields, and jsonEquals.

const patchError = (run: () => unknown): CrestError => caught(CrestError, run);

describe("validatePatch names what is wrong, by operation index", () => {
  it.each<[unknown, number, RegExp]>([
    [{}, 400, /^A patch is a JSON array of operations$/],
    [[{ operation: "remove", field: "/a" }, null], 400, /^Patch operation 1 is not a JSON object$/],
    [[["add"]], 400, /^Patch operation 0 is not a JSON object$/],
    [[{ operation: "add", field: "/a", path: "/a", value: 1 }], 400, /^Patch operation 0 \(add \/a\): unknown member 'path' \(expected operation, field, value, from\)$/],
    [[{ operation: 7, field: "/a" }], 400, /^Patch operation 0 \(\? \/a\): unknown operation 7 /],
    [[{ operation: "test", field: 3 }], 400, /^Patch operation 0 \(test\): unknown operation "test" /],
    [[{ operation: "add", field: 3, value: 1 }], 400, /^Patch operation 0 \(add\): field must be a string pointer$/],
    [[{ operation: "replace", field: "/a" }], 400, /: replace needs a value$/],
    [[{ operation: "transform", field: "/a" }], 400, /: transform needs a value$/],
    [[{ operation: "copy", field: "/a", from: "/b", value: 1 }], 400, /: copy takes no value/],
    [[{ operation: "move", field: "/a" }], 400, /^Patch operation 0 \(move \/a\): move needs a from$/],
    [[{ operation: "copy", field: "/a", from: 5 }], 400, /: from must be a string pointer$/],
    [[{ operation: "copy", field: "/a", from: "/a b" }], 400, /: invalid from '\/a b'/],
    [[{ operation: "copy", field: "/a", from: "" }], 400, /: from must name a field, not the whole resource$/],
    [[{ operation: "remove", field: "/a", from: "/b" }], 400, /: remove takes no from$/],
    [[{ operation: "add", field: "/a", value: 1, from: "/b" }], 400, /: add takes no from$/],
    [[{ operation: "increment", field: "/a", value: Number.NaN }], 400, /: increment needs a number value$/],
    [[{ operation: "increment", field: "/a", value: Number.POSITIVE_INFINITY }], 400, /: increment needs a number value$/],
  ])("refuses %j", (body, code, message) => {
    const e = patchError(() => validatePatch(body));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it("accepts exactly the documented shapes and returns only the members given", () => {
    expect(validatePatch(Array.from({ length: 10_000 }, () => ({ operation: "remove", field: "/a" })))).toHaveLength(10_000);
    const ops = validatePatch([
      { operation: "remove", field: "/a" },
      { operation: "remove", field: "/a", value: null },
      { operation: "copy", field: "/a", from: "/b" },
      { operation: "increment", field: "/n", value: -2.5 },
    ]);
    expect(ops.map((o) => Object.keys(o))).toEqual([["operation", "field"], ["operation", "field", "value"], ["operation", "field", "from"], ["operation", "field", "value"]]);
    expect(ops[1]).toEqual({ operation: "remove", field: "/a", value: null });
    expect(ops[2]).toEqual({ operation: "copy", field: "/a", from: "/b" });
  });
});

describe("applyPatch on nested fields and arrays", () => {
  interface Base {
    _id: string;
    _rev: string;
    a: { b: number[]; c: unknown };
    list: { k: number }[];
    n: number;
    s: string;
    [key: string]: unknown;
  }
  const base = (): Base => ({ _id: "1", _rev: "2", a: { b: [1, 2, 3], c: null }, list: [{ k: 1 }, { k: 2 }, { k: 1 }], n: 5, s: "x" });

  it("adds: creates parents (also over null), inserts at N, appends with -, appends an array to an array", () => {
    expect(applyPatch(base(), [{ operation: "add", field: "/x/y/z", value: 1 }]).x).toEqual({ y: { z: 1 } });
    expect(applyPatch(base(), [{ operation: "add", field: "/a/c/d", value: 1 }]).a.c).toEqual({ d: 1 });
    expect(applyPatch(base(), [{ operation: "add", field: "/a/b/0", value: 9 }]).a.b).toEqual([9, 1, 2, 3]);
    expect(applyPatch(base(), [{ operation: "add", field: "/a/b/3", value: 9 }]).a.b).toEqual([1, 2, 3, 9]);
    expect(applyPatch(base(), [{ operation: "add", field: "/a/b/-", value: [9] }]).a.b).toEqual([1, 2, 3, [9]]);
    expect(applyPatch(base(), [{ operation: "add", field: "/a/b", value: [9, 1] }]).a.b).toEqual([1, 2, 3, 9, 1]);
    expect(applyPatch(base(), [{ operation: "add", field: "/n", value: [9] }]).n).toEqual([9]);
    expect(applyPatch(base(), [{ operation: "add", field: "/list/1/k", value: 7 }]).list).toEqual([{ k: 1 }, { k: 7 }, { k: 1 }]);
  });

  it.each<[unknown[], RegExp]>([
    [[{ operation: "add", field: "/a/b/4", value: 9 }], /^Patch operation 0 \(add \/a\/b\/4\): '4' is not an index of the array \(0 to 3, or - to append\)$/],
    [[{ operation: "add", field: "/a/b/01", value: 9 }], /'01' is not an index of the array/],
    [[{ operation: "add", field: "/a/b/x", value: 9 }], /'x' is not an index of the array/],
    [[{ operation: "add", field: "/list/3/k", value: 9 }], /'\/list\/3' is not an element of the array$/],
    [[{ operation: "add", field: "/list/01/k", value: 9 }], /'\/list\/01' is not an element of the array$/],
    [[{ operation: "add", field: "/s/t", value: 9 }], /'\/s' holds "x", not an object or array$/],
    [[{ operation: "replace", field: "/a/b/3", value: 9 }], /^Patch operation 0 \(replace \/a\/b\/3\): '3' is not an element of the array \(0 to 2\)$/],
    [[{ operation: "replace", field: "/a/b/01", value: 9 }], /'01' is not an element of the array/],
    [[{ operation: "remove", field: "/a" }, { operation: "increment", field: "/a/b", value: 1 }], /^Patch operation 1 \(increment \/a\/b\): the field \/a\/b is missing; increment needs a number there$/],
    [[{ operation: "increment", field: "/s", value: 1 }], /the field \/s holds "x", not a number$/],
    [[{ operation: "increment", field: "/list", value: 1 }], /the field \/list holds \{"k":1\}, not a number$/],
    [[{ operation: "increment", field: "/n", value: Number.MAX_VALUE }, { operation: "increment", field: "/n", value: Number.MAX_VALUE }], /^Patch operation 1 \(increment \/n\): incrementing \/n overflows$/],
    [[{ operation: "move", field: "/a/b/x", from: "/a" }], /cannot move a field into itself$/],
    [[{ operation: "add", field: "/_id", value: "2" }], /^Patch operation 0 \(add \/_id\): _id cannot be changed by a patch$/],
    [[{ operation: "remove", field: "/_rev" }], /_rev cannot be changed/],
    [[{ operation: "move", field: "/x", from: "/_id" }], /_id cannot be changed/],
    [[{ operation: "add", field: "/_id/x", value: 1 }], /_id cannot be changed/],
  ])("refuses %j, naming the operation, and changes nothing", (ops, message) => {
    const resource = base();
    const before = JSON.stringify(resource);
    const e = patchError(() => applyPatch(resource, ops));
    expect(e.code).toBe(400);
    expect(e.message).toMatch(message);
    expect(JSON.stringify(resource)).toBe(before);
  });

  it("removes: fields, elements by index, equal values from arrays, nothing when absent", () => {
    expect(applyPatch(base(), [{ operation: "remove", field: "/a/b/1" }]).a.b).toEqual([1, 3]);
    expect(applyPatch(base(), [{ operation: "remove", field: "/a/b/1", value: 2 }]).a.b).toEqual([1, 3]);
    expect(applyPatch(base(), [{ operation: "remove", field: "/a/b/1", value: 3 }]).a.b).toEqual([1, 2, 3]);
    expect(applyPatch(base(), [{ operation: "remove", field: "/a/b/3" }]).a.b).toEqual([1, 2, 3]);
    expect(applyPatch(base(), [{ operation: "remove", field: "/a/b/01" }]).a.b).toEqual([1, 2, 3]);
    expect(applyPatch(base(), [{ operation: "remove", field: "/list", value: { k: 1 } }]).list).toEqual([{ k: 2 }]);
    expect(applyPatch(base(), [{ operation: "remove", field: "/a/b", value: [1, 3] }]).a.b).toEqual([2]);
    expect(applyPatch(base(), [{ operation: "remove", field: "/s", value: "X" }]).s).toBe("x");
    expect("s" in applyPatch(base(), [{ operation: "remove", field: "/s", value: "x" }])).toBe(false);
    expect("b" in applyPatch(base(), [{ operation: "remove", field: "/a/b" }]).a).toBe(false);
    // Absent parents, primitives on the way and missing keys are no-ops.
    for (const field of ["/zz/y", "/s/t/u", "/n/t", "/a/zz", "/list/9/k", "/list/x/k", "/a/c/d"]) {
      expect(applyPatch(base(), [{ operation: "remove", field }])).toEqual(base());
    }
  });

  it("replaces and increments through arrays", () => {
    expect(applyPatch(base(), [{ operation: "replace", field: "/a/b/2", value: 0 }]).a.b).toEqual([1, 2, 0]);
    expect(applyPatch(base(), [{ operation: "replace", field: "/a/b", value: 0 }]).a.b).toBe(0);
    expect(applyPatch(base(), [{ operation: "increment", field: "/a/b", value: -1 }]).a.b).toEqual([0, 1, 2]);
    expect(applyPatch(base(), [{ operation: "increment", field: "/a/b/1", value: 0.5 }]).a.b).toEqual([1, 2.5, 3]);
    expect(applyPatch(base(), [{ operation: "increment", field: "/list/0/k", value: 2 }]).list[0]).toEqual({ k: 3 });
  });

  it("copies and moves deep copies; a missing from does nothing; _id may be copied from", () => {
    const copied = applyPatch(base(), [{ operation: "copy", field: "/c", from: "/a" }]) as ReturnType<typeof base> & { c: { b: number[] } };
    expect(copied.c).toEqual(copied.a);
    expect(copied.c).not.toBe(copied.a);
    expect(copied.c.b).not.toBe(copied.a.b);
    expect(applyPatch(base(), [{ operation: "copy", field: "/a/b/-", from: "/n" }]).a.b).toEqual([1, 2, 3, 5]);
    expect(applyPatch(base(), [{ operation: "copy", field: "/a/b", from: "/a/b" }]).a.b).toEqual([1, 2, 3, 1, 2, 3]);
    const moved = applyPatch(base(), [{ operation: "move", field: "/m", from: "/list/1" }]) as ReturnType<typeof base> & { m: unknown };
    expect(moved.m).toEqual({ k: 2 });
    expect(moved.list).toEqual([{ k: 1 }, { k: 1 }]);
    expect(applyPatch(base(), [{ operation: "move", field: "/a/bb", from: "/a/b" }]).a).toEqual({ bb: [1, 2, 3], c: null });
    expect(applyPatch(base(), [{ operation: "move", field: "/x", from: "/nothing" }])).toEqual(base());
    expect(applyPatch(base(), [{ operation: "copy", field: "/x", from: "/a/b/7" }])).toEqual(base());
    expect((applyPatch(base(), [{ operation: "copy", field: "/x", from: "/_id" }]) as { x?: unknown }).x).toBe("1");
    expect(applyPatch(base(), [{ operation: "add", field: "/_id", value: "z" }], { protectedFields: [] })._id).toBe("z");
    expect(() => applyPatch(base(), [{ operation: "add", field: "/n", value: 1 }], { protectedFields: ["n"] })).toThrow(/n cannot be changed/);
  });

  it("transforms with the function given (a copy of the current value and the operation's value), else 501", () => {
    const e = patchError(() => applyPatch(base(), [{ operation: "add", field: "/q", value: 1 }, { operation: "transform", field: "/s", value: "up" }]));
    expect(e.code).toBe(501);
    expect(e.message).toBe("Patch operation 1 (transform /s): transform is not supported by this server");
    const seen: unknown[] = [];
    const resource = base();
    const out = applyPatch(resource, [{ operation: "transform", field: "/a", value: { how: "keys" } }], {
      transform: (current, how) => {
        seen.push(how);
        (current as { b: number[] }).b.push(99); // changing what it was given changes nothing else
        return Object.keys(current as object);
      },
    });
    expect(seen).toEqual([{ how: "keys" }]);
    expect(out.a).toEqual(["b", "c"]);
    expect(resource.a.b).toEqual([1, 2, 3]);
    expect(applyPatch(base(), [{ operation: "transform", field: "/nothing", value: 0 }], { transform: (current) => current === undefined })).toMatchObject({ nothing: true });
  });

  it("never shares values with the operations or the resource, and refuses non-objects", () => {
    const value = { deep: [1] };
    const ops = [{ operation: "add", field: "/v", value }];
    const out = applyPatch(base(), ops) as Base & { v: { deep: number[] } };
    value.deep.push(2);
    expect(out.v).toEqual({ deep: [1] });
    const resource = base();
    const patched = applyPatch(resource, []);
    patched.a.b.push(4);
    expect(resource.a.b).toEqual([1, 2, 3]);
    expect(patchError(() => applyPatch([1] as unknown as object, [])).message).toBe("Only a JSON object can be patched");
    const proto = applyPatch(JSON.parse('{"__proto__":{"x":1}}') as object, []);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
  });
});

describe("jsonEquals against a model", () => {
  // Equal JSON values have the same canonical text (keys sorted).
  const canonical = (v: unknown): string =>
    Array.isArray(v) ? `[${v.map(canonical).join(",")}]` : v !== null && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}` : JSON.stringify(v);
  const json = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom(0, 1, "a", "A", true, false, null, ""),
      fc.array(tie("v"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("a", "b", "c"), tie("v"), { maxKeys: 3 }),
    ),
  })).v;

  it("is true exactly for values with the same canonical text", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(jsonEquals(a, b)).toBe(canonical(a) === canonical(b));
        expect(jsonEquals(a, JSON.parse(JSON.stringify(a)))).toBe(true);
      }),
      { numRuns: 1000 },
    );
    expect(jsonEquals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEquals({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEquals({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(jsonEquals([1, 2], [1, 2, 3])).toBe(false);
    expect(jsonEquals([], {})).toBe(false);
    expect(jsonEquals({}, [])).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Projection (`_fields`): a recursive model written from the documented rules.

const isIndex = (segment: string): boolean => /^[0-9]+$/.test(segment);

function modelProject(node: unknown, fields: readonly (readonly string[])[]): unknown {
  if (fields.some((f) => f.length === 0)) return node;
  if (Array.isArray(node)) {
    const spread = fields.filter((f) => !isIndex(f[0]!));
    const indexed = fields.filter((f) => isIndex(f[0]!) && Number(f[0]) < node.length);
    if (indexed.length === 0) {
      if (spread.length === 0) return undefined;
      const kept = node.map((element) => modelProject(element, spread)).filter((v) => v !== undefined);
      return kept.length === 0 ? undefined : kept;
    }
    const out = node.map((element, i) => {
      const own = indexed.filter((f) => Number(f[0]) === i).map((f) => f.slice(1));
      return own.length === 0 && spread.length === 0 ? undefined : modelProject(element, [...spread, ...own]);
    });
    let last = out.length - 1;
    while (last >= 0 && out[last] === undefined) last--;
    return last < 0 ? undefined : out.slice(0, last + 1).map((v) => (v === undefined ? null : v));
  }
  if (node === null || typeof node !== "object") return undefined;
  const out: Record<string, unknown> = {};
  let any = false;
  const keys = [...new Set(fields.map((f) => f[0]!))];
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
    const value = (node as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const picked = modelProject(
      value,
      fields.filter((f) => f[0] === key).map((f) => f.slice(1)),
    );
    if (picked === undefined) continue;
    Object.defineProperty(out, key, { value: picked, enumerable: true, writable: true, configurable: true });
    any = true;
  }
  return any ? out : undefined;
}

function modelProjectFields(resource: unknown, fields: readonly (readonly string[])[]): unknown {
  if (fields.length === 0 || fields.some((f) => f.length === 0 || (f.length === 1 && f[0] === "*"))) return resource;
  return modelProject(resource, [["_id"], ["_rev"], ...fields]) ?? {};
}

describe("projection against a model", () => {
  const leaf = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom("s", null, true));
  const json = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: "small", maxDepth: 4 },
      leaf,
      fc.array(tie("v"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("a", "b", "c", "0"), tie("v"), { maxKeys: 3 }),
    ),
  })).v;
  const projected = fc.record({ _id: fc.constant("x"), a: json, b: json }, { requiredKeys: ["_id"] });
  const fieldPointer = fc.array(fc.constantFrom("a", "b", "c", "0", "1", "2", "5"), { minLength: 1, maxLength: 4 });

  it("keeps what the model keeps, at its place", () => {
    fc.assert(
      fc.property(projected, fc.array(fieldPointer, { minLength: 1, maxLength: 4 }), (resource, fields) => {
        expect(projectFields(resource, fields)).toEqual(modelProjectFields(resource, fields));
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps whole resources for no fields, *, or the empty pointer; refuses over-long fields", () => {
    const r = { _id: "x", a: 1 };
    expect(projectFields(r, [])).toBe(r);
    expect(projectFields(r, [["*"]])).toBe(r);
    expect(projectFields(r, [["a"], []])).toBe(r);
    expect(projectFields(r, [["*", "a"]])).toEqual({ _id: "x" });
    expect(projectFields({ a: 1 }, [["zz"]])).toEqual({});
    expect(projectFields({ _rev: "3", a: 1, b: 2 }, [["b"]])).toEqual({ _rev: "3", b: 2 });
    const deep = Array.from({ length: 1000 }, () => "a");
    expect(projectFields({ _id: "x" }, [deep])).toEqual({ _id: "x" });
    expect(() => projectFields({ _id: "x" }, [[...deep, "a"]])).toThrow(new RangeError("A field to keep has 1001 segments; at most 1000 are allowed"));
  });

  it("follows arrays nested in arrays, and keeps a whole field however it is also listed deeper", () => {
    const r = { _id: "x", a: [[{ b: 1, c: 2 }, [{ b: 3 }]], { c: 4 }, [[]], { b: 5 }] };
    expect(projectFields(r, [["a", "b"]])).toEqual({ _id: "x", a: [[{ b: 1 }, [{ b: 3 }]], { b: 5 }] });
    expect(projectFields(r, [["a", "b"], ["a"]])).toEqual(r);
    expect(projectFields(r, [["a"], ["a", "b"]])).toEqual(r);
    expect(projectFields(r, [["a", "1", "c"], ["a", "b"]])).toEqual({ _id: "x", a: [[{ b: 1 }, [{ b: 3 }]], { c: 4 }, null, { b: 5 }] });
    expect(projectFields(r, [["a", "1"], ["a", "1", "c"]])).toEqual({ _id: "x", a: [null, { c: 4 }] });
    expect(projectFields(r, [["a", "1", "c"], ["a", "1"]])).toEqual({ _id: "x", a: [null, { c: 4 }] });
    expect(projectFields(r, [["a", "9"]])).toEqual({ _id: "x" });
  });
});

// ---------------------------------------------------------------------------------------------
// Query parameters: each rule of reading and writing them, with the exact 400 messages.

describe("parseQueryParams, rule by rule", () => {
  const bad = (input: Parameters<typeof parseQueryParams>[0]): CrestError => caught(CrestError, () => parseQueryParams(input));

  it("reads a query string: after the first ?, before any #, names and values decoded, bare names empty", () => {
    expect(parseQueryParams("https://x/y?_pageSize=3#_pageSize=4&_fields=a")).toEqual({ pageSize: 3 });
    expect(parseQueryParams("_pageSize=3&&x&%5FpageSize2=%61+b")).toEqual({ pageSize: 3, extra: { x: "", _pageSize2: "a b" } });
    expect(parseQueryParams("_prettyPrint")).toEqual({ prettyPrint: true });
    expect(parseQueryParams("y=a=b")).toEqual({ extra: { y: "a=b" } });
    expect(parseQueryParams({ a: undefined, b: ["1", "2"], _fields: ["a", "b"] })).toEqual({ fields: [["a"], ["b"]], extra: { b: "2" } });
    expect(parseQueryParams("")).toEqual({});
  });

  it("names the parameter and the offset of a bad percent escape", () => {
    expect(bad("_pageSize=%zz").message).toBe('Invalid _pageSize: "%" must be followed by two hex digits at offset 0');
    expect(bad("_pageSize=1%zz").message).toMatch(/ at offset 1$/);
    expect(bad("a%zz=1").message).toMatch(/^Invalid a%zz: .* at offset 1$/);
  });

  it("reads counts: digits with an optional +, spaces around, safe integers only", () => {
    expect(parseQueryParams({ _pageSize: " +7 ", _pagedResultsOffset: "0" })).toEqual({ pageSize: 7, pagedResultsOffset: 0 });
    expect(bad({ _pageSize: "9007199254740993" }).message).toBe("Invalid _pageSize: '9007199254740993' is not a non-negative integer");
    expect(bad({ _pagedResultsOffset: "1e3" }).message).toBe("Invalid _pagedResultsOffset: '1e3' is not a non-negative integer");
    expect(bad({ _pageSize: "" }).message).toContain("_pageSize");
    expect(bad({ _pageSize: "x5" }).message).toContain("_pageSize");
    expect(bad({ _pageSize: "5x" }).message).toContain("_pageSize");
  });

  it("reads the policy and the pretty-print flag ignoring case and spaces", () => {
    expect(parseQueryParams({ _totalPagedResultsPolicy: " estimate ", _prettyPrint: "FALSE" })).toEqual({ totalPagedResultsPolicy: "ESTIMATE", prettyPrint: false });
    expect(parseQueryParams({ _totalPagedResultsPolicy: "none", _prettyPrint: " True " })).toEqual({ totalPagedResultsPolicy: "NONE", prettyPrint: true });
    expect(bad({ _totalPagedResultsPolicy: "all" }).message).toBe("Invalid _totalPagedResultsPolicy: 'all' is not NONE, EXACT or ESTIMATE");
    expect(bad({ _prettyPrint: "yes" }).message).toBe("Invalid _prettyPrint: 'yes' is not true or false");
  });

  it("keeps _queryId, _queryExpression and the cookie as given; an empty cookie may go with an offset", () => {
    expect(parseQueryParams({ _queryId: "q", _pagedResultsCookie: "c", q: "1" })).toEqual({ queryId: "q", pagedResultsCookie: "c", extra: { q: "1" } });
    expect(parseQueryParams({ _queryExpression: "select *" })).toEqual({ queryExpression: "select *" });
    expect(parseQueryParams({ _pagedResultsCookie: "", _pagedResultsOffset: 2 })).toEqual({ pagedResultsCookie: "", pagedResultsOffset: 2 });
    expect(bad({ _queryId: "" }).message).toBe("Invalid _queryId: it is empty");
    expect(bad({ _pagedResultsCookie: "c", _pagedResultsOffset: 0 }).message).toBe("Parameters _pagedResultsCookie and _pagedResultsOffset cannot be used together");
  });

  it("refuses a repeated single-valued parameter and mixed query kinds, naming them", () => {
    expect(bad("_PAGESIZE=1&_pagesize=1").message).toBe("Parameter _pageSize is given more than once");
    expect(bad("_queryExpression=x&_queryFilter=true").message).toBe("Parameters _queryFilter and _queryExpression cannot be used together");
    expect(bad("_queryExpression=x&_queryFilter=true&_queryId=a").message).toBe("Parameters _queryFilter and _queryId and _queryExpression cannot be used together");
    // Lists may repeat: the values are joined.
    expect(parseQueryParams("_fields=a&_FIELDS=b,a&_sortKeys=-c&_sortKeys=d").fields).toEqual([["a"], ["b"]]);
    expect(parseQueryParams("_sortKeys=-c&_sortKeys=d").sortKeys).toEqual([
      { field: ["c"], descending: true },
      { field: ["d"], descending: false },
    ]);
  });

  it("gives the filter's syntax error in full", () => {
    const e = bad({ _queryFilter: "a eq 1 and" });
    expect(e.message).toMatch(/^Invalid _queryFilter: /);
    expect(e.detail).toMatchObject({ parameter: "_queryFilter", offset: 10, line: 1, column: 11 });
    expect(Object.keys(e.detail as object).sort()).toEqual(["column", "expected", "found", "line", "offset", "parameter"]);
  });

  it("reads field lists: spaces trimmed, empty items skipped, a field counted once however written, at most 100", () => {
    expect(parseQueryParams({ _fields: " a , ,/a,b/c, b/c ,/b/c" }).fields).toEqual([["a"], ["b", "c"]]);
    expect(parseQueryParams({ _fields: "," }).fields).toEqual([]);
    const hundred = Array.from({ length: 100 }, (_, i) => `f${i}`);
    expect(parseQueryParams({ _fields: [...hundred, ...hundred.map((f) => `/${f}`)].join(",") }).fields).toHaveLength(100);
    expect(bad({ _fields: [...hundred, "g"].join(",") }).message).toBe("Invalid _fields: more than 100 different fields");
    expect(bad({ _fields: "a,b/c#" }).message).toMatch(/^Invalid _fields: /);
  });

  it("reads sort keys: - descending, + ascending, the first of a field decides, at most 100", () => {
    expect(parseQueryParams({ _sortKeys: "  " }).sortKeys).toEqual([]);
    expect(parseQueryParams({ _sortKeys: " +a , -/b/c,-a, b/c ,/a" }).sortKeys).toEqual([
      { field: ["a"], descending: false },
      { field: ["b", "c"], descending: true },
    ]);
    expect(parseQueryParams({ _sortKeys: "-a,-a" }).sortKeys).toEqual([{ field: ["a"], descending: true }]);
    expect(bad({ _sortKeys: "+" }).message).toBe("Invalid _sortKeys: '+' names no field");
    expect(bad({ _sortKeys: "a,- " }).message).toBe("Invalid _sortKeys: '-' names no field");
    expect(bad({ _sortKeys: "-/" }).message).toBe("Invalid _sortKeys: '-/' names no field");
    expect(bad({ _sortKeys: "a,,b" }).message).toBe("Invalid _sortKeys: 'a,,b' holds an empty key");
    const long = `${"x".repeat(70)},`;
    expect(bad({ _sortKeys: long }).message).toBe(`Invalid _sortKeys: '${"x".repeat(60)}…' holds an empty key`);
    const sixty = `${"y".repeat(59)},`;
    expect(bad({ _sortKeys: sixty }).message).toBe(`Invalid _sortKeys: '${sixty}' holds an empty key`);
    const hundred = Array.from({ length: 100 }, (_, i) => `f${i}`);
    expect(parseQueryParams({ _sortKeys: [...hundred, ...hundred.map((f) => `-${f}`)].join(",") }).sortKeys).toHaveLength(100);
    expect(bad({ _sortKeys: [...hundred, "g"].join(",") }).message).toBe("Invalid _sortKeys: more than 100 different keys");
    expect(bad({ _sortKeys: "a#" }).message).toMatch(/^Invalid _sortKeys: /);
  });
});

describe("formatQueryParams, parameter by parameter", () => {
  it("writes each parameter given, and leaves out empty lists", () => {
    expect(formatQueryParams({ queryId: "q 1", queryExpression: "e", pagedResultsCookie: "c+/=", pagedResultsOffset: 4, totalPagedResultsPolicy: "EXACT", prettyPrint: false, extra: { "a b": "c&d" } })).toBe(
      "_queryId=q%201&_queryExpression=e&_pagedResultsCookie=c%2B%2F%3D&_pagedResultsOffset=4&_totalPagedResultsPolicy=EXACT&_prettyPrint=false&a%20b=c%26d",
    );
    expect(formatQueryParams({ queryFilter: "a eq 1", fields: [], sortKeys: [] })).toBe("_queryFilter=a%20eq%201");
    expect(formatQueryParams({ sortKeys: [{ field: ["a,b"], descending: false }, { field: ["c"], descending: true }] })).toBe("_sortKeys=%2Fa%252Cb%2C-%2Fc");
    expect(formatQueryParams({ prettyPrint: true, pageSize: 0 })).toBe("_pageSize=0&_prettyPrint=true");
    expect(formatQueryParams({})).toBe("");
  });
});

describe("query requests checked by the engine", () => {
  const bad = (request: QueryRequest): CrestError => caught(CrestError, () => queryCollection([{ _id: "1" }], request));

  it("names what is wrong", () => {
    expect(bad({}).message).toBe("A query needs _queryFilter or _queryId (use _queryFilter=true for every resource)");
    expect(bad({ queryFilter: "true", queryExpression: "x" }).message).toBe("Parameters _queryFilter, _queryId and _queryExpression cannot be used together");
    const expression = bad({ queryExpression: "x" });
    expect([expression.code, expression.message]).toEqual([400, "Parameter _queryExpression is not supported: use _queryFilter"]);
    expect(bad({ queryFilter: "true", pageSize: 1.5 }).message).toBe("Invalid _pageSize: '1.5' is not a non-negative integer");
    expect(bad({ queryFilter: "true", pagedResultsOffset: -1 }).message).toBe("Invalid _pagedResultsOffset: '-1' is not a non-negative integer");
    expect(bad({ queryFilter: "true", pagedResultsCookie: "abc", pagedResultsOffset: 0 }).message).toBe("Parameters _pagedResultsCookie and _pagedResultsOffset cannot be used together");
    expect(bad({ queryFilter: "true", totalPagedResultsPolicy: "ALL" as "NONE" }).message).toBe("Invalid _totalPagedResultsPolicy: 'ALL' is not NONE, EXACT or ESTIMATE");
    const syntax = bad({ queryFilter: "a eq" });
    expect(syntax.message).toMatch(/^Invalid _queryFilter: /);
    expect(syntax.detail).toEqual({ parameter: "_queryFilter", offset: 4 });
  });

  it("takes an empty cookie as none, and each policy as given", () => {
    const rows = [{ _id: "1" }, { _id: "2" }];
    expect(queryCollection(rows, { queryFilter: "true", pagedResultsCookie: "", pagedResultsOffset: 1 }).result).toEqual([{ _id: "2" }]);
    for (const policy of ["NONE", "EXACT", "ESTIMATE"] as const) {
      expect(queryCollection(rows, { queryFilter: "true", totalPagedResultsPolicy: policy }).totalPagedResultsPolicy).toBe(policy);
    }
    expect(queryCollection(rows, { queryFilter: "true" }).totalPagedResultsPolicy).toBe("NONE");
  });
});

describe("edges left after the first mutation run", () => {
  const plainProperty = (object: object, key: string) => expect(Object.getOwnPropertyDescriptor(object, key)).toMatchObject({ enumerable: true, writable: true, configurable: true });

  it("gives plain, writable own properties in what it returns", () => {
    const patched = applyPatch(JSON.parse('{"a":{"b":1}}') as Record<string, unknown>, [{ operation: "add", field: "/c/d", value: 2 }]);
    plainProperty(patched, "a");
    plainProperty(patched.a as object, "b");
    plainProperty(patched, "c");
    plainProperty(patched.c as object, "d");
    const projected = projectFields({ _id: "x", a: { b: 1 } }, [["a", "b"]]);
    plainProperty(projected, "a");
    plainProperty(projected.a, "b");
    const extra = parseQueryParams("x=1").extra as object;
    plainProperty(extra, "x");
  });

  it("names the exact part of the field that is in the way", () => {
    const resource = { a: { b: [1] } };
    expect(() => applyPatch(resource, [{ operation: "add", field: "/a/b/0/x", value: 1 }])).toThrow(/'\/a\/b\/0' holds 1, not an object or array$/);
    expect(() => applyPatch(resource, [{ operation: "add", field: "/a/b/1/x", value: 1 }])).toThrow(/'\/a\/b\/1' is not an element of the array$/);
  });

  it("moves a field onto itself as a no-op, and onto a sibling with the same prefix", () => {
    const resource = { a: { b: 1 }, ab: {} };
    expect(applyPatch(resource, [{ operation: "move", field: "/a", from: "/a" }])).toEqual(resource);
    expect(applyPatch(resource, [{ operation: "move", field: "/ab/x", from: "/a" }])).toEqual({ ab: { x: { b: 1 } } });
  });

  it("accepts a page size of 0 (every match) from the engine", () => {
    expect(queryCollection([{ _id: "1" }, { _id: "2" }], { queryFilter: "true", pageSize: 0, pagedResultsOffset: 0 }).result).toHaveLength(2);
  });
});

describe("sorting values a JavaScript resource may hold", () => {
  it("counts an array of undefined as missing (last), not as a value", () => {
    const rows = [{ _id: "1", a: [undefined] }, { _id: "2", a: {} }, { _id: "3", a: [undefined, "x"] }];
    for (const descending of [false, true]) {
      expect(sortResources(rows, [{ field: ["a"], descending }]).map((r) => r._id)).toEqual(descending ? ["2", "3", "1"] : ["3", "2", "1"]);
    }
  });
});
