import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  compileFilter,
  NotTranslatableError,
  parseFilter,
  toPostgres,
  type Filter,
  type FilterValue,
  type ToPostgresOptions,
} from "../src/index.js";
import { engineNames, openEngine, sayWhenServerSkipped, type Engine } from "./helpers/postgres-engines.js";

sayWhenServerSkipped();

// The in-memory evaluator is the oracle; the random data includes the Unicode case traps and the
// 64-bit literals that only the servers' case and number rules decide.
const plainChars = ["a", "A", "b", "B", "z", "é", "É", "%", "_", "\\", "'", "$", " ", "😀"];
const trapChars = ["İ", "i", "I", "ı", "ſ", "s", "S", "ß", "ẞ", "Σ", "σ", "ς", "ﬀ", "𐐀", "𐐨", "K", "k", "µ", "Μ", "ǅ"];
const chars = [...plainChars, ...trapChars];
const text = (alphabet: readonly string[]) => fc.array(fc.constantFrom(...alphabet), { maxLength: 4 }).map((a) => a.join(""));

const near53 = [9007199254740991, 9007199254740992, 9007199254740994, -9007199254740992];
const docNumber = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -1.5, 1e300, ...near53));
const literalNumber: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map((n) => BigInt(n)),
  fc.constantFrom(0.5, -1.5, 2, 9007199254740992),
  fc.constantFrom(9007199254740991n, 9007199254740992n, -9007199254740992n),
  fc.constantFrom(9007199254740993n, 9223372036854775807n, -9223372036854775808n),
);

const keys = fc.constantFrom("a", "b", "0", "1");
const scalar = (alphabet: readonly string[]) => fc.oneof(text(alphabet), docNumber, fc.boolean(), fc.constant(null));
const json = (alphabet: readonly string[]): fc.Arbitrary<unknown> =>
  fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar(alphabet), fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(keys, tie("v"), { maxKeys: 3 })),
  })).v;
const resource = (alphabet: readonly string[]) => fc.dictionary(keys, json(alphabet), { maxKeys: 4 });

const value = (alphabet: readonly string[]) => fc.oneof(text(alphabet), literalNumber, fc.boolean());
const testFilter = (alphabet: readonly string[]) =>
  fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.array(keys, { maxLength: 3 }).map((field): Filter => ({ type: "presence", field })),
      fc
        .record({ operator: fc.constantFrom("eq", "co", "sw", "lt", "le", "gt", "ge", "regex"), field: fc.array(keys, { maxLength: 3 }), value: value(alphabet) })
        .map((c): Filter => ({ type: "comparison", ...c })),
      fc.boolean().map((v): Filter => ({ type: "literal", value: v })),
      tie("f").map((filter): Filter => ({ type: "not", filter })),
      fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "and", filters })),
      fc.array(tie("f"), { minLength: 2, maxLength: 3 }).map((filters): Filter => ({ type: "or", filters })),
    ),
  })).f;

async function load(engine: Engine, resources: readonly unknown[]): Promise<void> {
  await engine.db.query("TRUNCATE pushdown_docs");
  if (resources.length === 0) return;
  await engine.db.query("INSERT INTO pushdown_docs (id, doc) SELECT ordinality::int, d FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(d, ordinality)", [
    JSON.stringify(resources),
  ]);
}

async function matchingIds(engine: Engine, filter: Filter, options: ToPostgresOptions): Promise<number[]> {
  const where = toPostgres(filter, { ...options, collations: engine.collations });
  const { rows } = await engine.db.query(`SELECT id FROM pushdown_docs WHERE ${where.text} ORDER BY id`, where.values);
  return rows.map((r) => (r as { id: number }).id);
}

function expectedIds(resources: readonly unknown[], filter: Filter, caseSensitive: boolean): number[] {
  const matches = compileFilter(filter, { caseSensitive });
  return resources.flatMap((r, i) => (matches(r) ? [i + 1] : []));
}

