import { describe, expect, it } from "vitest";
import { CrestError, parseFilter, QueryCache, queryCollection, type QueryRequest } from "../src/index.js";
import { sealCookie } from "../src/query/signing.js";
import { caught } from "./helpers/errors.js";

// Tests written to kill the mutants Stryker found alive in src/query/query-engine.ts: the query
// cache's options and freshness, the paging cookie's position, what binds a cookie and a cache
// entry, the parameter limits, and the caller's array and objects left as they were.

const users = Array.from({ length: 12 }, (_, i) => ({ _id: `u${i}`, _rev: "1", n: i, sn: `s${i % 3}`, team: i % 2 === 0 ? "a" : "b" }));
const ids = (r: { result: readonly unknown[] }) => r.result.map((x) => (x as { _id: string })._id);
const badRequest = (run: () => unknown): CrestError => {
  const error = caught(CrestError, run);
  expect(error.code).toBe(400);
  return error;
};

describe("QueryCache options and freshness", () => {
  it("refuses counts that are not whole numbers in range, naming the option", () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => new QueryCache({ maxEntries })).toThrow(new RangeError(`QueryCache maxEntries must be a positive integer, not ${String(maxEntries)}`));
    }
    for (const ttlMs of [-1, 0.5, Number.POSITIVE_INFINITY]) {
      expect(() => new QueryCache({ ttlMs })).toThrow(new RangeError(`QueryCache ttlMs must be a non-negative integer, not ${String(ttlMs)}`));
    }
    expect(() => new QueryCache({ maxEntries: 1, ttlMs: 0 })).not.toThrow();
  });

  it("keeps an entry exactly ttlMs old and drops it one millisecond later", () => {
    const cache = new QueryCache({ maxEntries: 4, ttlMs: 100 });
    const c = {};
    expect(cache.get("a", c, 0)).toBeUndefined();
    cache.set("a", c, [1], 0);
    expect(cache.get("a", c, 100)).toEqual([1]);
    expect(cache.get("a", c, 101)).toBeUndefined();
    // When a new entry comes in, an older one exactly ttlMs old stays.
    cache.set("b", c, [2], 0);
    cache.set("c", c, [3], 100);
    expect(cache.get("b", c, 100)).toEqual([2]);
    cache.set("d", c, [4], 101);
    expect(cache.get("b", c, 101)).toBeUndefined();
    expect(cache.get("c", c, 101)).toEqual([3]);
  });

  it("forgets everything on clear()", () => {
    const cache = new QueryCache();
    const c = {};
    cache.set("a", c, [1], 0);
    cache.clear();
    expect(cache.get("a", c, 0)).toBeUndefined();
    // Pages of a walk begun before clear() are computed again, from the data as it is now.
    const data = users.map((u) => ({ ...u }));
    const first = queryCollection(data, { queryFilter: "true", pageSize: 4, sortKeys: [{ field: ["n"], descending: false }] }, { cache });
    data.reverse();
    cache.clear();
    data.splice(0, 12);
    const next = queryCollection(data, { queryFilter: "true", pageSize: 4, sortKeys: [{ field: ["n"], descending: false }], pagedResultsCookie: first.pagedResultsCookie ?? "" }, { cache });
    expect(next.result).toEqual([]);
  });

  it("uses the cache given, and none with cache: false", () => {
    const data = users.map((u) => ({ ...u }));
    const request: QueryRequest = { queryFilter: "true", pageSize: 4, sortKeys: [{ field: ["n"], descending: false }] };
    for (const [cache, snapshot] of [[new QueryCache(), true], [false, false]] as const) {
      const copy = data.map((u) => ({ ...u }));
      const first = queryCollection(copy, request, { cache });
      copy.splice(0, 1); // u0 goes: a snapshot still has it on page 2's offset
      const second = queryCollection(copy, { ...request, pagedResultsCookie: first.pagedResultsCookie ?? "" }, { cache });
      expect(ids(second)).toEqual(snapshot ? ["u4", "u5", "u6", "u7"] : ["u5", "u6", "u7", "u8"]);
    }
  });
});

