import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builderCode, DEFAULT_STATE, queryMatches, readInput, stateFromHash, stateToHash, valueAt, type PlaygroundState } from "../playground/model.js";
import * as lib from "../src/index.js";
import { filterEquals, formatFilter, matchesFilter, parseFilter, type Filter } from "../src/index.js";
import { filter as anyFilter } from "./helpers/arbitraries.js";

const users = JSON.parse(readFileSync(new URL("../examples/users.json", import.meta.url), "utf8")) as unknown[];

// The model of the builder's grouping: nested groups of the same kind become one.
function flatten(f: Filter): Filter {
  switch (f.type) {
    case "and":
    case "or":
      return { type: f.type, filters: f.filters.map(flatten).flatMap((c) => (c.type === f.type ? c.filters : [c])) };
    case "not":
      return { type: "not", filter: flatten(f.filter) };
    default:
      return f;
  }
}

/** Run the generated code with the real builder and give back the filter it builds. */
function runBuilderCode(code: string): Filter {
  const match = /^import \{ ([\w, ]+) \} from "crest-query";\n\nconst filter = ([^]*);\n$/.exec(code);
  expect(match).not.toBeNull();
  const names = (match?.[1] ?? "").split(", ");
  const values = names.map((n) => (lib as Record<string, unknown>)[n]);
  return new Function(...names, `return ${match?.[2] ?? ""};`)(...values) as Filter;
}

describe("builderCode", () => {
  it("builds the same filter with the real builder, for any printable filter", () => {
    fc.assert(
      fc.property(anyFilter, (filter) => {
        let text: string;
        try {
          text = formatFilter(filter);
        } catch {
          return;
        }
        const parsed = parseFilter(text);
        const built = runBuilderCode(builderCode(parsed));
        expect(filterEquals(built, flatten(parsed))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("reads like code a person writes: imports what it uses, numbers as numbers", () => {
    expect(builderCode(parseFilter("/mail co 'x' and (/n ge 2 or /r lt 1.5) and /d eq 2.0"))).toBe(
      'import { and, decimal, field, or } from "crest-query";\n\nconst filter = and(\n  field("/mail").co("x"),\n  or(field("/n").ge(2), field("/r").lt(1.5)),\n  field("/d").eq(decimal(2)),\n);\n',
    );
    expect(builderCode(parseFilter("true"))).toBe('import { always } from "crest-query";\n\nconst filter = always();\n');
    expect(builderCode(parseFilter("/big eq 9223372036854775807 and !(/a regex 'x')"))).toContain('field("/big").eq(9223372036854775807n)');
    expect(builderCode(parseFilter("/a regex 'x'"))).toContain('field("/a").op("regex", "x")');
  });
});

describe("readInput", () => {
  it("takes the filter and the other parameters from a whole URL", () => {
    const url = "https://idm.example.com/openidm/managed/alpha_user?_queryFilter=%2Fsn%20eq%20%22O%27Brien%22+and+%2Fn+gt+1&_sortKeys=-sn,givenName&_fields=userName%2Csn&_pageSize=50";
    expect(readInput(url)).toEqual({ filter: "/sn eq \"O'Brien\" and /n gt 1", kind: "url", sort: "-sn,givenName", fields: "userName,sn", pageSize: 50 });
    expect(readInput("/openidm/managed/user?_queryFilter=true").filter).toBe("true");
    expect(readInput("_queryFilter=a%20pr").filter).toBe("a pr");
  });

  it("decodes an encoded value, and leaves filters alone", () => {
    expect(readInput("%2Fmail+co+%22x%22")).toEqual({ filter: '/mail co "x"', kind: "encoded" });
    for (const text of ['/a eq "?_queryFilter=1"', "/a%2Fb pr", "(true)and(false)", "/n eq +1", '/a eq "100%25"']) {
      expect(readInput(text)).toEqual({ filter: text, kind: "filter" });
    }
  });

  it("explains an encoding it cannot read", () => {
    const read = readInput("?_queryFilter=%2Fa%ZZ");
    expect(read.kind).toBe("url");
    expect(read.problem).toMatch(/%/);
  });

  it("never mistakes a filter for an encoded value", () => {
    fc.assert(
      fc.property(anyFilter, (filter) => {
        let text: string;
        try {
          text = formatFilter(filter);
        } catch {
          return;
        }
        const read = readInput(text);
        if (read.kind !== "filter") expect(filterEquals(parseFilter(read.filter), parseFilter(text))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe("state in the hash", () => {
  it("round-trips every state", () => {
    const state = fc.record({
      filter: fc.string({ maxLength: 60 }),
      sort: fc.string({ maxLength: 20 }),
      fields: fc.string({ maxLength: 20 }),
      pageSize: fc.constantFrom(10, 20, 50, 100),
      page: fc.integer({ min: 1, max: 1000 }),
      caseSensitive: fc.boolean(),
    });
    fc.assert(
      fc.property(state, (s: PlaygroundState) => {
        expect(stateFromHash(stateToHash(s))).toEqual(s);
      }),
    );
  });

  it("falls back to defaults for what is missing or out of range", () => {
    expect(stateFromHash("")).toEqual(DEFAULT_STATE);
    expect(stateFromHash("#filter=a%20pr&size=7&page=-3")).toEqual({ ...DEFAULT_STATE, filter: "a pr" });
    expect(stateFromHash(`#filter=${"x".repeat(50_000)}`).filter.length).toBe(20_000);
  });
});

describe("queryMatches", () => {
  it("counts what the evaluator matches, and pages through the sorted matches", () => {
    const filter = parseFilter('/accountStatus eq "active" and /loginCount gt 100');
    const expected = users.filter((u) => matchesFilter(filter, u)).length;
    const state = { ...DEFAULT_STATE, sort: "-loginCount", pageSize: 10, page: 2 };
    const view = queryMatches(users, filter, state);
    expect(view.total).toBe(expected);
    expect(view.rows).toHaveLength(10);
    expect(view.firstIndex).toBe(10);
    const counts = view.rows.map((r) => (r as { loginCount: number }).loginCount);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it("shows the tested fields as columns, or exactly the _fields", () => {
    const filter = parseFilter("/postalAddress/city co 'kyo'");
    expect(queryMatches(users, filter, DEFAULT_STATE).columns).toContainEqual(["postalAddress", "city"]);
    expect(queryMatches(users, filter, { ...DEFAULT_STATE, fields: "mail,sn" }).columns).toEqual([["mail"], ["sn"]]);
  });

  it("reports bad sort keys and fields instead of failing", () => {
    const view = queryMatches(users, parseFilter("true"), { ...DEFAULT_STATE, sort: "-", fields: "a%zz" });
    expect(view.sortProblem).toBeDefined();
    expect(view.fieldsProblem).toBeDefined();
    expect(view.total).toBe(users.length);
  });

  it("valueAt reads through objects and arrays", () => {
    const user = { roles: [{ id: "a" }, { id: "b" }], p: { c: 1 } };
    expect(valueAt(user, ["roles", "id"])).toEqual(["a", "b"]);
    expect(valueAt(user, ["roles", "1", "id"])).toBe("b");
    expect(valueAt(user, ["p", "c"])).toBe(1);
    expect(valueAt(user, ["x"])).toBeUndefined();
  });
});
