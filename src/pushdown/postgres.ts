import type { Filter, FilterValue, Pointer } from "../language/ast.js";
import { brandClass } from "../language/brand.js";
import { describeText } from "../language/errors.js";
import { hasLoneSurrogate } from "../language/pointer.js";
import { MAX_FILTER_DEPTH } from "../language/writer.js";

/**
 * A parameterized SQL text and its values, shaped as `pg`'s query config (`client.query(sql)`) and
 * as PGlite's `db.query(sql.text, sql.values)` expects them.
 *
 * @example
 * ```ts
 * import { parseFilter, toPostgres, type SqlQuery } from "crest-query";
 * const where: SqlQuery = toPostgres(parseFilter("/active eq true"));
 * where.values; // [true]
 * ```
 */
export interface SqlQuery {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * The collations that carry the two case rules into PostgreSQL (see the pushdown guide,
 * docs/pushdown.md): `fold` for `eq lt le gt ge` and sorting (`lower(upper(x))` under it must map
 * each code point on its own, as Unicode's simple case mappings do), `lower` for `co` and `sw`
 * (`lower(x)` under it must lower-case whole strings with the full mappings, as JavaScript's
 * `toLowerCase` does).
 *
 * @example
 * ```ts
 * import type { PostgresCollations } from "crest-query";
 * const postgres15: PostgresCollations = { fold: "C.utf8", lower: "und-x-icu" };
 * ```
 */
export interface PostgresCollations {
  readonly fold: string;
  readonly lower: string;
}

/**
 * The collations {@link toPostgres} uses unless told otherwise: the built-in `pg_c_utf8`
 * (PostgreSQL 17 and later) for the `eq`/ordering fold, ICU's root locale for `co`/`sw`.
 *
 * @example
 * ```ts
 * import { DEFAULT_POSTGRES_COLLATIONS } from "crest-query";
 * DEFAULT_POSTGRES_COLLATIONS.fold; // "pg_c_utf8"
 * ```
 */
export const DEFAULT_POSTGRES_COLLATIONS: PostgresCollations = Object.freeze({ fold: "pg_c_utf8", lower: "und-x-icu" });

/**
 * Where an SQL translation of an extended operator gets its pieces: `value` is an SQL expression of
 * type `jsonb` for one value at the field (each array element in turn), `param` adds a parameter and
 * returns its placeholder (`$3`).
 *
 * @example
 * ```ts
 * import type { SqlOperatorContext } from "crest-query";
 * const regex = (c: SqlOperatorContext) => `(${c.value} #>> '{}') ~ ${c.param(String(c.assertion))}`;
 * ```
 */
export interface SqlOperatorContext {
  readonly value: string;
  readonly assertion: FilterValue;
  /** Add a parameter value; returns its placeholder (`$3`). */
  param(value: unknown): string;
}

/**
 * An extended operator in SQL: a boolean SQL expression about one value (`NULL` for unknown, as
 * Kleene logic wants). The filter's value must only ever reach the SQL through `param`.
 *
 * @example
 * ```ts
 * import type { SqlOperator } from "crest-query";
 * const regex: SqlOperator = ({ value, assertion, param }) =>
 *   `CASE WHEN jsonb_typeof(${value}) = 'string' THEN (${value} #>> '{}') ~ ${param(String(assertion))} END`;
 * ```
 */
export type SqlOperator = (context: SqlOperatorContext) => string;

/**
 * Options of {@link toPostgres}.
 *
 * @example
 * ```ts
 * import type { ToPostgresOptions } from "crest-query";
 * const options: ToPostgresOptions = { column: "data", caseSensitive: false, parameterOffset: 2 };
 * ```
 */
export interface ToPostgresOptions {
  /** The `jsonb` column holding the resource: a name, or its qualified parts (`["u", "doc"]`). Default `doc`. */
  readonly column?: string | readonly string[];
  /** Compare strings with their case (default `false`). */
  readonly caseSensitive?: boolean;
  /** Number the placeholders after this many (to embed the condition in a query with its own). Default 0. */
  readonly parameterOffset?: number;
  /** The collations for the two case rules. Default {@link DEFAULT_POSTGRES_COLLATIONS}. */
  readonly collations?: PostgresCollations;
  /** SQL translations of extended operators by name. An operator without one is unknown (SQL `NULL`). */
  readonly operators?: Readonly<Record<string, SqlOperator>>;
  /**
   * Names of extended operators that are implemented in memory but have no SQL translation: a
   * filter using one cannot be translated, and {@link toPostgres} says so rather than answer
   * differently from the in-memory evaluator.
   */
  readonly untranslatable?: readonly string[];
  /**
   * Fields that never hold an array and have no array on their way (the resource schema says so).
   * Tests on them compile to plain expressions over `column #> path` that expression indexes serve.
   * Listed as pointers (`["name", "family"]`) or pointer text (`"name/family"`).
   */
  readonly scalarFields?: readonly (Pointer | string)[];
}

/**
 * How many levels of arrays nested in arrays a name segment looks through in SQL (`[[{"a":1}]]` is
 * two); deeper nesting is not searched (the in-memory evaluator searches any depth).
 *
 * @example
 * ```ts
 * import { ARRAY_NESTING_SEARCHED } from "crest-query";
 * ARRAY_NESTING_SEARCHED; // 6
 * ```
 */
export const ARRAY_NESTING_SEARCHED = 6;

const FLATTEN = `'lax $${"[*]".repeat(ARRAY_NESTING_SEARCHED)}'`;
const INT32_MAX = 2147483647;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * A filter that PostgreSQL cannot answer as the in-memory evaluator would: it uses an extended
 * operator that has an implementation in memory but no SQL translation.
 *
 * @example
 * ```ts
 * import { NotTranslatableError, parseFilter, toPostgres } from "crest-query";
 * try {
 *   toPostgres(parseFilter("/sn regex 'J.*'"), { untranslatable: ["regex"] });
 * } catch (error) {
 *   error instanceof NotTranslatableError; // true
 * }
 * ```
 */
export class NotTranslatableError extends Error {
  override readonly name = "NotTranslatableError";
}
brandClass(NotTranslatableError, "NotTranslatableError");

/** Collects parameter values and hands out their placeholders. */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(private readonly offset = 0) {}
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.offset + this.values.length}`;
  }
}

/** A quoted SQL identifier (`"a""b"`); never NUL. */
export function quoteIdentifier(name: string): string {
  if (name === "" || name.includes("\u0000")) throw new TypeError(`Not a valid SQL identifier: ${describeText(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

function columnSql(column: string | readonly string[] | undefined): string {
  const parts = column === undefined ? ["doc"] : typeof column === "string" ? [column] : column;
  return parts.map(quoteIdentifier).join(".");
}

/** A string PostgreSQL can hold as text: no NUL, no lone surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && !hasLoneSurrogate(text);
}

/**
 * The SQL pieces of one translation: the case-rule expressions and the value set at a pointer.
 * Shared by the filter translation and the PostgreSQL store's sorting.
 */
export class PostgresDialect {
  readonly fold: string;
  readonly lower: string;
  private readonly scalars: ReadonlySet<string>;

  constructor(
    readonly params: SqlParams,
    readonly options: ToPostgresOptions,
  ) {
    const collations = options.collations ?? DEFAULT_POSTGRES_COLLATIONS;
    this.fold = quoteIdentifier(collations.fold);
    this.lower = quoteIdentifier(collations.lower);
    this.scalars = new Set(
      (options.scalarFields ?? []).map((f) => JSON.stringify(typeof f === "string" ? f.split("/").filter((s) => s !== "") : [...f])),
    );
  }

  /** `lower(upper(x))` per code point, as comparable bytes (code point order). */
  folded(text: string): string {
    return `(lower(upper((${text}) COLLATE ${this.fold})) COLLATE "C")`;
  }

  /** Whole-string lower-casing, as comparable bytes. */
  lowered(text: string): string {
    return `(lower((${text}) COLLATE ${this.lower}) COLLATE "C")`;
  }

  isScalar(pointer: Pointer): boolean {
    return this.scalars.has(JSON.stringify(pointer));
  }

  /** The one value at a declared single-valued field: `root -> 'a' -> 'b'`, each key a parameter. */
  scalarPath(root: string, pointer: Pointer): string {
    return pointer.reduce((path, key) => `(${path} -> ${this.params.add(key)}::text)`, root);
  }

  /** Whether every segment of a pointer can be a key of a stored document. */
  static reachable(pointer: Pointer): boolean {
    return pointer.every(isStorableText);
  }

  /**
   * A FROM list giving, in column `<alias>.v`, every value at a pointer of `root` (a jsonb
   * expression): name segments look through arrays, numeric ones index arrays or name object keys;
   * with `elements`, a final array gives its elements.
   */
  valuesAt(root: string, pointer: Pointer, alias: string, elements: boolean): { from: string; value: string } {
    const parts = [`(SELECT ${root} AS v) ${alias}0`];
    pointer.forEach((segment, i) => {
      const prev = `${alias}${i}.v`;
      const next = `${alias}${i + 1}`;
      const key = this.params.add(segment);
      if (/^[0-9]+$/.test(segment)) {
        const index = Number(segment);
        const element = index <= INT32_MAX ? `${prev} -> ${this.params.add(index)}::int` : "NULL::jsonb";
        parts.push(
          `LATERAL (SELECT CASE jsonb_typeof(${prev}) WHEN 'array' THEN ${element} WHEN 'object' THEN ${prev} -> ${key}::text END AS v) ${next}`,
        );
      } else {
        parts.push(
          `LATERAL (SELECT e.v -> ${key}::text AS v FROM jsonb_path_query(${prev}, ${FLATTEN}) AS e(v) WHERE jsonb_typeof(e.v) = 'object') ${next}`,
        );
      }
    });
    const last = `${alias}${pointer.length}.v`;
    if (!elements) return { from: parts.join(", "), value: last };
    parts.push(`LATERAL jsonb_path_query(${last}, 'lax $[*]') AS ${alias}f(v)`);
    return { from: parts.join(", "), value: `${alias}f.v` };
  }
}

type Compiled = string;

/**
 * Translate a filter into a parameterized SQL condition over a `jsonb` column that selects the
 * rows whose document the in-memory evaluator ({@link compileFilter}) matches: the same pointer
 * rules (own keys, numeric segments index arrays, other segments look through arrays), any value
 * at the field may match, comparisons only between strings, numbers (as doubles) or booleans, the
 * two case rules, `pr` for present and not `null`, and Kleene logic (SQL's own) for extended
 * operators. Values and field names only ever travel as parameters; the text holds no input.
 * The mapping, and how close PostgreSQL's case mappings come, is in the pushdown guide
 * (docs/pushdown.md).
 *
 * @throws NotTranslatableError for an operator listed in `untranslatable`; TypeError for a value
 * PostgreSQL cannot hold (a lone surrogate) or a malformed filter; RangeError for one nested deeper
 * than `MAX_FILTER_DEPTH`.
 *
 * @example
 * ```ts
 * import { parseFilter, toPostgres } from "crest-query";
 * const where = toPostgres(parseFilter("/age ge 18"));
 * where.values; // ["age", 18]
 * where.text.includes("::float8"); // true
 * ```
 */
export function toPostgres(filter: Filter, options: ToPostgresOptions = {}): SqlQuery {
  const params = new SqlParams(options.parameterOffset ?? 0);
  const text = translateFilter(filter, columnSql(options.column), new PostgresDialect(params, options));
  return { text, values: params.values };
}

/** Translate a filter with a dialect whose parameters continue a bigger query. */
export function translateFilter(filter: Filter, column: string, dialect: PostgresDialect): string {
  return compile(filter, column, dialect, 0);
}

export { columnSql as postgresColumn };

function compile(filter: Filter, column: string, d: PostgresDialect, depth: number): Compiled {
  if (depth > MAX_FILTER_DEPTH) throw new RangeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  switch (filter.type) {
    case "literal":
      return filter.value ? "TRUE" : "FALSE";
    case "not":
      return `(NOT ${compile(filter.filter, column, d, depth + 1)})`;
    case "and":
    case "or": {
      if (filter.filters.length === 0) return filter.type === "and" ? "TRUE" : "FALSE";
      const parts = filter.filters.map((f) => compile(f, column, d, depth + 1));
      return `(${parts.join(filter.type === "and" ? " AND " : " OR ")})`;
    }
    case "presence":
      return presence(filter.field, column, d);
    case "comparison":
      return comparison(filter.operator, filter.field, filter.value, column, d);
    default:
      throw new TypeError(`Not a filter node: ${describeText(String((filter as { type?: unknown }).type))}`);
  }
}

function presence(pointer: Pointer, column: string, d: PostgresDialect): Compiled {
  if (!PostgresDialect.reachable(pointer)) return "FALSE";
  if (d.isScalar(pointer)) {
    const path = scalarPath(column, pointer, d);
    return `COALESCE(jsonb_typeof(${path}) <> 'null', FALSE)`;
  }
  const { from, value } = d.valuesAt(column, pointer, "p", false);
  return `EXISTS (SELECT 1 FROM ${from} WHERE jsonb_typeof(${value}) <> 'null')`;
}

// `column -> 'a' -> 'b'` with each key a parameter: an expression index over `doc -> 'a' -> 'b'`
// serves it once the planner sees the parameter values (unnamed statements, the default).
function scalarPath(column: string, pointer: Pointer, d: PostgresDialect): string {
  return d.scalarPath(column, pointer);
}

type ValueTest = (value: string) => string;

function comparison(operator: string, pointer: Pointer, assertion: FilterValue, column: string, d: PostgresDialect): Compiled {
  if (!hasOwn.call(ORDER, operator) && operator !== "co" && operator !== "sw") return extended(operator, pointer, assertion, column, d);
  if (typeof assertion === "string") checkText(assertion);
  // No stored string holds NUL: equality, containment and prefix tests with one never match.
  const unsatisfiable = typeof assertion === "string" && assertion.includes("\u0000") && (operator === "eq" || operator === "co" || operator === "sw");
  if (unsatisfiable || !PostgresDialect.reachable(pointer)) return "FALSE";
  if (d.isScalar(pointer)) {
    const path = scalarPath(column, pointer, d);
    return `COALESCE(${coreTest(operator, assertion, d)(path)}, FALSE)`;
  }
  const { from, value } = d.valuesAt(column, pointer, "c", true);
  return `EXISTS (SELECT 1 FROM ${from} WHERE ${coreTest(operator, assertion, d)(value)})`;
}

function extended(operator: string, pointer: Pointer, assertion: FilterValue, column: string, d: PostgresDialect): Compiled {
  const translation = d.options.operators !== undefined && hasOwn.call(d.options.operators, operator) ? d.options.operators[operator] : undefined;
  if (translation === undefined) {
    if (d.options.untranslatable?.includes(operator) === true) {
      throw new NotTranslatableError(`Extended operator '${describeText(operator)}' has no SQL translation, so the filter cannot run in PostgreSQL`);
    }
    return "NULL::boolean"; // unknown, as the evaluator has it for an operator it does not know
  }
  if (!PostgresDialect.reachable(pointer)) return "FALSE";
  const { from, value } = d.valuesAt(column, pointer, "x", true);
  const test = translation({ value, assertion, param: (v) => d.params.add(v) });
  // Any value true: true; else any unknown: unknown; else false (Kleene `or` over the values).
  return `(SELECT CASE WHEN bool_or(t) THEN TRUE WHEN bool_or(t IS NULL) THEN NULL ELSE FALSE END FROM (SELECT (${test})::boolean AS t FROM ${from} WHERE jsonb_typeof(${value}) <> 'null') AS xt)`;
}

const ORDER: Readonly<Record<string, string>> = { eq: "=", lt: "<", le: "<=", gt: ">", ge: ">=" };

// Each test guards its cast with CASE, which PostgreSQL evaluates in order (AND may not).
function coreTest(operator: string, assertion: FilterValue, d: PostgresDialect): ValueTest {
  if (typeof assertion === "string" && (operator === "co" || operator === "sw")) return textTest(operator, assertion, d);
  const op = ORDER[operator] ?? "=";
  switch (typeof assertion) {
    case "string":
      return stringTest(op, assertion, d);
    case "number":
    case "bigint": {
      const x = d.params.add(String(Number(assertion)));
      return (v) => `(CASE WHEN jsonb_typeof(${v}) = 'number' THEN (${v})::float8 ${op} ${x}::float8 END)`;
    }
    case "boolean": {
      const x = d.params.add(assertion);
      return (v) => `(CASE WHEN jsonb_typeof(${v}) = 'boolean' THEN (${v})::boolean ${op} ${x}::boolean END)`;
    }
    default:
      throw new TypeError(`Not a filter value: ${typeof assertion}`);
  }
}

function checkText(text: string): void {
  if (hasLoneSurrogate(text)) throw new TypeError(`The value ${describeText(text)} holds a lone surrogate, which PostgreSQL text cannot hold`);
}

function stringTest(op: string, assertion: string, d: PostgresDialect): ValueTest {
  let text = assertion;
  const nul = assertion.indexOf("\u0000");
  if (nul >= 0) {
    // Against `p + NUL + r` a string s (which holds no NUL) is below exactly when s <= p, NUL
    // being the least code point: so compare with p. (Equality was ruled out before.)
    text = assertion.slice(0, nul);
    op = op === "<" || op === "<=" ? "<=" : ">";
  }
  const x = d.params.add(text);
  const side = d.options.caseSensitive === true ? (t: string) => `((${t}) COLLATE "C")` : (t: string) => d.folded(t);
  const right = side(`${x}::text`);
  return (v) => `(CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${side(`${v} #>> '{}'`)} ${op} ${right} END)`;
}

function textTest(operator: "co" | "sw", assertion: string, d: PostgresDialect): ValueTest {
  const x = d.params.add(assertion);
  const side = d.options.caseSensitive === true ? (t: string) => `((${t}) COLLATE "C")` : (t: string) => d.lowered(t);
  // Escape LIKE's wildcards and its escape character in the (lowered) assertion, inside SQL.
  const pattern = `replace(replace(replace(${side(`${x}::text`)}, E'\\\\', E'\\\\\\\\'), '%', E'\\\\%'), '_', E'\\\\_')`;
  const like = operator === "co" ? `'%' || ${pattern} || '%'` : `${pattern} || '%'`;
  return (v) => `(CASE WHEN jsonb_typeof(${v}) = 'string' THEN ${side(`${v} #>> '{}'`)} LIKE (${like}) ESCAPE E'\\\\' END)`;
}

/**
 * What the PostgreSQL store and {@link detectPostgresCollations} need of a database connection:
 * a `pg` `Pool` or `Client` and a PGlite instance all fit as they are.
 *
 * @example
 * ```ts
 * import type { PostgresExecutor } from "crest-query";
 * const fake: PostgresExecutor = { query: async () => ({ rows: [] }) };
 * ```
 */
export interface PostgresExecutor {
  /** Run one parameterized statement (`$1`, `$2`, ... stand for `values`) and give its rows. */
  query(text: string, values?: unknown[]): Promise<{ readonly rows: readonly unknown[] }>;
}

/**
 * Ask a server which collations carry the case rules best: for the `eq`/ordering fold
 * `pg_c_utf8` (PostgreSQL 17+), else a libc `C.UTF-8` locale, else ICU's root locale; for `co`/`sw`
 * `pg_unicode_fast` (PostgreSQL 18+), else ICU's root locale, else the fold collation. The pushdown
 * guide (docs/pushdown.md) says what each choice gets right.
 *
 * @example
 * ```ts
 * import { detectPostgresCollations, type PostgresExecutor } from "crest-query";
 * const db: PostgresExecutor = { query: async () => ({ rows: [{ collname: "pg_c_utf8" }, { collname: "und-x-icu" }] }) };
 * await detectPostgresCollations(db); // { fold: "pg_c_utf8", lower: "und-x-icu" }
 * ```
 */
export async function detectPostgresCollations(db: PostgresExecutor): Promise<PostgresCollations> {
  const { rows } = await db.query(
    "SELECT collname FROM pg_collation WHERE collname IN ('pg_c_utf8', 'pg_unicode_fast', 'C.utf8', 'C.UTF-8', 'und-x-icu') AND collencoding IN (-1, pg_char_to_encoding('UTF8'))",
  );
  const names = new Set(rows.map((r) => String((r as { collname?: unknown }).collname)));
  const first = (...candidates: string[]) => candidates.find((c) => names.has(c));
  const fold = first("pg_c_utf8", "C.utf8", "C.UTF-8", "und-x-icu") ?? "default";
  const lower = first("pg_unicode_fast", "und-x-icu") ?? fold;
  return { fold, lower };
}
