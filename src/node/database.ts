import type { PostgresExecutor } from "../pushdown/postgres.js";
import { PostgresCollectionStore } from "../store/postgres-store.js";
import type { CollectionStore } from "../store/store.js";

/**
 * An open PostgreSQL database for collections: a real server through `pg`, or an embedded PGlite.
 *
 * @example
 * ```ts
 * import { openPglite } from "crest-query/node";
 * const database = await openPglite(); // in memory
 * await database.close();
 * ```
 */
export interface DatabaseConnection {
  /** What the store runs its statements on. */
  readonly executor: PostgresExecutor;
  /** Where the data lives, for messages: the server's host and database (no password), or the directory. */
  readonly description: string;
  /** Close the connection (the pool, or the embedded database). */
  close(): Promise<void>;
}

function missing(name: string, error: unknown): Error {
  const code = (error as { code?: string }).code;
  if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return new Error(`This needs the optional package '${name}': npm install ${name}`);
  return error as Error;
}

/**
 * Connect to a PostgreSQL server through the `pg` package (an optional peer dependency) with a
 * small pool. The URL's password never appears in `description` or in errors from here.
 *
 * @example
 * ```ts
 * import { openPostgres } from "crest-query/node";
 * const url = process.env.CREST_TEST_POSTGRES_URL;
 * if (url !== undefined) {
 *   const database = await openPostgres(url);
 *   await database.close();
 * }
 * ```
 */
export async function openPostgres(url: string): Promise<DatabaseConnection> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error("The PostgreSQL URL cannot be read (expected postgres://user@host:port/database)");
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") throw new Error(`The PostgreSQL URL must start with postgres://, not ${parsed.protocol}//`);
  const description = `${parsed.hostname}${parsed.port === "" ? "" : `:${parsed.port}`}${parsed.pathname}`;
  let pg: typeof import("pg");
  try {
    pg = await import("pg");
  } catch (error) {
    throw missing("pg", error);
  }
  const Pool = pg.Pool ?? (pg as unknown as { default: typeof import("pg") }).default.Pool;
  const pool = new Pool({ connectionString: url, max: 8 });
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = (error as { code?: string; message?: string }).code ?? "no answer";
    throw new Error(`Cannot connect to PostgreSQL at ${description} (${reason})`);
  }
  return { executor: pool, description, close: () => pool.end() };
}

/**
 * Open an embedded PostgreSQL (PGlite, an optional peer dependency) kept in a directory, or in
 * memory when no directory is given.
 *
 * @example
 * ```ts
 * import { openPglite } from "crest-query/node";
 * const database = await openPglite();
 * const { rows } = await database.executor.query("SELECT 1 AS one");
 * rows; // [{ one: 1 }]
 * await database.close();
 * ```
 */
export async function openPglite(directory?: string): Promise<DatabaseConnection> {
  let module: typeof import("@electric-sql/pglite");
  try {
    module = await import("@electric-sql/pglite");
  } catch (error) {
    throw missing("@electric-sql/pglite", error);
  }
  const db = directory === undefined ? new module.PGlite() : new module.PGlite(directory);
  await db.waitReady;
  return { executor: db, description: directory ?? "memory", close: () => db.close() };
}

/**
 * The table a collection is kept in: its name with every character other than a letter, digit or
 * `_` replaced by `_`, in lower case (`managed/alpha_user` → `managed_alpha_user`).
 *
 * @example
 * ```ts
 * import { tableForCollection } from "crest-query/node";
 * tableForCollection("managed/alpha_user"); // "managed_alpha_user"
 * ```
 */
export function tableForCollection(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, "_").toLowerCase();
}

/**
 * Open one PostgreSQL-backed store per collection, each in its own table (created when missing).
 * A collection whose table is empty is filled with the resources given for it, if any.
 *
 * @example
 * ```ts
 * import { collectionStores, openPglite } from "crest-query/node";
 * const database = await openPglite();
 * const stores = await collectionStores(database, { "managed/user": [{ _id: "bjensen", sn: "Jensen" }] });
 * (await stores["managed/user"]?.read("bjensen"))?.sn; // "Jensen"
 * await database.close();
 * ```
 */
export async function collectionStores(
  database: DatabaseConnection,
  seed: Readonly<Record<string, readonly unknown[]>>,
): Promise<Record<string, CollectionStore>> {
  const stores: Record<string, CollectionStore> = {};
  const tables = new Map<string, string>();
  for (const [name, resources] of Object.entries(seed)) {
    const table = tableForCollection(name);
    const other = tables.get(table);
    if (other !== undefined) throw new Error(`The collections '${other}' and '${name}' would share the table '${table}'`);
    tables.set(table, name);
    const store = await PostgresCollectionStore.open(database.executor, { table });
    const { rows } = await database.executor.query(`SELECT 1 FROM ${store.tableName} LIMIT 1`);
    if (rows.length === 0) {
      for (const resource of resources) {
        const content = (typeof resource === "object" && resource !== null && !Array.isArray(resource) ? resource : {}) as Record<string, unknown>;
        const id = typeof content._id === "string" ? content._id : undefined;
        await store.create(id, content);
      }
    }
    Object.defineProperty(stores, name, { value: store, enumerable: true, writable: true, configurable: true });
  }
  return stores;
}