describe("what a page reads: fresh data or the walk's snapshot", () => {
  const request: QueryRequest = { queryFilter: "true", pageSize: 3, sortKeys: [{ field: ["n"], descending: false }] };

  it("reads current data on a first page, and the snapshot by offset or cookie", () => {
    const cache = new QueryCache();
    const data = users.map((u) => ({ ...u }));
    queryCollection(data, request, { cache });
    data.shift();
    // A first page again: u0 is gone.
    expect(ids(queryCollection(data, request, { cache }))).toEqual(["u1", "u2", "u3"]);
    const first = queryCollection(data, request, { cache });
    data.shift();
    expect(ids(queryCollection(data, { ...request, pagedResultsOffset: 3 }, { cache }))).toEqual(["u4", "u5", "u6"]);
    expect(ids(queryCollection(data, { ...request, pagedResultsCookie: first.pagedResultsCookie ?? "" }, { cache }))).toEqual(["u4", "u5", "u6"]);
  });

  it("keeps no snapshot of an unpaged query", () => {
    const cache = new QueryCache();
    const data = users.map((u) => ({ ...u }));
    expect(queryCollection(data, { queryFilter: "true", sortKeys: request.sortKeys }, { cache }).resultCount).toBe(12);
    data.shift();
    expect(ids(queryCollection(data, { ...request, pagedResultsOffset: 3 }, { cache }))).toEqual(["u4", "u5", "u6"]);
  });

  it("keeps a snapshot of a page reached by offset without a page size", () => {
    const cache = new QueryCache();
    const data = users.map((u) => ({ ...u }));
    const sortKeys = request.sortKeys;
    expect(ids(queryCollection(data, { queryFilter: "true", sortKeys, pagedResultsOffset: 10 }, { cache }))).toEqual(["u10", "u11"]);
    data.shift();
    expect(ids(queryCollection(data, { queryFilter: "true", sortKeys, pagedResultsOffset: 10 }, { cache }))).toEqual(["u10", "u11"]);
  });

  it("never reorders the caller's array, nor hands back a cookie after the last page", () => {
    const data = users.map((u) => ({ ...u }));
    const before = ids({ result: data });
    const desc = { queryFilter: "true", sortKeys: [{ field: ["n"], descending: true }] };
    expect(ids(queryCollection(data, desc))).toEqual([...before].reverse());
    expect(ids(queryCollection(data, { ...desc, pageSize: 12 }))).toEqual([...before].reverse());
    expect(ids({ result: data })).toEqual(before);
    const last = queryCollection(data, { ...desc, pageSize: 5, pagedResultsOffset: 10 });
    expect(last.pagedResultsCookie).toBeNull();
    expect(queryCollection(data, { ...desc, pageSize: 12 }).pagedResultsCookie).toBeNull();
    expect(queryCollection(data, { ...desc, pageSize: 11 }).pagedResultsCookie).not.toBeNull();
  });

  it("returns the stored objects themselves without _fields", () => {
    const data = users.map((u) => ({ ...u }));
    const page = queryCollection(data, { queryFilter: "n eq 3" });
    expect(page.result[0]).toBe(data[3]);
    expect(queryCollection(data, { queryFilter: "n eq 3", fields: [["sn"]] }).result[0]).toEqual({ _id: "u3", _rev: "1", sn: "s0" });
  });
});

describe("paging cookies", () => {
  it("refuses a genuine cookie whose position is not a non-negative whole number", () => {
    const request: QueryRequest = { queryFilter: "true", pageSize: 2 };
    const first = queryCollection(users, request, { cookieSecret: "k" });
    const q = JSON.parse(atob((first.pagedResultsCookie ?? "").split(".")[0]?.replace(/-/g, "+").replace(/_/g, "/") ?? "")).q as string;
    for (const o of [-1, 1.5, "2", null]) {
      const cookie = sealCookie("k", { o, q });
      expect(badRequest(() => queryCollection(users, { ...request, pagedResultsCookie: cookie }, { cookieSecret: "k" })).message).toBe("Invalid _pagedResultsCookie: it holds no valid position");
    }
    expect(ids(queryCollection(users, { ...request, pagedResultsCookie: sealCookie("k", { o: 0, q }) }, { cookieSecret: "k" }))).toEqual(["u0", "u1"]);
    expect(ids(queryCollection(users, { ...request, pagedResultsCookie: sealCookie("k", { o: 11, q }) }, { cookieSecret: "k" }))).toEqual(["u11"]);
  });

  it("binds a cookie to the sort order, its directions and fields, and to the named query and its parameters", () => {
    const refuse = (request: QueryRequest, cookie: string | null, options = {}) =>
      expect(badRequest(() => queryCollection(users, { ...request, pagedResultsCookie: cookie ?? "" }, options)).message).toMatch(/belongs to another query/);
    const byN = { queryFilter: "true", pageSize: 2, sortKeys: [{ field: ["n"], descending: false }] };
    const cookie = queryCollection(users, byN).pagedResultsCookie;
    refuse({ ...byN, sortKeys: [{ field: ["n"], descending: true }] }, cookie);
    refuse({ ...byN, sortKeys: [{ field: ["sn"], descending: false }] }, cookie);
    refuse({ ...byN, sortKeys: [] }, cookie);
    refuse({ ...byN, sortKeys: [{ field: ["n"], descending: false }, { field: ["sn"], descending: false }] }, cookie);
    refuse(byN, cookie, { caseSensitive: true });
    expect(ids(queryCollection(users, { ...byN, pagedResultsCookie: cookie ?? "" }))).toEqual(["u2", "u3"]);
    // Named queries: the id, and every other parameter in any order.
    const queries = { team: (rs: readonly unknown[], r: QueryRequest) => rs.filter((x) => (x as { team: string }).team === r.extra?.team), other: (rs: readonly unknown[]) => rs };
    const named = { queryId: "team", pageSize: 2, extra: { team: "a", z: "1" } };
    const teamCookie = queryCollection(users, named, { queries }).pagedResultsCookie;
    expect(ids(queryCollection(users, { ...named, extra: { z: "1", team: "a" }, pagedResultsCookie: teamCookie ?? "" }, { queries }))).toEqual(["u4", "u6"]);
    refuse({ ...named, extra: { team: "a", z: "2" } }, teamCookie, { queries });
    refuse({ ...named, extra: { team: "a" } }, teamCookie, { queries });
    refuse({ ...named, queryId: "other" }, teamCookie, { queries });
    refuse({ queryFilter: "true", pageSize: 2 }, teamCookie, { queries });
  });

  it("binds pages to the implementation of each extended operator the filter uses", () => {
    const cache = new QueryCache();
    const request: QueryRequest = { queryFilter: "n near 4", pageSize: 2 };
    const near = (v: unknown, a: unknown) => Math.abs(Number(v) - Number(a)) <= 2;
    const far = (v: unknown, a: unknown) => Math.abs(Number(v) - Number(a)) > 2;
    const first = queryCollection(users, request, { cache, extendedOperators: { near } });
    expect(ids(first)).toEqual(["u2", "u3"]);
    const other = queryCollection(users, { ...request, pagedResultsOffset: 2 }, { cache, extendedOperators: { near: far } });
    expect(ids(other)).toEqual(["u7", "u8"]);
    // An operator the filter does not use changes nothing.
    const same = queryCollection(users, { ...request, pagedResultsCookie: first.pagedResultsCookie ?? "" }, { cache, extendedOperators: { near, unused: far } });
    expect(ids(same)).toEqual(["u4", "u5"]);
    // Only own functions count as implementations.
    const inherited = Object.create({ near }) as Record<string, typeof near>;
    expect(queryCollection(users, { queryFilter: "n near 4" }, { extendedOperators: inherited }).resultCount).toBe(0);
    expect(queryCollection(users, { queryFilter: "n near 4" }, { extendedOperators: { near: "yes" as unknown as typeof near } }).resultCount).toBe(0);
  });
});

