import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { detectPostgresCollations, PostgresCollectionStore, queryCollection, type PostgresExecutor, type QueryRequest, type QueryResponse } from "../dist/index.js";
import { generateUsers, type SampleUser } from "../scripts/users.js";
import type { BenchSuite, Measured } from "./harness.js";

// How many users: small by default so that `npm run bench` stays short; CREST_BENCH_PUSHDOWN_USERS=1000000
// for the scale the pushdown guide talks about. The real server when CREST_TEST_POSTGRES_URL is set.
const COUNT = Number(process.env.CREST_BENCH_PUSHDOWN_USERS ?? 20_000);
const SERVER = process.env.CREST_TEST_POSTGRES_URL;
const TABLE = "crest_bench_users";
const PAGE = 50;
const WALK_PAGE = 500;
// OFFSET paging reads every row before its page, so walking all pages of a million users by offset
// would take minutes per run: the walk stops after this many pages.
const WALK_LIMIT = 40;
const LOAD_BATCH = 5_000;

// Sorted pages of a selective filter (about a fifth of the users) by a single-valued field.
const REQUEST: QueryRequest = { queryFilter: '/loginCount gt 400 and /accountStatus eq "active"', sortKeys: [{ field: ["userName"], descending: false }] };

interface Database {
  readonly db: PostgresExecutor;
  readonly engine: string;
  close(): Promise<void>;
}

async function openDatabase(): Promise<Database> {
  if (SERVER !== undefined) {
    const pool = new pg.Pool({ connectionString: SERVER, max: 2 });
    return { db: pool, engine: "PostgreSQL server", close: () => pool.end() };
  }
  const lite = new PGlite();
  await lite.waitReady;
  return { db: lite, engine: "PGlite (PostgreSQL in WebAssembly)", close: () => lite.close() };
}

let opened: Database | undefined;
let engineName = SERVER === undefined ? "PGlite" : "the PostgreSQL server";

async function loadUsers(database: Database, users: readonly SampleUser[]): Promise<PostgresCollectionStore> {
  const { db } = database;
  const collations = await detectPostgresCollations(db);
  await db.query(`DROP TABLE IF EXISTS ${TABLE}`);
  const store = await PostgresCollectionStore.open(db, { table: TABLE, collations, scalarFields: ["userName", "accountStatus", "loginCount"] });
  for (let i = 0; i < users.length; i += LOAD_BATCH) {
    const batch = users.slice(i, i + LOAD_BATCH).map((u) => ({ ...u, _rev: "0" }));
    await db.query(`INSERT INTO ${store.tableName} (id, rev, doc) SELECT e ->> '_id', 0, e FROM jsonb_array_elements($1::jsonb) AS e`, [JSON.stringify(batch)]);
  }
  // The indexes the pushdown guide recommends for single-valued fields, and its GIN index.
  const text = (field: string) => `((doc -> '${field}') #>> '{}')`;
  await db.query(`CREATE INDEX ON ${store.tableName} ((lower(upper(${text("userName")} COLLATE "${collations.fold}")) COLLATE "C"))`);
  await db.query(`CREATE INDEX ON ${store.tableName} ((lower(upper(${text("accountStatus")} COLLATE "${collations.fold}")) COLLATE "C"))`);
  await db.query(`CREATE INDEX ON ${store.tableName} ((lower(${text("userName")} COLLATE "${collations.lower}") COLLATE "C") text_pattern_ops)`);
  await db.query(`CREATE INDEX ON ${store.tableName} (((doc -> 'loginCount')::float8)) WHERE jsonb_typeof(doc -> 'loginCount') = 'number'`);
  await db.query(`CREATE INDEX ON ${store.tableName} USING gin (doc jsonb_path_ops)`);
  // The index that holds the rows in the sort order, as the store writes it.
  await db.query(store.sortIndexStatement(REQUEST.sortKeys ?? []));
  await db.query(`ANALYZE ${store.tableName}`);
  return store;
}

function ids(response: QueryResponse<{ _id?: unknown }>): string {
  return response.result.map((r) => String(r._id)).join(",");
}

