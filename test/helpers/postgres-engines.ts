// The real PostgreSQL engines the pushdown tests run on: PGlite (PostgreSQL compiled to
// WebAssembly, in process) always, and a PostgreSQL server through `pg` when
// CREST_TEST_POSTGRES_URL names one (scripts/ci-postgres.sh starts one).
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { detectPostgresCollations, type PostgresCollations, type PostgresExecutor } from "../../src/index.js";

export interface Engine {
  readonly name: string;
  readonly db: PostgresExecutor;
  readonly collations: PostgresCollations;
  close(): Promise<void>;
}

export const serverUrl = process.env.CREST_TEST_POSTGRES_URL;

/** The engines' names, known before any is opened (for `describe.each`). */
export const engineNames: readonly string[] = serverUrl === undefined ? ["pglite"] : ["pglite", "server"];

export function sayWhenServerSkipped(): void {
  if (serverUrl === undefined) {
    console.warn("pushdown tests: SKIPPING the PostgreSQL server run: CREST_TEST_POSTGRES_URL is not set (scripts/ci-postgres.sh starts a server); PGlite runs.");
  }
}

export async function openEngine(name: string): Promise<Engine> {
  if (name === "pglite") {
    const db = new PGlite();
    await db.waitReady;
    const executor: PostgresExecutor = db;
    return { name, db: executor, collations: await detectPostgresCollations(executor), close: () => db.close() };
  }
  const pool = new pg.Pool({ connectionString: serverUrl, max: 4 });
  // pg parses float8 and jsonb already; keep int8 (counts) as numbers.
  const executor: PostgresExecutor = pool;
  return { name, db: executor, collations: await detectPostgresCollations(executor), close: () => pool.end() };
}