describe.each(engineNames)("toPostgres on %s", (name) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await openEngine(name);
    await engine.db.query("DROP TABLE IF EXISTS pushdown_docs");
    await engine.db.query("CREATE TABLE pushdown_docs (id int PRIMARY KEY, doc jsonb NOT NULL)");
  }, 60_000);
  afterAll(async () => {
    await engine?.db.query("DROP TABLE IF EXISTS pushdown_docs");
    await engine?.close();
  });

  it("answers the SPEC examples", async () => {
    const docs = [
      { name: "İ", s: "S", t: "İ", roles: [{ _refResourceId: "helpdesk" }, { _refResourceId: "x" }], n: 9007199254740992, m: 1 },
      { name: "bjensen", s: "ſ", tags: ["A", "b"], a: { "0": "zero" }, list: [["x", { k: 1 }]], nil: null },
      { mail: "a%b_c\\d@example.com", deep: [[[{ k: "v" }]]] },
    ];
    await load(engine, docs);
    const cases: Array<[string, number[]]> = [
      ["/roles/_refResourceId eq 'HELPDESK'", [1]],
      ["/tags eq 'a'", [2]],
      ["/a/0 eq 'ZERO'", [2]],
      ["/list/0/0 eq 'x'", [2]],
      ["/list/0/1/k eq 1", [2]],
      ["/deep/k eq 'v'", [3]],
      ["/nil pr", []],
      ["/tags pr", [2]],
      ["/m gt 0.5", [1]],
      ["/m eq true", []],
      ["/mail co '%'", [3]],
      ["/mail co '_c\\\\'", [3]],
      ["/mail sw 'a%B'", [3]],
      ["/mail co 'a_b'", []],
      ["/name co 'I'", [1]],
      ["/s co 'ſ'", [2]],
      ["/x regex 'a' or true", [1, 2, 3]],
      ["!(/x regex 'a')", []],
      ["/x regex 'a' and false", []],
      ["/name eq 1", []],
      ["/name ge 'b'", [1, 2]],
    ];
    for (const [text, expected] of cases) {
      const filter = parseFilter(text);
      expect(await matchingIds(engine, filter, {}), text).toEqual(expected);
      expect(expectedIds(docs, filter, false), `${text} in memory`).toEqual(expected);
    }
    // The new rules, as the database answers them.
    expect(await matchingIds(engine, parseFilter('/t eq "I"'), {})).toEqual([1]);
    expect(await matchingIds(engine, parseFilter("/n eq 9007199254740993"), {})).toEqual([1]);
  });

  it("agrees with the in-memory evaluator on random filters and documents", async () => {
    let pairs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(resource(chars), { minLength: 1, maxLength: 8 }),
        fc.array(testFilter(chars), { minLength: 1, maxLength: 6 }),
        async (caseSensitive, resources, filters) => {
          // Case-sensitive ordering in memory is by UTF-16 unit, in SQL by code point: they differ
          // only between astral characters and U+E000..U+FFFF, which the case-sensitive runs leave out.
          if (caseSensitive && JSON.stringify([resources, filters.map(String)]).includes("ﬀ")) return;
          await load(engine, resources);
          for (const filter of filters) {
            pairs += resources.length;
            expect(await matchingIds(engine, filter, { caseSensitive })).toEqual(expectedIds(resources, filter, caseSensitive));
          }
        },
      ),
      { numRuns: name === "pglite" ? 400 : 300 },
    );
    expect(pairs).toBeGreaterThan(1000);
  }, 240_000);

  it("answers the same through declared scalar fields, where they hold no arrays", async () => {
    const docs = [{ u: "Bjensen", n: 3, b: true, o: { k: "x" } }, { u: "scarter", n: 1.5 }, { n: "3", o: null }, {}];
    await load(engine, docs);
    for (const text of ["u eq 'BJENSEN'", "u co 'CAR'", "u sw 'b'", "u gt 'c'", "n ge 3", "n lt 2", "b eq true", "u pr", "!(u pr)", "o/k eq 'X'", "!(n eq 3)", "o pr"]) {
      const filter = parseFilter(text);
      const ids = await matchingIds(engine, filter, { scalarFields: ["u", "n", "b", ["o", "k"], "o"] });
      expect(ids, text).toEqual(expectedIds(docs, filter, false));
      expect(toPostgres(filter, { scalarFields: ["u", "n", "b", ["o", "k"], "o"] }).text, text).not.toContain("EXISTS");
    }
  });

  it("never lets values, fields or operators change the SQL, and still answers right", async () => {
    const nasty = ["'", "''; DROP TABLE pushdown_docs; --", "%", "_", "\\", "$1", "$$", "\u0000", "a\u0000b", '"', "*/", "E'\\'"];
    await load(engine, [{ a: "x'y", b: ["%", "_"], "'": { "\\": 1 }, $1: "$$", "%": "p" }]);
    const bland = (f: Filter) => toPostgres(f).text;
    for (const v of nasty) {
      for (const op of ["eq", "co", "sw", "lt", "ge"]) {
        const withValue: Filter = { type: "comparison", operator: op, field: ["a"], value: v };
        if (!v.includes("\u0000")) expect(toPostgres(withValue).text).toBe(bland({ ...withValue, value: "plain" }));
        expect(await matchingIds(engine, withValue, {})).toEqual(expectedIds([{ a: "x'y", b: ["%", "_"], "'": { "\\": 1 }, $1: "$$", "%": "p" }], withValue, false));
      }
      const withField: Filter = { type: "comparison", operator: "eq", field: [v, "\\"], value: 1n };
      if (!v.includes("\u0000")) expect(toPostgres(withField).text).toBe(bland({ ...withField, field: ["k", "l"] }));
      expect(await matchingIds(engine, withField, {})).toEqual(v === "'" ? [1] : []);
      const withOperator: Filter = { type: "comparison", operator: v, field: ["a"], value: v };
      expect(toPostgres(withOperator).text).not.toContain(v.length > 1 ? v : "\u0001");
      expect(await matchingIds(engine, { type: "not", filter: withOperator }, {})).toEqual([]);
    }
    const { rows } = await engine.db.query("SELECT count(*)::int AS n FROM pushdown_docs");
    expect(rows).toEqual([{ n: 1 }]);
  });
});

describe("toPostgres without a database", () => {
  it("numbers placeholders after an offset and keeps values out of the text", () => {
    const where = toPostgres(parseFilter("/sn eq 'Jensen' and /age gt 30"), { parameterOffset: 2, column: ["u", "data"] });
    expect(where.text).toContain('"u"."data"');
    expect(where.text).toContain("$3");
    expect(where.text).not.toContain("$1");
    expect(where.values).toEqual(["sn", "Jensen", "age", "30"]);
  });

  it("refuses what it cannot translate, naming it", () => {
    const filter = parseFilter("/a regex 'x'");
    expect(() => toPostgres(filter, { untranslatable: ["regex"] })).toThrow(NotTranslatableError);
    expect(() => toPostgres(filter, { untranslatable: ["regex"] })).toThrow(/regex.*no SQL translation/);
    expect(() => toPostgres({ type: "comparison", operator: "eq", field: ["a"], value: "\ud800" })).toThrow(/lone surrogate/);
  });
});
