import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CrestError, field, formatQueryParams, parseFilter, parseQueryParams, type QueryRequest } from "../src/index.js";
import { caught } from "./helpers/errors.js";
import { filter as arbitraryFilter, pointer } from "./helpers/arbitraries.js";

const badRequest = (build: () => unknown): CrestError => caught(CrestError, build);

describe("parseQueryParams", () => {
  it("reads every parameter from a query string, URL, URLSearchParams or object", () => {
    const text = "_queryFilter=mail+co+%22example%22&_fields=mail,sn&_sortKeys=-sn,%2BgivenName&_pageSize=10&_pagedResultsOffset=20&_totalPagedResultsPolicy=exact&_prettyPrint=true&x=1";
    const expected: QueryRequest = {
      queryFilter: parseFilter('mail co "example"'),
      fields: [["mail"], ["sn"]],
      sortKeys: [
        { field: ["sn"], descending: true },
        { field: ["givenName"], descending: false },
      ],
      pageSize: 10,
      pagedResultsOffset: 20,
      totalPagedResultsPolicy: "EXACT",
      prettyPrint: true,
      extra: { x: "1" },
    };
    expect(parseQueryParams(text)).toEqual(expected);
    expect(parseQueryParams(`?${text}`)).toEqual(expected);
    expect(parseQueryParams(`https://idm.example.com/openidm/managed/user?${text}`)).toEqual(expected);
    expect(parseQueryParams(new URL(`https://x/y?${text}`))).toEqual(expected);
    expect(parseQueryParams(new URLSearchParams(text))).toEqual(expected);
    expect(
      parseQueryParams({
        _queryFilter: 'mail co "example"',
        _fields: "mail,sn",
        _sortKeys: ["-sn", "+givenName"],
        _pageSize: 10,
        _pagedResultsOffset: 20,
        _totalPagedResultsPolicy: "EXACT",
        _prettyPrint: true,
        x: "1",
      }),
    ).toEqual(expected);
  });

  it("matches parameter names ignoring case", () => {
    expect(parseQueryParams("_QUERYFILTER=true&_PageSize=5")).toEqual({ queryFilter: { type: "literal", value: true }, pageSize: 5 });
  });

  it.each([
    ["_queryFilter=a+eq", "_queryFilter"],
    ["_queryFilter=true&_queryId=query-all", "_queryFilter and _queryId"],
    ["_pageSize=-1", "_pageSize"],
    ["_pageSize=1.5", "_pageSize"],
    ["_pageSize=ten", "_pageSize"],
    ["_pagedResultsOffset=-3", "_pagedResultsOffset"],
    ["_totalPagedResultsPolicy=SOME", "_totalPagedResultsPolicy"],
    ["_prettyPrint=maybe", "_prettyPrint"],
    ["_pageSize=1&_pageSize=2", "_pageSize"],
    ["_pagedResultsCookie=abc&_pagedResultsOffset=1", "_pagedResultsCookie and _pagedResultsOffset"],
    ["_fields=a%23b", "_fields"],
    ["_sortKeys=-", "_sortKeys"],
    ["_sortKeys=,a", "_sortKeys"],
    ["_sortKeys=a,,b", "_sortKeys"],
    ["_sortKeys=a,", "_sortKeys"],
    ["_sortKeys=a&_sortKeys=", "_sortKeys"],
    [`_fields=${Array.from({ length: 101 }, (_, i) => `f${i}`).join(",")}`, "_fields"],
    [`_sortKeys=${Array.from({ length: 101 }, (_, i) => `f${i}`).join(",")}`, "_sortKeys"],
    ["_queryFilter=%zz", "_queryFilter"],
    ["_queryId=", "_queryId"],
  ])("rejects %s with a 400 naming %s", (text, name) => {
    const e = badRequest(() => parseQueryParams(text));
    expect(e.code).toBe(400);
    expect(e.reason).toBe("Bad Request");
    expect(e.message).toContain(name);
  });

  it("puts the filter's syntax error position in the detail", () => {
    const e = badRequest(() => parseQueryParams("_queryFilter=a+eq"));
    expect(e.detail).toMatchObject({ parameter: "_queryFilter", offset: 4, line: 1, column: 5 });
    expect(e.toJSON()).toMatchObject({ code: 400, reason: "Bad Request" });
  });

  it("counts repeated _fields and _sortKeys once, in linear time", () => {
    // 16 KB of repeats: each distinct entry is read once.
    const many = (item: string) => Array.from({ length: 4000 }, () => item).join(",");
    expect(parseQueryParams(`_fields=${many("mail")},sn,/mail`).fields).toEqual([["mail"], ["sn"]]);
    expect(parseQueryParams(`_sortKeys=${many("-sn")},givenName,sn,+sn`).sortKeys).toEqual([
      { field: ["sn"], descending: true },
      { field: ["givenName"], descending: false },
    ]);
    // 100 different keys are fine.
    expect(parseQueryParams(`_fields=${Array.from({ length: 100 }, (_, i) => `f${i}`).join(",")}`).fields).toHaveLength(100);
  });

  it("keeps extra parameters, even ones named like Object.prototype members", () => {
    const request = parseQueryParams("_queryFilter=true&__proto__=x&constructor=y");
    expect(request.extra).toEqual({ ["__proto__"]: "x", constructor: "y" });
    expect(Object.getPrototypeOf(request.extra)).toBe(Object.prototype);
  });
});

describe("formatQueryParams", () => {
  it("encodes every value as SPEC §2 says", () => {
    expect(formatQueryParams({ queryFilter: field("mail").eq("a+b c&d"), fields: [["a,b"], ["c"]], sortKeys: [{ field: ["sn"], descending: true }], pageSize: 5 })).toBe(
      "_queryFilter=%2Fmail%20eq%20%22a%2Bb%20c%26d%22&_fields=%2Fa%252Cb%2C%2Fc&_sortKeys=-%2Fsn&_pageSize=5",
    );
  });

  it("round-trips through parseQueryParams", () => {
    const request = fc.record(
      {
        queryFilter: arbitraryFilter,
        fields: fc.array(pointer.filter((p) => p.length > 0), { maxLength: 3 }),
        sortKeys: fc.array(fc.record({ field: pointer.filter((p) => p.length > 0), descending: fc.boolean() }), { maxLength: 3 }),
        pageSize: fc.nat(1000),
        totalPagedResultsPolicy: fc.constantFrom("NONE" as const, "EXACT" as const, "ESTIMATE" as const),
        prettyPrint: fc.boolean(),
      },
      { requiredKeys: ["queryFilter"] },
    );
    fc.assert(
      fc.property(request, (r) => {
        // Repeated fields and sort keys on a field already sorted by count once.
        const firstOf = <T>(items: readonly T[], name: (item: T) => string) => items.filter((x, i) => items.findIndex((y) => name(y) === name(x)) === i);
        const normalised = { ...r } as Record<string, unknown>;
        if (r.fields !== undefined) normalised.fields = firstOf(r.fields, (p) => JSON.stringify(p));
        if (r.sortKeys !== undefined) normalised.sortKeys = firstOf(r.sortKeys, (k) => JSON.stringify(k.field));
        if ((r.fields ?? []).length === 0) delete normalised.fields;
        if ((r.sortKeys ?? []).length === 0) delete normalised.sortKeys;
        expect(parseQueryParams(formatQueryParams(r))).toEqual(normalised);
      }),
      { numRuns: 500 },
    );
  });
});