describe("parameter limits", () => {
  it("refuses a sort key naming no field, and more than 100 different keys or fields", () => {
    expect(badRequest(() => queryCollection(users, { queryFilter: "true", sortKeys: [{ field: [], descending: false }] })).message).toBe("Invalid _sortKeys: a key names no field");
    const keys = (k: number) => Array.from({ length: k }, (_, i) => ({ field: [`f${i}`], descending: false }));
    expect(queryCollection(users, { queryFilter: "true", sortKeys: keys(100) }).resultCount).toBe(12);
    expect(badRequest(() => queryCollection(users, { queryFilter: "true", sortKeys: keys(101) })).message).toBe("Invalid _sortKeys: more than 100 different keys");
    const fields = (k: number) => Array.from({ length: k }, (_, i) => [`f${i}`]);
    expect(queryCollection(users, { queryFilter: "true", fields: fields(100) }).resultCount).toBe(12);
    expect(badRequest(() => queryCollection(users, { queryFilter: "true", fields: fields(101) })).message).toBe("Invalid _fields: more than 100 different fields");
    const deep = (k: number) => [Array.from({ length: k }, () => "x")];
    expect(queryCollection(users, { queryFilter: "true", fields: deep(1000) }).resultCount).toBe(12);
    expect(badRequest(() => queryCollection(users, { queryFilter: "true", fields: deep(1001) })).message).toBe("Invalid _fields: a field has 1001 segments, at most 1000 are allowed");
  });

  it("tells fields apart by every segment, and keeps each once", () => {
    const data = [{ _id: "x", _rev: "1", a: { b: 1, c: 2, d: 3 } }];
    expect(queryCollection(data, { queryFilter: "true", fields: [["a", "b"], ["a", "c"], ["a", "b"]] }).result).toEqual([{ _id: "x", _rev: "1", a: { b: 1, c: 2 } }]);
    expect(queryCollection(data, { queryFilter: "true", sortKeys: [{ field: ["a", "b"], descending: true }, { field: ["a", "c"], descending: false }] }).resultCount).toBe(1);
  });

  it("answers query-all-ids with _id and _rev only", () => {
    expect(queryCollection(users.slice(0, 2), { queryId: "query-all-ids" }).result).toEqual([{ _id: "u0", _rev: "1" }, { _id: "u1", _rev: "1" }]);
  });

  it("checks the list of every `in` test, naming its field, and no other test's value", () => {
    const error = badRequest(() => queryCollection(users, { queryFilter: "n eq 1 and sn in \"7\"" }));
    expect(error.message).toBe("Invalid _queryFilter: operator 'in' needs a JSON array of values (field /sn)");
    expect(error.detail).toMatchObject({ parameter: "_queryFilter" });
    expect(queryCollection(users, { queryFilter: parseFilter('n eq 1 or n gt 10 or sn in "[\\"s2\\"]"') }).resultCount).toBe(5);
  });

  it("says what a named query returned when it is not an array", () => {
    const queries = { broken: () => "nope" as unknown as unknown[] };
    expect(() => queryCollection(users, { queryId: "broken" }, { queries })).toThrow(new TypeError("The named query 'broken' returned string, not an array"));
  });
});
