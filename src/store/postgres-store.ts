import type { Filter, Pointer } from "../language/ast.js";
import { describeText } from "../language/errors.js";
import { formatPointer } from "../language/pointer.js";
import { HARD_MAX_NESTING } from "../language/limits.js";
import { formatFilter } from "../language/writer.js";
import {
  detectPostgresCollations,
  isStorableText,
  NotTranslatableError,
  PostgresDialect,
  quoteIdentifier,
  SqlParams,
  translateFilter,
  type PostgresCollations,
  type PostgresExecutor,
  type SqlOperator,
} from "../pushdown/postgres.js";
import { CrestError } from "../query/crest-error.js";
import { projectFields } from "../query/projection.js";
import type { QueryResponse } from "../query/query-engine.js";
import { checkQueryRequest, filterParameter, parseSortKeys, type QueryRequest, type SortKey } from "../query/query-params.js";
import { digestText, invalidCookie, openCookie, randomSecret, sealCookie } from "../query/signing.js";
import type { CollectionStore, StoredResource, WriteOptions } from "./store.js";

/**
 * Options of {@link PostgresCollectionStore.open}.
 *
 * @example
 * ```ts
 * import type { PostgresStoreOptions } from "crest-query";
 * const options: PostgresStoreOptions = { table: "alpha_user", cookieSecret: "s3cret", scalarFields: ["userName"] };
 * ```
 */
export interface PostgresStoreOptions {
  /** The table holding the collection (created when missing): `id text`, `rev bigint`, `doc jsonb`. */
  readonly table: string;
  /** The schema of the table; default: the connection's search path. */
  readonly schema?: string;
  /** Compare strings with their case in filters (sorting always ignores case). Default `false`. */
  readonly caseSensitive?: boolean;
  /** The case-rule collations; default: the best the server has ({@link detectPostgresCollations}). */
  readonly collations?: PostgresCollations;
  /** The key that signs paging cookies. Default: random per store. */
  readonly cookieSecret?: string | Uint8Array;
  /** SQL translations of extended operators (see {@link toPostgres}). */
  readonly operators?: Readonly<Record<string, SqlOperator>>;
  /** Fields that never hold arrays (see {@link toPostgres}); their tests can use expression indexes. */
  readonly scalarFields?: readonly (Pointer | string)[];
  /** Named queries for `_queryId`, as filters (`query-all` and `query-all-ids` are built in). */
  readonly queries?: Readonly<Record<string, Filter | string>>;
  /** Create the table if it does not exist (default `true`). */
  readonly createTable?: boolean;
}

// Per sort key: missing (false first), type rank, number, folded string; then the id.
type Position = ReadonlyArray<boolean | number | string>;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A CREST collection kept in one PostgreSQL table, answering every query inside the database:
 * the filter as {@link toPostgres} translates it, `_sortKeys` as ORDER BY with the in-memory
 * engine's order (missing last in either direction, an array by its smallest value, booleans <
 * numbers < strings < the rest, strings by the case fold, ties by id), keyset paging with signed
 * cookies bound to their query, `_pagedResultsOffset`, and counts. Writes are single statements:
 * `If-Match` is a compare-and-swap on the revision, so concurrent writers never lose an update.
 *
 * Works over any {@link PostgresExecutor}: a `pg` `Pool` or `Client`, or a PGlite instance.
 *
 * @example
 * ```ts
 * import { PostgresCollectionStore, type PostgresExecutor } from "crest-query";
 * async function users(db: PostgresExecutor) {
 *   const store = await PostgresCollectionStore.open(db, { table: "alpha_user" });
 *   await store.create("bjensen", { userName: "bjensen", sn: "Jensen" });
 *   return store.query({ queryFilter: "sn eq 'jensen'", sortKeys: [{ field: ["userName"], descending: false }], pageSize: 10 });
 * }
 * ```
 */
export class PostgresCollectionStore implements CollectionStore {
  private readonly table: string;
  private readonly secret: string | Uint8Array;

  private constructor(
    private readonly db: PostgresExecutor,
    private readonly options: PostgresStoreOptions,
    private readonly collations: PostgresCollations,
  ) {
    this.table = (options.schema === undefined ? "" : `${quoteIdentifier(options.schema)}.`) + quoteIdentifier(options.table);
    this.secret = options.cookieSecret ?? randomSecret();
  }

