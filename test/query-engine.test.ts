import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compileFilter,
  CrestError,
  parseFilter,
  projectFields,
  QueryCache,
  queryCollection,
  sortResources,
  type Filter,
  type QueryRequest,
  type SortKey,
} from "../src/index.js";
import { caught } from "./helpers/errors.js";

interface User {
  _id: string;
  _rev?: string;
  sn?: unknown;
  n?: unknown;
  tags?: unknown;
  active?: boolean;
}

const badRequest = (build: () => unknown): CrestError => caught(CrestError, build);

const users: User[] = [
  { _id: "1", _rev: "a", sn: "jensen", n: 5, active: true },
  { _id: "2", sn: "Anders", n: 1, active: true },
  { _id: "3", sn: "carter", active: false },
  { _id: "4", n: 3, active: true },
  { _id: "5", sn: "Brown", n: 10, active: true },
];
const ids = (r: { result: readonly { _id: string }[] }) => r.result.map((u) => u._id);

describe("queryCollection: filter, sort, count, fields", () => {
  it("filters with _queryFilter, and true is everything", () => {
    expect(ids(queryCollection(users, "_queryFilter=active eq true"))).toEqual(["1", "2", "4", "5"]);
    expect(queryCollection(users, { queryFilter: "true" }).resultCount).toBe(5);
  });

  it("sorts case-insensitively, missing values last in both directions", () => {
    expect(ids(queryCollection(users, "_queryFilter=true&_sortKeys=sn"))).toEqual(["2", "5", "3", "1", "4"]);
    expect(ids(queryCollection(users, "_queryFilter=true&_sortKeys=-sn"))).toEqual(["1", "3", "5", "2", "4"]);
    expect(ids(queryCollection(users, "_queryFilter=true&_sortKeys=-n"))).toEqual(["5", "1", "4", "2", "3"]);
  });

  it("sorts arrays by their smallest value, mixed types by type, and by several keys", () => {
    const rows: User[] = [
      { _id: "a", tags: ["m", "z"] },
      { _id: "b", tags: ["b", "y"] },
      { _id: "c", tags: 5 },
      { _id: "d", tags: true },
      { _id: "e", tags: [] },
      { _id: "f", tags: "c" },
    ];
    expect(ids({ result: sortResources(rows, [{ field: ["tags"], descending: false }]) })).toEqual(["d", "c", "b", "f", "a", "e"]);
    const keyed = [
      { _id: "1", a: 1, b: "x" },
      { _id: "2", a: 0, b: "y" },
      { _id: "3", a: 1, b: "w" },
    ];
    const keys: SortKey[] = [
      { field: ["a"], descending: true },
      { field: ["b"], descending: false },
    ];
    expect(ids({ result: sortResources(keyed, keys) })).toEqual(["3", "1", "2"]);
  });

  it("counts under NONE, EXACT and ESTIMATE", () => {
    const base = { queryFilter: "active eq true", pageSize: 3 } satisfies QueryRequest;
    expect(queryCollection(users, base)).toMatchObject({ totalPagedResultsPolicy: "NONE", totalPagedResults: -1, remainingPagedResults: -1 });
    expect(queryCollection(users, { ...base, totalPagedResultsPolicy: "EXACT" })).toMatchObject({ totalPagedResults: 4, remainingPagedResults: 1, resultCount: 3 });
    expect(queryCollection(users, { ...base, totalPagedResultsPolicy: "ESTIMATE" })).toMatchObject({ totalPagedResults: 4, remainingPagedResults: -1 });
  });

  it("projects _fields, keeping _id and _rev", () => {
    expect(queryCollection(users, "_queryFilter=_id eq '1'&_fields=sn").result).toEqual([{ _id: "1", _rev: "a", sn: "jensen" }]);
    const r = { _id: "x", roles: [{ _ref: "r/1", _refResourceId: "1", extra: 1 }, { _ref: "r/2" }], a: { b: { c: 1, d: 2 } } };
    expect(projectFields(r, [["roles", "_refResourceId"], ["roles", "_ref"], ["a", "b", "c"]])).toEqual({
      _id: "x",
      roles: [{ _refResourceId: "1", _ref: "r/1" }, { _ref: "r/2" }],
      a: { b: { c: 1 } },
    });
    const hostile = JSON.parse('{"_id": "y", "__proto__": {"polluted": true}}') as object;
    const projected = projectFields(hostile, [["__proto__"]]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(projected)).toBe(Object.prototype);
    expect(Object.keys(projected)).toEqual(["_id", "__proto__"]);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("answers _queryId with built-in and named queries", () => {
    expect(queryCollection(users, "_queryId=query-all").resultCount).toBe(5);
    expect(queryCollection(users, "_queryId=query-all-ids&_pageSize=1").result).toEqual([{ _id: "1", _rev: "a" }]);
    const queries = { inactive: (rs: readonly unknown[]) => rs.filter((r) => (r as User).active === false) };
    expect(ids(queryCollection(users, "_queryId=inactive", { queries }))).toEqual(["3"]);
  });

  it.each([
    [{}, "_queryFilter or _queryId"],
    [{ queryFilter: "a eq" }, "_queryFilter"],
    [{ queryFilter: "true", queryId: "query-all" }, "cannot be used together"],
    [{ queryExpression: "select" }, "_queryExpression"],
    [{ queryId: "toString" }, "_queryId"],
    [{ queryFilter: "true", pageSize: -1 }, "_pageSize"],
    [{ queryFilter: "true", pagedResultsOffset: 1.5 }, "_pagedResultsOffset"],
    [{ queryFilter: "true", totalPagedResultsPolicy: "MOST" as "NONE" }, "_totalPagedResultsPolicy"],
    [{ queryFilter: "true", pageSize: 1, pagedResultsCookie: "garbage" }, "_pagedResultsCookie"],
  ] as Array<[QueryRequest, string]>)("rejects %j with a 400 naming the parameter", (request, name) => {
    const e = badRequest(() => queryCollection(users, request));
    expect(e.code).toBe(400);
    expect(e.message).toContain(name);
  });
});

describe("queryCollection: paging", () => {
  const collection = Array.from({ length: 57 }, (_, i) => ({ _id: `u${i}`, n: (i * 37) % 11, s: i % 3 === 0 ? undefined : `k${i % 7}` }));

  function walk(request: QueryRequest, options = {}): { pages: number; all: string[] } {
    const all: string[] = [];
    let cookie: string | null | undefined;
    let pages = 0;
    do {
      const response = queryCollection(collection, cookie ? { ...request, pagedResultsCookie: cookie } : request, options);
      all.push(...response.result.map((r) => r._id));
      cookie = response.pagedResultsCookie;
      pages++;
    } while (cookie !== null && pages < 1000);
    return { pages, all };
  }

  it("returns a cookie while more remain and null on the last page", () => {
    const first = queryCollection(collection, { queryFilter: "true", pageSize: 50 });
    expect(first.pagedResultsCookie).toEqual(expect.any(String));
    const last = queryCollection(collection, { queryFilter: "true", pageSize: 50, pagedResultsCookie: first.pagedResultsCookie ?? "" });
    expect(last.resultCount).toBe(7);
    expect(last.pagedResultsCookie).toBeNull();
    expect(queryCollection(collection, { queryFilter: "true", pageSize: 57 }).pagedResultsCookie).toBeNull();
  });

  it("pages by offset", () => {
    const sorted = ids(queryCollection(collection, { queryFilter: "true", sortKeys: [{ field: ["n"], descending: false }] }));
    const page = queryCollection(collection, { queryFilter: "true", sortKeys: [{ field: ["n"], descending: false }], pageSize: 10, pagedResultsOffset: 20 });
    expect(ids(page)).toEqual(sorted.slice(20, 30));
    expect(queryCollection(collection, { queryFilter: "true", pagedResultsOffset: 100 }).result).toEqual([]);
  });

  const sortKeys = fc.array(fc.record({ field: fc.constantFrom(["n"], ["s"], ["_id"], ["missing"]), descending: fc.boolean() }), { maxLength: 2 });
  const filters = fc.constantFrom("true", "n gt 3", "s pr", "s sw 'k1' or n eq 0", "false", "!(n le 5)");

  it("walking every page gives the unpaged sorted result, once each, in order", () => {
    fc.assert(
      fc.property(filters, sortKeys, fc.integer({ min: 1, max: 20 }), fc.boolean(), (queryFilter, keys, pageSize, cached) => {
        const options = cached ? {} : { cache: false as const };
        const unpaged = ids(queryCollection(collection, { queryFilter, sortKeys: keys }, options));
        const { pages, all } = walk({ queryFilter, sortKeys: keys, pageSize, totalPagedResultsPolicy: "EXACT" }, options);
        expect(all).toEqual(unpaged);
        expect(new Set(all).size).toBe(all.length);
        expect(pages).toBe(Math.max(1, Math.ceil(unpaged.length / pageSize)));
        const model = collection.filter(compileFilter(parseFilter(queryFilter)));
        expect(all.length).toBe(model.length);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects cookies of another query, altered cookies, and cookie with offset", () => {
    const request: QueryRequest = { queryFilter: "n gt 2", sortKeys: [{ field: ["n"], descending: false }], pageSize: 5 };
    const cookie = queryCollection(collection, request).pagedResultsCookie ?? "";
    expect(queryCollection(collection, { ...request, pagedResultsCookie: cookie }).resultCount).toBe(5);
    for (const other of [{ ...request, queryFilter: "n gt 3" }, { ...request, sortKeys: [] }, { ...request, sortKeys: [{ field: ["n"], descending: true }] }]) {
      expect(badRequest(() => queryCollection(collection, { ...other, pagedResultsCookie: cookie })).message).toMatch(/another query/);
    }
    const [payload = "", mac = ""] = cookie.split(".");
    const forged = `${Buffer.from(JSON.stringify({ o: 0, q: "x" })).toString("base64url")}.${mac}`;
    const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
    for (const bad of [forged, flipped, `${payload}x.${mac}`, "", "a.b.c"]) {
      if (bad === "") continue;
      expect(badRequest(() => queryCollection(collection, { ...request, pagedResultsCookie: bad })).code).toBe(400);
    }
    expect(badRequest(() => queryCollection(collection, { ...request, pagedResultsCookie: cookie, pagedResultsOffset: 5 })).message).toMatch(/cannot be used together/);
    expect(badRequest(() => queryCollection(collection, { ...request, pagedResultsCookie: cookie }, { cookieSecret: "another" })).code).toBe(400);
  });

  it("keeps a walk consistent, and a new walk fresh, when data changes", () => {
    const data = [{ _id: "a" }, { _id: "b" }, { _id: "c" }];
    const cache = new QueryCache();
    const first = queryCollection(data, { queryFilter: "true", pageSize: 2 }, { cache });
    data.unshift({ _id: "0" });
    const second = queryCollection(data, { queryFilter: "true", pageSize: 2, pagedResultsCookie: first.pagedResultsCookie ?? "" }, { cache });
    expect(ids(first).concat(ids(second))).toEqual(["a", "b", "c"]);
    expect(ids(queryCollection(data, { queryFilter: "true", pageSize: 2 }, { cache }))).toEqual(["0", "a"]);
  });
});

describe("QueryCache", () => {
  it("evicts the least recently used entries and expires old ones", () => {
    const cache = new QueryCache({ maxEntries: 2, ttlMs: 1000 });
    const c = {};
    cache.set("a", c, [1], 0);
    cache.set("b", c, [2], 0);
    expect(cache.get("a", c, 10)).toEqual([1]);
    cache.set("c", c, [3], 10);
    expect(cache.get("b", c, 10)).toBeUndefined();
    expect(cache.get("a", c, 10)).toEqual([1]);
    expect(cache.get("a", c, 2000)).toBeUndefined();
    expect(cache.get("c", {}, 10)).toBeUndefined();
  });

  it("keeps the order of use when the same query is asked for page after page", () => {
    const cache = new QueryCache({ maxEntries: 2, ttlMs: 1000 });
    const c = {};
    cache.set("a", c, [1], 0);
    cache.set("b", c, [2], 0);
    expect(cache.get("b", c, 1)).toEqual([2]);
    expect(cache.get("a", c, 1)).toEqual([1]);
    expect(cache.get("a", c, 2)).toEqual([1]);
    cache.set("c", c, [3], 3); // b is the least recently used
    expect(cache.get("b", c, 3)).toBeUndefined();
    expect(cache.get("a", c, 3)).toEqual([1]);
    expect(cache.get("c", c, 3)).toEqual([3]);
    // An expired entry is gone, even if it was the last one used.
    expect(cache.get("c", c, 2000)).toBeUndefined();
    cache.set("d", c, [4], 2000);
    expect(cache.get("c", c, 2000)).toBeUndefined();
  });
});

describe("filter type safety", () => {
  it("accepts Filter trees as well as text", () => {
    const f: Filter = parseFilter("n gt 4");
    expect(queryCollection(users, { queryFilter: f }).resultCount).toBe(2);
  });
});

describe("queryCollection: hardening", () => {
  it("binds named-query pages and cookies to every other parameter the query reads", () => {
    const docs = Array.from({ length: 10 }, (_, i) => ({ _id: `d${i}`, owner: i < 5 ? "alice" : "bob" }));
    const queries = { mine: (rs: readonly unknown[], request: QueryRequest) => rs.filter((r) => (r as { owner: string }).owner === request.extra?.owner) };
    const cache = new QueryCache();
    const alice = queryCollection(docs, "_queryId=mine&owner=alice&_pageSize=2", { queries, cache });
    expect(ids(alice)).toEqual(["d0", "d1"]);
    // Bob, by offset, gets his own matches, not the cached ones of Alice.
    expect(ids(queryCollection(docs, "_queryId=mine&owner=bob&_pageSize=2&_pagedResultsOffset=2", { queries, cache }))).toEqual(["d7", "d8"]);
    // Bob replaying Alice's cookie is refused.
    const replay = badRequest(() => queryCollection(docs, `_queryId=mine&owner=bob&_pageSize=2&_pagedResultsCookie=${alice.pagedResultsCookie ?? ""}`, { queries, cache }));
    expect(replay.message).toMatch(/_pagedResultsCookie.*another query/);
    // Alice's own cookie still works.
    expect(ids(queryCollection(docs, `_queryId=mine&owner=alice&_pageSize=2&_pagedResultsCookie=${alice.pagedResultsCookie ?? ""}`, { queries, cache }))).toEqual(["d2", "d3"]);
  });

  it("binds cookies to case sensitivity", () => {
    const request: QueryRequest = { queryFilter: "s sw 'k'", pageSize: 2 };
    const collection = [{ _id: "1", s: "k1" }, { _id: "2", s: "K2" }, { _id: "3", s: "k3" }];
    const cookie = queryCollection(collection, request).pagedResultsCookie ?? "";
    expect(cookie).not.toBe("");
    const e = badRequest(() => queryCollection(collection, { ...request, pagedResultsCookie: cookie }, { caseSensitive: true }));
    expect(e.message).toMatch(/another query/);
  });

  it("never shares cached pages between callers with different operator implementations or named queries", () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({ _id: `r${i}`, n: i }));
    const even = { pick: (v: unknown) => typeof v === "number" && v % 2 === 0 };
    const odd = { pick: (v: unknown) => typeof v === "number" && v % 2 === 1 };
    const request = (cookie?: number) => ({ queryFilter: "n pick 0", pageSize: 2, ...(cookie === undefined ? {} : { pagedResultsOffset: cookie }) });
    // The default cache, shared by both callers.
    expect(ids(queryCollection(rows, request(), { extendedOperators: even }))).toEqual(["r0", "r2"]);
    expect(ids(queryCollection(rows, request(2), { extendedOperators: odd }))).toEqual(["r5"]);
    expect(ids(queryCollection(rows, request(2), { extendedOperators: even }))).toEqual(["r4"]);
    const first = { q: () => rows.slice(0, 3) };
    const second = { q: () => rows.slice(3) };
    expect(ids(queryCollection(rows, { queryId: "q", pageSize: 2 }, { queries: first }))).toEqual(["r0", "r1"]);
    expect(ids(queryCollection(rows, { queryId: "q", pageSize: 2, pagedResultsOffset: 2 }, { queries: second }))).toEqual(["r5"]);
  });

  it("does not keep a dropped collection alive through the default cache", async () => {
    const { setFlagsFromString } = await import("node:v8");
    const { runInNewContext } = await import("node:vm");
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const refs: Array<WeakRef<object>> = [];
    (() => {
      for (let k = 0; k < 3; k++) {
        const collection = Array.from({ length: 1000 }, (_, i) => ({ _id: `${k}-${i}` }));
        const resource = collection[0] as object;
        queryCollection(collection, { queryFilter: "true", pageSize: 10 });
        queryCollection(collection, { queryFilter: "true", pageSize: 10, pagedResultsOffset: 10 });
        refs.push(new WeakRef(collection), new WeakRef(resource));
      }
    })();
    for (let i = 0; i < 10 && refs.some((r) => r.deref() !== undefined); i++) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      gc();
    }
    expect(refs.map((r) => r.deref() === undefined)).toEqual(refs.map(() => true));
  });

  it("rejects more than 100 different _fields or _sortKeys in a typed request, and counts repeats once", () => {
    const field = (i: number) => [`f${i}`];
    expect(badRequest(() => queryCollection(users, { queryFilter: "true", fields: Array.from({ length: 101 }, (_, i) => field(i)) })).message).toContain("_fields");
    const keys = Array.from({ length: 101 }, (_, i) => ({ field: field(i), descending: false }));
    expect(badRequest(() => queryCollection(users, { queryFilter: "true", sortKeys: keys })).message).toContain("_sortKeys");
    const repeated = Array.from({ length: 5000 }, () => ({ field: ["sn"], descending: false }));
    expect(ids(queryCollection(users, { queryFilter: "true", sortKeys: repeated }))).toEqual(["2", "5", "3", "1", "4"]);
    expect(queryCollection(users, { queryFilter: "_id eq '1'", fields: Array.from({ length: 5000 }, () => ["sn"]) }).result).toEqual([{ _id: "1", _rev: "a", sn: "jensen" }]);
  });

  it("projects index segments at their places", () => {
    const r = { _id: "x", roles: [{ name: "a", x: 1 }, { name: "b", x: 2 }, { name: "c", x: 3 }] };
    expect(projectFields(r, [["roles", "0", "name"], ["roles", "1", "name"]])).toEqual({ _id: "x", roles: [{ name: "a" }, { name: "b" }] });
    expect(projectFields(r, [["roles", "2", "name"]])).toEqual({ _id: "x", roles: [null, null, { name: "c" }] });
    expect(projectFields(r, [["roles", "1"], ["roles", "x"]])).toEqual({ _id: "x", roles: [{ x: 1 }, { name: "b", x: 2 }, { x: 3 }] });
    expect(projectFields(r, [["roles", "1", "name"], ["roles"]])).toEqual(r);
    expect(projectFields({ _id: "y", m: [[1, 2], [3, 4]] }, [["m", "1", "0"]])).toEqual({ _id: "y", m: [null, [3]] });
    expect(projectFields(r, [["roles", "7", "name"]])).toEqual({ _id: "x" });
  });

  it("sorts and projects resources with arrays nested 100,000 deep", () => {
    let deep: unknown = [{ k: "z" }];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const rows = [{ _id: "1", v: deep }, { _id: "2", v: [{ k: "a" }] }, { _id: "3" }];
    expect(ids(queryCollection(rows, "_queryFilter=true&_sortKeys=v/k"))).toEqual(["2", "1", "3"]);
    expect(ids(queryCollection(rows, "_queryFilter=v/k eq 'z'"))).toEqual(["1"]);
    const projected = queryCollection(rows, "_queryFilter=_id eq '1'&_fields=v/k").result[0] as { v: unknown };
    let depth = 0;
    let node: unknown = projected.v;
    while (Array.isArray(node)) {
      node = node[0];
      depth++;
    }
    expect(depth).toBe(100_001);
    expect(node).toEqual({ k: "z" });
    expect(queryCollection(rows, "_queryFilter=_id eq '1'&_fields=v").result[0]).toEqual(rows[0]);
  });

  it("answers IDM's in operator, and rejects a value that is not a JSON array of values with a 400", () => {
    const people = [{ _id: "1", userName: "BJensen" }, { _id: "2", userName: "scarter" }, { _id: "3", userName: "tmorris" }];
    expect(ids(queryCollection(people, `_queryFilter=userName in '["bjensen","scarter"]'`))).toEqual(["1", "2"]);
    for (const bad of [`'{"a":1}'`, `'[["x"]]'`, `'[{"a":1}]'`, `'not json'`, "5", "true"]) {
      const e = badRequest(() => queryCollection(people, `_queryFilter=userName in ${encodeURIComponent(bad)}`));
      expect(e.code).toBe(400);
      expect(e.message).toContain("_queryFilter");
    }
    // A caller's own `in` wins.
    const everything = { in: () => true };
    expect(queryCollection(people, "_queryFilter=userName in 'anything'", { extendedOperators: everything }).resultCount).toBe(3);
  });
});

describe("queryCollection: first pages by top-k selection", () => {
  // Many ties, missing values, mixed types and arrays, so that stability decides often.
  const rows = Array.from({ length: 400 }, (_, i) => ({
    _id: `r${i}`,
    a: i % 5 === 0 ? undefined : i % 7,
    b: [["x", "Y", "z"][i % 3], i % 11 === 0 ? 3 : "w", i % 13 === 0 ? [i % 4, "q"] : "p"][i % 3],
  }));
  const keys = fc.array(fc.record({ field: fc.constantFrom(["a"], ["b"], ["_id"], ["none"]), descending: fc.boolean() }), { minLength: 1, maxLength: 2 });

  it("gives the same first page, ties and all, as a full stable sort", () => {
    fc.assert(
      fc.property(keys, fc.integer({ min: 1, max: 50 }), fc.constantFrom("true", "a gt 2", "b pr"), (sortKeys, pageSize, queryFilter) => {
        const full = ids(queryCollection(rows, { queryFilter, sortKeys }, { cache: false }));
        const first = queryCollection(rows, { queryFilter, sortKeys, pageSize }, { cache: false });
        expect(ids(first)).toEqual(full.slice(0, pageSize));
        // Pages after a top-k first page come from the full order.
        const cache = new QueryCache();
        const page1 = queryCollection(rows, { queryFilter, sortKeys, pageSize }, { cache });
        const page2 = queryCollection(rows, { queryFilter, sortKeys, pageSize, pagedResultsCookie: page1.pagedResultsCookie ?? "" }, { cache });
        expect(ids(page1).concat(ids(page2))).toEqual(full.slice(0, 2 * pageSize));
      }),
      { numRuns: 300 },
    );
  });
});

describe("queryCollection: filters built in code", () => {
  it("pages a filter nested deeper than the server's 63 groups (the cache key is not server text)", () => {
    let deep: Filter = { type: "presence", field: ["a"] };
    for (let i = 0; i < 70; i++) deep = { type: "not", filter: { type: "not", filter: deep } };
    const first = queryCollection([{ _id: "1", a: 1 }, { _id: "2", a: 2 }], { queryFilter: deep, pageSize: 1 });
    expect(first.result).toEqual([{ _id: "1", a: 1 }]);
    const second = queryCollection([{ _id: "1", a: 1 }, { _id: "2", a: 2 }], { queryFilter: deep, pageSize: 1, pagedResultsCookie: first.pagedResultsCookie ?? "" });
    expect(second.result).toEqual([{ _id: "2", a: 2 }]);
  });
});
