import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresCollectionStore, queryCollection, type PostgresExecutor, type SortKey } from "../src/index.js";
import { engineNames, openEngine, sayWhenServerSkipped, type Engine } from "./helpers/postgres-engines.js";

// Sorting by fields declared single-valued: plain sort columns an index can hold in order. The
// pages must still come in the in-memory engine's order, and the index must be able to serve them.

sayWhenServerSkipped();

// Declared single-valued: "a", "b" and the awkward name "q'\\x" (quote and backslash); "c" is not declared.
const ODD = "q'\\x";
const DECLARED = ["a", "b", ODD];
const value = fc.oneof(
  fc.constantFrom("a", "A", "b", "B", "é", "É", "ab", "", "😀", "%_", "Zz"),
  fc.constantFrom(-1, 0, 0.5, 2, 1e300, -0),
  fc.boolean(),
  fc.constant(null),
  fc.constant({ nested: 1 }),
);
const content = fc.record({ a: value, b: value, [ODD]: value, c: fc.oneof(value, fc.array(value, { maxLength: 3 })) }, { requiredKeys: [] });
const sortKey: fc.Arbitrary<SortKey> = fc.record({ field: fc.constantFrom(["a"], ["b"], [ODD], ["c"]), descending: fc.boolean() });

/** An executor that remembers the last page query (the SELECT with ORDER BY) it ran. */
function recording(db: PostgresExecutor): { db: PostgresExecutor; last: () => { text: string; values: unknown[] } } {
  let last = { text: "", values: [] as unknown[] };
  return {
    db: {
      query: ((text: string, values?: unknown[]) => {
        if (text.includes(" ORDER BY ")) last = { text, values: values ?? [] };
        return db.query(text, values);
      }) as PostgresExecutor["query"],
    },
    last: () => last,
  };
}

describe.each(engineNames)("sorting by declared single-valued fields on %s", (name) => {
  let engine: Engine;
  let store: PostgresCollectionStore;
  beforeAll(async () => {
    engine = await openEngine(name);
    await engine.db.query("DROP TABLE IF EXISTS sorted_users");
    store = await PostgresCollectionStore.open(engine.db, { table: "sorted_users", cookieSecret: "test", collations: engine.collations, scalarFields: DECLARED });
  }, 60_000);
  afterAll(async () => {
    await engine?.db.query("DROP TABLE IF EXISTS sorted_users");
    await engine?.close();
  });

  it("walks pages in the in-memory engine's order, by cookie and by offset", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(content, { maxLength: 10 }),
        fc.array(sortKey, { minLength: 1, maxLength: 2 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (contents, sortKeys, pageSize, useOffset) => {
          await store.clear();
          const resources = [];
          for (let i = 0; i < contents.length; i++) resources.push(await store.create(`r${i}`, contents[i] ?? {}));
          const expected = queryCollection(resources, { queryFilter: "true", sortKeys }, { cache: false }).result.map((r) => r._id);
          const seen: string[] = [];
          let cookie: string | undefined;
          for (let guard = 0; guard <= resources.length + 1; guard++) {
            const page = await store.query({ queryFilter: "true", sortKeys, pageSize, ...(useOffset ? { pagedResultsOffset: seen.length } : cookie === undefined ? {} : { pagedResultsCookie: cookie }) });
            seen.push(...page.result.map((r) => r._id));
            if (page.pagedResultsCookie === null) break;
            cookie = page.pagedResultsCookie;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: name === "pglite" ? 100 : 60 },
    );
  }, 240_000);

  it("writes an index statement that serves the sorted pages", async () => {
    await store.clear();
    for (let i = 0; i < 300; i++) await store.create(`u${String(i).padStart(3, "0")}`, { a: i % 7 === 0 ? null : `Name${(i * 37) % 101}`, [ODD]: i % 5, active: i % 2 === 0 });
    const spy = recording(engine.db);
    const watched = await PostgresCollectionStore.open(spy.db, { table: "sorted_users", cookieSecret: "test", collations: engine.collations, scalarFields: DECLARED, createTable: false });
    const both: SortKey[] = [{ field: ["a"], descending: false }, { field: [ODD], descending: true }];
    for (const [keys, index] of [
      [both, "sorted_users_a_odd"],
      ["-a", "sorted_users_a_desc"],
    ] as const) {
      const statement = watched.sortIndexStatement(keys, index);
      expect(statement).toMatch(/^CREATE INDEX "sorted_users_a_(odd|desc)" ON "sorted_users" \(/);
      expect(statement).not.toMatch(/\$[0-9]/);
      await engine.db.query(statement);
    }
    await engine.db.query("ANALYZE sorted_users");

    // With sequential scans and sorting priced out, a plan without a Sort node shows the index can
    // give the order by itself; the plan must name the index.
    const plan = async (request: Parameters<PostgresCollectionStore["query"]>[0]) => {
      const page = await watched.query(request);
      const { text, values } = spy.last();
      const explain = async (db: PostgresExecutor) => {
        await db.query("SET enable_seqscan = off");
        await db.query("SET enable_sort = off");
        try {
          const { rows } = await db.query(`EXPLAIN ${text}`, values);
          return (rows as Array<Record<string, string>>).map((r) => Object.values(r)[0]).join("\n");
        } finally {
          await db.query("RESET enable_seqscan");
          await db.query("RESET enable_sort");
        }
      };
      // A pool hands each statement to any connection: pin one for the SETs to apply.
      const pool = engine.db as PostgresExecutor & { connect?: () => Promise<PostgresExecutor & { release(): void }> };
      if (pool.connect === undefined) return { page, text: await explain(engine.db) };
      const client = await pool.connect();
      try {
        return { page, text: await explain(client) };
      } finally {
        client.release();
      }
    };

    const sortKeys = both;
    const first = await plan({ queryFilter: "active eq true", sortKeys, pageSize: 10 });
    expect(first.text).toContain("sorted_users_a_odd");
    expect(first.text).not.toMatch(/\bSort\b/);
    const memory = queryCollection((await store.query({ queryFilter: "true" })).result, { queryFilter: "active eq true", sortKeys, pageSize: 10 }, { cache: false });
    expect(first.page.result.map((r) => r._id)).toEqual(memory.result.map((r) => r._id));

    const descending = await plan({ queryFilter: "true", sortKeys: [{ field: ["a"], descending: true }], pageSize: 10 });
    expect(descending.text).toContain("sorted_users_a_desc");
    expect(descending.text).not.toMatch(/\bSort\b/);

    // Every key ascending: the next page seeks to the cookie's position (an index condition).
    await engine.db.query(watched.sortIndexStatement("a", "sorted_users_a"));
    await engine.db.query("ANALYZE sorted_users");
    const ascending = await plan({ queryFilter: "true", sortKeys: [{ field: ["a"], descending: false }], pageSize: 10 });
    const cookie = ascending.page.pagedResultsCookie;
    expect(cookie).not.toBeNull();
    const next = await plan({ queryFilter: "true", sortKeys: [{ field: ["a"], descending: false }], pageSize: 10, pagedResultsCookie: cookie as string });
    expect(next.text).toContain("sorted_users_a");
    expect(next.text).toMatch(/Index Cond: \(ROW\(/);
    expect(next.text).not.toMatch(/\bSort\b/);
  }, 120_000);

  it("refuses an index for a field that is not declared single-valued", () => {
    expect(() => store.sortIndexStatement("c")).toThrow(/Field "?\/?c"? is not declared in scalarFields/);
    expect(() => store.sortIndexStatement("a,c")).toThrow(TypeError);
    expect(() => store.sortIndexStatement([])).toThrow(/at least one sort key/);
  });
});