  /** Open (and unless told otherwise create) the collection's table. */
  static async open(db: PostgresExecutor, options: PostgresStoreOptions): Promise<PostgresCollectionStore> {
    const collations = options.collations ?? (await detectPostgresCollations(db));
    const store = new PostgresCollectionStore(db, options, collations);
    if (options.createTable !== false) {
      await db.query(`CREATE TABLE IF NOT EXISTS ${store.table} (id text COLLATE "C" PRIMARY KEY, rev bigint NOT NULL, doc jsonb NOT NULL)`);
    }
    return store;
  }

  /** The table's quoted name, for your own index statements. */
  get tableName(): string {
    return this.table;
  }

  async read(id: string): Promise<StoredResource | undefined> {
    if (!isStorableText(id)) return undefined;
    const { rows } = await this.db.query(`SELECT doc FROM ${this.table} WHERE id = $1`, [id]);
    return rows.length === 0 ? undefined : docOf(rows[0]);
  }

  async create(id: string | undefined, content: Readonly<Record<string, unknown>>): Promise<StoredResource> {
    const newId = id ?? crypto.randomUUID();
    checkId(newId);
    const doc = storable({ ...withoutMeta(content), _id: newId, _rev: "0" });
    const { rows } = await this.db.query(`INSERT INTO ${this.table} (id, rev, doc) VALUES ($1, 0, $2::jsonb) ON CONFLICT (id) DO NOTHING RETURNING doc`, [newId, doc]);
    if (rows.length === 0) throw new CrestError(412, `Resource '${newId}' already exists`);
    return docOf(rows[0]);
  }

  async update(id: string, content: Readonly<Record<string, unknown>>, options: WriteOptions = {}): Promise<StoredResource> {
    checkId(id);
    const doc = storable(withoutMeta(content));
    const { rows } = await this.db.query(
      `UPDATE ${this.table} AS t SET rev = t.rev + 1, doc = $2::jsonb || jsonb_build_object('_id', t.id, '_rev', (t.rev + 1)::text)
       WHERE t.id = $1 AND ($3::text IS NULL OR $3::text = '*' OR t.rev::text = $3::text) RETURNING t.doc`,
      [id, doc, options.ifMatch ?? null],
    );
    if (rows.length === 0) throw await this.writeFailure(id, options);
    return docOf(rows[0]);
  }

  async delete(id: string, options: WriteOptions = {}): Promise<StoredResource> {
    checkId(id);
    const { rows } = await this.db.query(
      `DELETE FROM ${this.table} AS t WHERE t.id = $1 AND ($2::text IS NULL OR $2::text = '*' OR t.rev::text = $2::text) RETURNING t.doc`,
      [id, options.ifMatch ?? null],
    );
    if (rows.length === 0) throw await this.writeFailure(id, options);
    return docOf(rows[0]);
  }

  async clear(): Promise<number> {
    const { rows } = await this.db.query(`WITH gone AS (DELETE FROM ${this.table} RETURNING 1) SELECT count(*)::int AS n FROM gone`);
    return Number((rows[0] as { n?: unknown } | undefined)?.n ?? 0);
  }

  async query(request: QueryRequest): Promise<QueryResponse<StoredResource>> {
    const { pageSize, offset, cookie, policy } = checkQueryRequest(request);
    const filter = this.filterOf(request);
    const sortKeys = request.sortKeys ?? [];
    const digest = digestText(
      [this.table, `filter:${formatFilter(filter, { maxNesting: HARD_MAX_NESTING })}`, `sort:${sortKeys.map((k) => `${k.descending ? "-" : "+"}${formatPointer(k.field)}`).join(",")}`, `case:${this.options.caseSensitive === true}`].join("\n"),
      16,
    );
    const after = cookie === undefined ? undefined : readCookie(this.secret, cookie, digest, sortKeys.length * 4 + 1);
    const start = after?.o ?? offset;

    const select = translating(() => this.selectPage(filter, sortKeys, pageSize, after?.k, cookie === undefined ? offset : 0));
    const { rows } = await this.run(select.text, select.values);
    const more = pageSize > 0 && rows.length > pageSize;
    const page = more ? rows.slice(0, pageSize) : rows;
    let total = -1;
    if (policy !== "NONE") {
      const params = new SqlParams();
      const where = translating(() => translateFilter(filter, `t."doc"`, this.dialect(params)));
      const counted = await this.run(`SELECT count(*)::int AS n FROM ${this.table} AS t WHERE ${where}`, params.values);
      total = Number((counted.rows[0] as { n?: unknown } | undefined)?.n ?? 0);
    }
    const end = start + page.length;
    const last = page[page.length - 1] as Record<string, unknown> | undefined;
    const fields = request.queryId === "query-all-ids" ? [["_id"], ["_rev"]] : (request.fields ?? []);
    const result = page.map((row) => {
      const doc = docOf(row);
      return fields.length === 0 ? doc : projectFields(doc, fields);
    });
    return {
      result,
      resultCount: result.length,
      pagedResultsCookie: more && last !== undefined ? makeCookie(this.secret, digest, end, positionOf(last, sortKeys.length)) : null,
      totalPagedResultsPolicy: policy,
      totalPagedResults: total,
      remainingPagedResults: policy === "EXACT" ? Math.max(0, total - end) : -1,
    };
  }