export const pushdownSuite: BenchSuite = {
  name: "pushdown",
  title: `Pushdown: ${COUNT.toLocaleString("en")} users in PostgreSQL vs the in-memory engine`,
  notes: `${COUNT.toLocaleString("en")} generated users (scripts/users.ts, seed 5) in one table of PostgresCollectionStore (${SERVER === undefined ? "PGlite, PostgreSQL compiled to WebAssembly, in process" : "a PostgreSQL server through pg"}), \`userName\`, \`accountStatus\` and \`loginCount\` declared single-valued, with the indexes the pushdown guide recommends (expression indexes on the case fold and the lower-cased text, on \`loginCount\` as a double, a GIN index, and the sort-order index that \`sortIndexStatement\` writes for \`userName\`), against \`queryCollection\` over the same users in memory. The query: \`${String(REQUEST.queryFilter)}\` sorted by \`userName\`. "first page" is a fresh query (the in-memory engine without its snapshot cache); "next page" follows the first page's cookie (keyset paging in the database, the cached snapshot in memory); walking the pages (every page, or the first ${WALK_LIMIT} when there are more) compares cookies (keyset) with \`_pagedResultsOffset\` (OFFSET) in the database. Set CREST_BENCH_PUSHDOWN_USERS=1000000 for a million users; CREST_TEST_POSTGRES_URL to use a server.`,
  cases: async () => {
    const users = generateUsers(COUNT, 5);
    opened = await openDatabase();
    engineName = opened.engine;
    const store = await loadUsers(opened, users);
    const first = { ...REQUEST, pageSize: PAGE };
    const firstInDb = await store.query(first);
    const firstInMemory = queryCollection(users, first, { cache: false });
    if (ids(firstInDb) !== ids(firstInMemory)) throw new Error("the database and the in-memory engine disagree on the first page");
    const dbCookie = firstInDb.pagedResultsCookie;
    const memoryCookie = queryCollection(users, first).pagedResultsCookie;
    if (dbCookie === null || memoryCookie === null) throw new Error("the first page is the only one: make the query match more users");
    const secondInDb = await store.query({ ...first, pagedResultsCookie: dbCookie });
    if (ids(secondInDb) !== ids(queryCollection(users, { ...first, pagedResultsCookie: memoryCookie }))) throw new Error("the database and the in-memory engine disagree on the second page");

    const walk = { ...REQUEST, pageSize: WALK_PAGE };
    const matches = queryCollection(users, REQUEST, { cache: false }).result.length;
    const pages = Math.min(WALK_LIMIT, Math.ceil(matches / WALK_PAGE));
    const walked = Math.min(matches, pages * WALK_PAGE);
    const walkKeyset = async () => {
      let cookie: string | null = null;
      let seen = 0;
      for (let p = 0; p < pages; p++) {
        const page: QueryResponse<unknown> = await store.query(cookie === null ? walk : { ...walk, pagedResultsCookie: cookie });
        seen += page.result.length;
        cookie = page.pagedResultsCookie;
      }
      if (seen !== walked) throw new Error(`keyset walk saw ${seen} of ${walked}`);
    };
    const walkOffset = async () => {
      let seen = 0;
      for (let p = 0; p < pages; p++) seen += (await store.query({ ...walk, pagedResultsOffset: p * WALK_PAGE })).result.length;
      if (seen !== walked) throw new Error(`OFFSET walk saw ${seen} of ${walked}`);
    };
    return [
      {
        label: `first page of ${PAGE}`,
        tasks: [
          { name: `${engineName}: first page`, fn: () => store.query(first) },
          { name: "in memory: first page (no cache)", fn: () => queryCollection(users, first, { cache: false }) },
        ],
      },
      {
        label: `next page of ${PAGE}`,
        tasks: [
          { name: `${engineName}: next page (keyset cookie)`, fn: () => store.query({ ...first, pagedResultsCookie: dbCookie }) },
          { name: "in memory: next page (cookie, cached snapshot)", fn: () => queryCollection(users, { ...first, pagedResultsCookie: memoryCookie }) },
        ],
      },
      {
        label: `walk ${pages} pages of ${WALK_PAGE}`,
        tasks: [
          { name: `${engineName}: every page by cookie (keyset)`, fn: walkKeyset },
          { name: `${engineName}: every page by _pagedResultsOffset`, fn: walkOffset },
        ],
      },
    ];
  },
  teardown: async () => {
    await opened?.db.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await opened?.close();
    opened = undefined;
  },
  summary: (rows: readonly Measured[]) => {
    const ms = (label: string, task: string) => 1000 / (rows.find((r) => r.label.startsWith(label) && r.task.includes(task))?.hz ?? Number.NaN);
    const firstDb = ms("first page", engineName);
    const firstMemory = ms("first page", "in memory");
    const nextDb = ms("next page", engineName);
    const nextMemory = ms("next page", "in memory");
    const keyset = ms("walk", "keyset");
    const offset = ms("walk", "_pagedResultsOffset");
    const f = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
    return [
      `- first page: ${f(firstDb)} ms in ${engineName}, ${f(firstMemory)} ms in memory (the database takes ${(firstDb / firstMemory).toFixed(2)}× the in-memory time)`,
      `- next page: ${f(nextDb)} ms in ${engineName}, ${f(nextMemory)} ms in memory (${(nextDb / nextMemory).toFixed(2)}×)`,
      `- walking the pages: keyset ${f(keyset)} ms, OFFSET ${f(offset)} ms (OFFSET costs ${(offset / keyset).toFixed(2)}× keyset)`,
    ].join("\n");
  },
};
