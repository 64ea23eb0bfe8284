import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CrestError, PostgresCollectionStore, queryCollection, type Filter, type SortKey } from "../src/index.js";
import { engineNames, openEngine, sayWhenServerSkipped, type Engine } from "./helpers/postgres-engines.js";

sayWhenServerSkipped();

const keys = fc.constantFrom("a", "b", "0");
const scalar = fc.oneof(
  fc.constantFrom("a", "A", "b", "B", "é", "É", "ab", "", "😀", "%_"),
  fc.constantFrom(-1, 0, 0.5, 2, 1e300, 9007199254740992),
  fc.boolean(),
  fc.constant(null),
);
const json: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(keys, tie("v"), { maxKeys: 2 })),
})).v;
const content = fc.dictionary(keys, json, { maxKeys: 3 });
const filter: fc.Arbitrary<Filter> = fc.oneof(
  fc.constant<Filter>({ type: "literal", value: true }),
  fc.array(keys, { minLength: 1, maxLength: 2 }).map((field): Filter => ({ type: "presence", field })),
  fc
    .record({ operator: fc.constantFrom("eq", "lt", "ge", "co"), field: fc.array(keys, { minLength: 1, maxLength: 2 }), value: fc.oneof(fc.constantFrom("a", "B", "é"), fc.constantFrom(0n, 1n), fc.boolean()) })
    .map((c): Filter => ({ type: "comparison", ...c })),
);
const sortKey: fc.Arbitrary<SortKey> = fc.record({ field: fc.array(keys, { minLength: 1, maxLength: 2 }), descending: fc.boolean() });

async function expectCrest(promise: Promise<unknown>, code: number, message?: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CrestError);
  expect((error as CrestError).code).toBe(code);
  if (message !== undefined) expect((error as CrestError).message).toMatch(message);
}

describe.each(engineNames)("PostgresCollectionStore on %s", (name) => {
  let engine: Engine;
  let store: PostgresCollectionStore;
  beforeAll(async () => {
    engine = await openEngine(name);
    await engine.db.query("DROP TABLE IF EXISTS store_users");
    store = await PostgresCollectionStore.open(engine.db, { table: "store_users", cookieSecret: "test", collations: engine.collations });
  }, 60_000);
  afterAll(async () => {
    await engine?.db.query("DROP TABLE IF EXISTS store_users");
    await engine?.close();
  });

  it("creates, reads, updates with revisions, deletes and clears", async () => {
    await store.clear();
    const created = await store.create("bjensen", { _id: "ignored", _rev: "9", sn: "Jensen" });
    expect(created).toEqual({ _id: "bjensen", _rev: "0", sn: "Jensen" });
    await expectCrest(store.create("bjensen", { sn: "x" }), 412, /already exists/);
    expect(await store.read("bjensen")).toEqual(created);
    expect(await store.read("nobody")).toBeUndefined();
    const updated = await store.update("bjensen", { sn: "J2" }, { ifMatch: "0" });
    expect(updated).toEqual({ _id: "bjensen", _rev: "1", sn: "J2" });
    await expectCrest(store.update("bjensen", { sn: "lost" }, { ifMatch: "0" }), 412, /revision 1/);
    expect((await store.read("bjensen"))?.sn).toBe("J2");
    await expectCrest(store.update("nobody", { sn: "x" }), 404);
    // Two writers holding the same revision: exactly one wins.
    const both = await Promise.allSettled([store.update("bjensen", { sn: "A" }, { ifMatch: "1" }), store.update("bjensen", { sn: "B" }, { ifMatch: "1" })]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    await expectCrest(store.create("bad", { s: "a\u0000b" }), 400, /NUL/);
    const generated = await store.create(undefined, { sn: "auto" });
    expect(generated._id).toMatch(/^[0-9a-f-]{36}$/);
    await expectCrest(store.delete("bjensen", { ifMatch: "0" }), 412);
    expect((await store.delete("bjensen", { ifMatch: "2" }))._id).toBe("bjensen");
    expect(await store.clear()).toBe(1);
  });

  it("rejects bad queries with 400s naming the parameter", async () => {
    await expectCrest(store.query({}), 400, /_queryFilter/);
    await expectCrest(store.query({ queryFilter: "a eq" }), 400, /_queryFilter/);
    await expectCrest(store.query({ queryFilter: "true", pagedResultsCookie: "x.y" }), 400, /_pagedResultsCookie/);
    await expectCrest(store.query({ queryFilter: "true", pagedResultsCookie: "abc", pagedResultsOffset: 1 }), 400, /together/);
    await expectCrest(store.query({ queryId: "nope" }), 400, /nope/);
    await store.clear();
    for (const id of ["1", "2", "3"]) await store.create(id, { n: Number(id) });
    const first = await store.query({ queryFilter: "n gt 0", pageSize: 1 });
    expect(first.pagedResultsCookie).not.toBeNull();
    await expectCrest(store.query({ queryFilter: "n gt 1", pageSize: 1, pagedResultsCookie: first.pagedResultsCookie ?? "" }), 400, /another query/);
  });

  it("walks pages in the in-memory engine's order, with exact counts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(content, { minLength: 0, maxLength: 9 }),
        filter,
        fc.array(sortKey, { maxLength: 2 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (contents, f, sortKeys, pageSize, useOffset) => {
          await store.clear();
          const resources = [];
          for (let i = 0; i < contents.length; i++) resources.push(await store.create(`r${i}`, contents[i] ?? {}));
          const expected = queryCollection(resources, { queryFilter: f, sortKeys }, { cache: false }).result.map((r) => r._id);
          const seen: string[] = [];
          let cookie: string | undefined;
          for (let guard = 0; guard <= resources.length + 1; guard++) {
            const page = await store.query({
              queryFilter: f,
              sortKeys,
              pageSize,
              totalPagedResultsPolicy: "EXACT",
              ...(useOffset ? { pagedResultsOffset: seen.length } : cookie === undefined ? {} : { pagedResultsCookie: cookie }),
            });
            expect(page.totalPagedResults).toBe(expected.length);
            seen.push(...page.result.map((r) => r._id));
            expect(page.remainingPagedResults).toBe(expected.length - seen.length);
            if (page.pagedResultsCookie === null) break;
            cookie = page.pagedResultsCookie;
          }
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: name === "pglite" ? 120 : 80 },
    );
  }, 240_000);
});