  private dialect(params: SqlParams): PostgresDialect {
    return new PostgresDialect(params, {
      caseSensitive: this.options.caseSensitive,
      collations: this.collations,
      operators: this.options.operators,
      scalarFields: this.options.scalarFields,
    });
  }

  private filterOf(request: QueryRequest): Filter {
    if (request.queryFilter !== undefined) return filterParameter(request.queryFilter);
    const id = request.queryId ?? "";
    if (id === "query-all" || id === "query-all-ids") return { type: "literal", value: true };
    const named = this.options.queries !== undefined && hasOwn.call(this.options.queries, id) ? this.options.queries[id] : undefined;
    if (named === undefined) throw CrestError.badRequest(`Unknown _queryId '${id}'`);
    return filterParameter(named);
  }

  /** One page: rows with `doc` and the sort position columns `m0 r0 n0 s0 ... id`. */
  private selectPage(filter: Filter, keys: readonly SortKey[], pageSize: number, after: Position | undefined, offset: number): { text: string; values: unknown[] } {
    const params = new SqlParams();
    const d = this.dialect(params);
    const columns: string[] = [];
    const joins: string[] = [];
    const order: Array<[string, boolean]> = [];
    keys.forEach((key, i) => {
      const scalar = scalarSortColumns(d, key.field);
      if (scalar !== undefined) {
        scalar.forEach((expression, j) => columns.push(`${expression} AS ${"mrns"[j]}${i}`));
      } else {
        const { from, value: v } = d.valuesAt(`t."doc"`, key.field, `k${i}_`, true);
        joins.push(
          `LEFT JOIN LATERAL (SELECT z.r, z.n, z.s FROM (SELECT CASE jsonb_typeof(${v}) WHEN 'boolean' THEN 0 WHEN 'number' THEN 1 WHEN 'string' THEN 2 ELSE 3 END AS r,
             CASE jsonb_typeof(${v}) WHEN 'boolean' THEN CASE WHEN ${v} = 'true'::jsonb THEN 1::float8 ELSE 0::float8 END WHEN 'number' THEN (${v})::float8 ELSE 0::float8 END AS n,
             CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${d.folded(`${v} #>> '{}'`)} ELSE '' COLLATE "C" END AS s
             FROM ${from} WHERE jsonb_typeof(${v}) <> 'null') AS z ORDER BY z.r, z.n, z.s LIMIT 1) AS k${i} ON TRUE`,
        );
        columns.push(`(k${i}.r IS NULL) AS m${i}`, `COALESCE(k${i}.r, 0) AS r${i}`, `COALESCE(k${i}.n, 0::float8) AS n${i}`, `COALESCE(k${i}.s, '' COLLATE "C") AS s${i}`);
      }
      order.push([`m${i}`, false], [`r${i}`, key.descending], [`n${i}`, key.descending], [`s${i}`, key.descending]);
    });
    order.push(["id", false]);
    const where = translateFilter(filter, `t."doc"`, d);
    let text = `SELECT q.* FROM (SELECT t.id, t.doc${columns.map((c) => `, ${c}`).join("")} FROM ${this.table} AS t ${joins.join(" ")} WHERE ${where}) AS q`;
    if (after !== undefined) text += ` WHERE ${order.every(([, desc]) => !desc) ? rowAfter(order, after, params) : keyset(order, after, params)}`;
    text += ` ORDER BY ${order.map(([c, desc]) => `q.${c}${desc ? " DESC" : ""}`).join(", ")}`;
    if (pageSize > 0) text += ` LIMIT ${params.add(pageSize + 1)}::bigint`;
    if (offset > 0) text += ` OFFSET ${params.add(offset)}::bigint`;
    return { text, values: params.values };
  }

  /**
   * The `CREATE INDEX` statement of an index that holds this table's rows in the order of
   * `sortKeys`, so that a sorted page reads only its own rows: the first page stops after
   * `_pageSize` matches, and a page reached by cookie starts at its position when every key
   * ascends (descending keys still read the index from its start). Only fields declared in
   * `scalarFields` can be served; run the statement once, with your own name or options added.
   *
   * @throws TypeError when a field of `sortKeys` is not declared in `scalarFields`, or its name
   * holds NUL or a lone surrogate; {@link CrestError} (400) for `_sortKeys` text that does not parse.
   *
   * @example
   * ```ts
   * import { PostgresCollectionStore, type PostgresExecutor } from "crest-query";
   * async function indexByUserName(db: PostgresExecutor) {
   *   const store = await PostgresCollectionStore.open(db, { table: "alpha_user", scalarFields: ["userName"] });
   *   await db.query(store.sortIndexStatement("userName"));
   * }
   * ```
   */
  sortIndexStatement(sortKeys: readonly SortKey[] | string, name?: string): string {
    const keys = typeof sortKeys === "string" ? parseSortKeys(sortKeys) : sortKeys;
    if (keys.length === 0) throw new TypeError("sortIndexStatement needs at least one sort key");
    const params = new SqlParams();
    const d = this.dialect(params);
    const columns: string[] = [];
    for (const key of keys) {
      const scalar = scalarSortColumns(d, key.field, `"doc"`);
      if (scalar === undefined) {
        throw new TypeError(`Field ${describeText(formatPointer(key.field))} is not declared in scalarFields, so no index can hold its sort order (an array sorts by its smallest value)`);
      }
      columns.push(`(${scalar[0]})`, ...scalar.slice(1).map((c) => `(${c})${key.descending ? " DESC" : ""}`));
    }
    columns.push("id");
    const text = `CREATE INDEX ${name === undefined ? "" : `${quoteIdentifier(name)} `}ON ${this.table} (${columns.join(", ")})`;
    // DDL takes no parameters: the field names go in as escaped string literals.
    return text.replace(/\$([0-9]+)/g, (_, n: string) => stringLiteral(String(params.values[Number(n) - 1])));
  }

  private async run(text: string, values: unknown[]): Promise<{ readonly rows: readonly unknown[] }> {
    return this.db.query(text, values);
  }

  private async writeFailure(id: string, options: WriteOptions): Promise<CrestError> {
    const current = await this.read(id);
    if (current === undefined) return CrestError.notFound(`Resource '${id}' does not exist`);
    return new CrestError(412, `Resource '${id}' is at revision ${current._rev}, not ${options.ifMatch ?? "*"}`);
  }
}

// The sort columns of a declared single-valued field, as plain expressions over the row's own
// document (no join), so that an expression index can hold them in order; undefined for other
// fields. They agree with the general columns on every value but an array, which a declared field
// does not hold: missing or null -> m, then the type rank, the number, the case-folded string.
function scalarSortColumns(d: PostgresDialect, field: Pointer, root = `t."doc"`): readonly [string, string, string, string] | undefined {
  if (!d.isScalar(field) || !PostgresDialect.reachable(field)) return undefined;
  const v = d.scalarPath(root, field);
  const type = `jsonb_typeof(${v})`;
  return [
    `COALESCE(${type} = 'null', TRUE)`,
    `(CASE ${type} WHEN 'boolean' THEN 0 WHEN 'number' THEN 1 WHEN 'string' THEN 2 WHEN 'array' THEN 3 WHEN 'object' THEN 3 ELSE 0 END)`,
    `(CASE ${type} WHEN 'boolean' THEN CASE WHEN ${v} = 'true'::jsonb THEN 1::float8 ELSE 0::float8 END WHEN 'number' THEN (${v})::float8 ELSE 0::float8 END)`,
    `(CASE WHEN ${type} = 'string' THEN ${d.folded(`${v} #>> '{}'`)} ELSE '' COLLATE "C" END)`,
  ];
}

// Rows after `after` when every column ascends: one row comparison, which a B-tree index on the
// same columns answers by seeking to the position instead of reading the rows before it.
function rowAfter(order: ReadonlyArray<[string, boolean]>, after: Position, params: SqlParams): string {
  return `(${order.map(([column]) => `q.${column}`).join(", ")}) > (${order.map(([column], i) => `${params.add(after[i])}::${columnType(column)}`).join(", ")})`;
}

function columnType(column: string): string {
  return column.startsWith("m") ? "boolean" : column.startsWith("r") ? "int" : column.startsWith("n") ? "float8" : `text COLLATE "C"`;
}

// Rows after `after` in the order given: (c1 > a1) or (c1 = a1 and (c2 > a2 or ...)), with < for
// descending columns. Every column is non-null by construction.
function keyset(order: ReadonlyArray<[string, boolean]>, after: Position, params: SqlParams): string {
  let condition = "FALSE";
  for (let i = order.length - 1; i >= 0; i--) {
    const [column, desc] = order[i] as [string, boolean];
    const value = `${params.add(after[i])}::${columnType(column)}`;
    condition = `(q.${column} ${desc ? "<" : ">"} ${value} OR (q.${column} = ${value} AND ${condition}))`;
  }
  return condition;
}

function positionOf(row: Record<string, unknown>, keys: number): Position {
  const out: Array<boolean | number | string> = [];
  for (let i = 0; i < keys; i++) out.push(row[`m${i}`] === true, Number(row[`r${i}`]), Number(row[`n${i}`]), String(row[`s${i}`]));
  out.push(String(row.id));
  return out;
}

function makeCookie(secret: string | Uint8Array, digest: string, offset: number, position: Position): string {
  return sealCookie(secret, { o: offset, q: digest, k: position });
}

function readCookie(secret: string | Uint8Array, cookie: string, digest: string, width: number): { o: number; k: Position } {
  const { o, q, k } = openCookie(secret, cookie);
  if (q !== digest) throw invalidCookie("it belongs to another query (a different _queryFilter, _queryId or _sortKeys)");
  if (typeof o !== "number" || !Number.isSafeInteger(o) || o < 0 || !Array.isArray(k) || k.length !== width) throw invalidCookie("it holds no valid position");
  return { o, k: k as Position };
}

// A filter the database cannot answer as the evaluator would is the server's limit (501); a value
// it cannot hold is the request's fault (400).
function translating<T>(translate: () => T): T {
  try {
    return translate();
  } catch (error) {
    if (error instanceof NotTranslatableError) throw new CrestError(501, error.message);
    if (error instanceof TypeError) throw CrestError.badRequest(`Invalid _queryFilter: ${error.message}`);
    throw error;
  }
}

// An escape-string literal, right whatever standard_conforming_strings says.
function stringLiteral(text: string): string {
  if (!isStorableText(text)) throw new TypeError(`A field name holds NUL or a lone surrogate: ${describeText(text)}`);
  return `E'${text.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

function checkId(id: string): void {
  if (id === "" || !isStorableText(id)) throw CrestError.badRequest("A resource id must be non-empty text without NUL or lone surrogates");
}

function withoutMeta(content: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(content)) {
    if (key !== "_id" && key !== "_rev") Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** JSON text PostgreSQL's jsonb can hold, or a 400 naming what it cannot. */
function storable(content: Record<string, unknown>): string {
  let text: string;
  try {
    text = JSON.stringify(content, (key, value: unknown) => {
      if (!isStorableText(key)) throw CrestError.badRequest("A field name holds NUL or a lone surrogate, which PostgreSQL cannot store");
      if (typeof value === "string" && !isStorableText(value)) throw CrestError.badRequest(`Field '${key}' holds NUL or a lone surrogate, which PostgreSQL cannot store`);
      if (typeof value === "number" && !Number.isFinite(value)) throw CrestError.badRequest(`Field '${key}' holds ${value}, which JSON cannot hold`);
      return value;
    });
  } catch (error) {
    if (error instanceof CrestError) throw error;
    throw CrestError.badRequest(`The resource is not JSON: ${(error as Error).message}`);
  }
  return text;
}

function docOf(row: unknown): StoredResource {
  const doc = (row as { doc?: unknown }).doc;
  const value = typeof doc === "string" ? (JSON.parse(doc) as unknown) : doc;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new CrestError(500, "The store's table holds a row that is not a JSON object");
  return value as StoredResource;
}

