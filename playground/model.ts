// The playground's logic without the page: reading what was typed or pasted, the state kept in the
// URL hash, the builder code for a filter, and the query over the sample data. No DOM here, so
// tests run it in Node.
import {
  CORE_OPERATORS,
  CrestError,
  decodeQueryFilter,
  FilterSyntaxError,
  formatPointer,
  parsePointer,
  parseQueryParams,
  queryCollection,
  referencedFields,
  type Filter,
  type FilterValue,
  type Pointer,
} from "../src/index.js";

/** Everything a link reproduces. */
export interface PlaygroundState {
  readonly filter: string;
  /** `_sortKeys` as typed: `-loginCount,sn`. */
  readonly sort: string;
  /** `_fields` as typed: `userName,mail`. */
  readonly fields: string;
  readonly pageSize: number;
  /** 1-based. */
  readonly page: number;
  readonly caseSensitive: boolean;
}

export const PAGE_SIZES = [10, 20, 50, 100] as const;

export const DEFAULT_STATE: PlaygroundState = {
  filter: '/accountStatus eq "active" and /loginCount gt 100',
  sort: "",
  fields: "",
  pageSize: 20,
  page: 1,
  caseSensitive: false,
};

const MAX_FILTER = 20_000;
const MAX_PARAM = 2_000;

/** The hash that reproduces a state (only what differs from the defaults, but always the filter). */
export function stateToHash(state: PlaygroundState): string {
  const params = new URLSearchParams();
  params.set("filter", state.filter);
  if (state.sort !== "") params.set("sort", state.sort);
  if (state.fields !== "") params.set("fields", state.fields);
  if (state.pageSize !== DEFAULT_STATE.pageSize) params.set("size", String(state.pageSize));
  if (state.page !== 1) params.set("page", String(state.page));
  if (state.caseSensitive) params.set("case", "1");
  // URLSearchParams writes spaces as "+"; %20 reads the same and is what people expect in a link.
  return `#${params.toString().replace(/\+/g, "%20")}`;
}

/** The state a hash describes; anything missing, malformed or out of range falls back to the default. */
export function stateFromHash(hash: string): PlaygroundState {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  if (text === "") return DEFAULT_STATE;
  const params = new URLSearchParams(text);
  const size = Number(params.get("size"));
  const page = Number(params.get("page"));
  return {
    filter: (params.get("filter") ?? DEFAULT_STATE.filter).slice(0, MAX_FILTER),
    sort: (params.get("sort") ?? "").slice(0, MAX_PARAM),
    fields: (params.get("fields") ?? "").slice(0, MAX_PARAM),
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_STATE.pageSize,
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    caseSensitive: params.get("case") === "1",
  };
}

/** What the input turned out to be. */
export interface ReadInput {
  /** The filter text to parse. */
  readonly filter: string;
  readonly kind: "filter" | "url" | "encoded";
  /** Other query parameters a pasted URL carried. */
  readonly sort?: string;
  readonly fields?: string;
  readonly pageSize?: number;
  /** Why a URL or an encoded value could not be read. */
  readonly problem?: string;
}

// Text before a "?" with no space in it, then a query string holding _queryFilter.
const URL_LIKE = /^[^\s?]*\?([^#]*)/;

function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return value;
  }
}

/**
 * Read what was typed or pasted: a whole URL (or just its query string) with `_queryFilter`, an
 * encoded `_queryFilter` value, or a filter. A filter is never mistaken for an encoded value: a
 * value is encoded when it has no space and holds `%XX` or `+`, and every filter without a space
 * is made of literals and parentheses only (a test needs a space between field and operator).
 */
export function readInput(input: string): ReadInput {
  const text = input.trim();
  const url = URL_LIKE.exec(text) ?? (text.startsWith("_queryFilter=") ? ["", text] : null);
  if (url !== null) {
    const pairs = (url[1] ?? "").split("&").map((p) => {
      const at = p.indexOf("=");
      return at < 0 ? [p, ""] : [p.slice(0, at), p.slice(at + 1)];
    });
    const raw = pairs.find(([k]) => k === "_queryFilter");
    if (raw !== undefined) {
      const get = (name: string): string | undefined => {
        const found = pairs.find(([k]) => k === name);
        return found === undefined ? undefined : decodeParam(found[1] ?? "");
      };
      const size = Number(get("_pageSize"));
      const extra = {
        ...(get("_sortKeys") === undefined ? {} : { sort: get("_sortKeys") }),
        ...(get("_fields") === undefined ? {} : { fields: get("_fields") }),
        ...((PAGE_SIZES as readonly number[]).includes(size) ? { pageSize: size } : {}),
      };
      try {
        return { filter: decodeQueryFilter(raw[1] ?? ""), kind: "url", ...extra };
      } catch (error) {
        return { filter: "", kind: "url", problem: (error as Error).message, ...extra };
      }
    }
  }
  if (!text.includes(" ") && (/%[0-9A-Fa-f]{2}/.test(text) || text.includes("+"))) {
    try {
      return { filter: decodeQueryFilter(text), kind: "encoded" };
    } catch (error) {
      return { filter: "", kind: "encoded", problem: (error as Error).message };
    }
  }
  return { filter: input, kind: "filter" };
}

function pointerCode(segments: Pointer): string {
  try {
    const text = formatPointer(segments);
    const back = parsePointer(text);
    if (back.length === segments.length && back.every((s, i) => s === segments[i])) return JSON.stringify(text);
  } catch {
    // fall through to the exact segments
  }
  return JSON.stringify(segments);
}

function valueCode(value: FilterValue, names: Set<string>): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return String(value);
    case "bigint":
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? String(value) : `${value}n`;
    default: {
      const text = Object.is(value, -0) ? "-0" : String(value);
      if (!Number.isInteger(value)) return text;
      names.add("decimal");
      return `decimal(${text})`;
    }
  }
}

const WIDTH = 48;

function indent(text: string): string {
  return text.replace(/\n/g, "\n  ");
}

function expression(filter: Filter, names: Set<string>): string {
  switch (filter.type) {
    case "literal":
      names.add(filter.value ? "always" : "never");
      return filter.value ? "always()" : "never()";
    case "presence":
      names.add("field");
      return `field(${pointerCode(filter.field)}).pr()`;
    case "comparison": {
      names.add("field");
      const value = valueCode(filter.value, names);
      const core = (CORE_OPERATORS as readonly string[]).includes(filter.operator);
      return core
        ? `field(${pointerCode(filter.field)}).${filter.operator}(${value})`
        : `field(${pointerCode(filter.field)}).op(${JSON.stringify(filter.operator)}, ${value})`;
    }
    case "not": {
      names.add("not");
      const inner = expression(filter.filter, names);
      return inner.includes("\n") || inner.length > WIDTH - 5 ? `not(\n  ${indent(inner)},\n)` : `not(${inner})`;
    }
    case "and":
    case "or": {
      names.add(filter.type);
      // The builder flattens nested groups of the same kind, so the code does too.
      const operands: Filter[] = [];
      const collect = (f: Filter): void => {
        if (f.type === filter.type) f.filters.forEach(collect);
        else operands.push(f);
      };
      filter.filters.forEach(collect);
      const parts = operands.map((f) => expression(f, names));
      const oneLine = `${filter.type}(${parts.join(", ")})`;
      if (oneLine.length <= WIDTH && !oneLine.includes("\n")) return oneLine;
      return `${filter.type}(\n  ${parts.map(indent).join(",\n  ")},\n)`;
    }
  }
}

/**
 * The filter as builder code: the import line, then an expression that builds the same filter
 * (nested groups of the same kind flattened, as the builder does).
 */
export function builderCode(filter: Filter): string {
  const names = new Set<string>();
  const body = expression(filter, names);
  return `import { ${[...names].sort().join(", ")} } from "crest-query";\n\nconst filter = ${body};\n`;
}

/** What the matches table shows. */
export interface MatchesView {
  /** Every match (before paging). */
  readonly total: number;
  readonly rows: readonly unknown[];
  readonly columns: readonly Pointer[];
  readonly firstIndex: number;
  /** Problems with the sort keys or fields, by parameter. */
  readonly sortProblem?: string;
  readonly fieldsProblem?: string;
}

const DEFAULT_COLUMNS: readonly Pointer[] = [["userName"], ["givenName"], ["sn"], ["mail"], ["accountStatus"]];
const MAX_COLUMNS = 7;

function samePointer(a: Pointer, b: Pointer): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The columns: the `_fields` when given, else the usual ones plus the fields the filter tests. */
function columnsFor(filter: Filter, fields: readonly Pointer[]): Pointer[] {
  if (fields.length > 0) return fields.slice(0, 20);
  const columns = [...DEFAULT_COLUMNS];
  for (const f of referencedFields(filter)) {
    if (f.length > 0 && !columns.some((c) => samePointer(c, f))) columns.push(f);
  }
  // Keep the tested fields visible: drop default columns (from the right) first.
  while (columns.length > MAX_COLUMNS) {
    const dropAt = columns.findIndex((c, i) => i > 0 && DEFAULT_COLUMNS.includes(c) && !referencedFields(filter).some((f) => samePointer(f, c)));
    columns.splice(dropAt > 0 ? dropAt : columns.length - 1, 1);
  }
  return columns;
}

function problemOf(error: unknown): string {
  if (error instanceof CrestError || error instanceof FilterSyntaxError) return error.message;
  throw error;
}

/** Run the filter over the resources with the state's sort keys, fields and page. */
export function queryMatches(resources: readonly unknown[], filter: Filter, state: PlaygroundState): MatchesView {
  let sortProblem: string | undefined;
  let fieldsProblem: string | undefined;
  let request: ReturnType<typeof parseQueryParams> = {};
  try {
    if (state.sort.trim() !== "") request = { ...request, sortKeys: parseQueryParams({ _sortKeys: state.sort.trim() }).sortKeys ?? [] };
  } catch (error) {
    sortProblem = problemOf(error);
  }
  try {
    if (state.fields.trim() !== "") request = { ...request, fields: parseQueryParams({ _fields: state.fields.trim() }).fields ?? [] };
  } catch (error) {
    fieldsProblem = problemOf(error);
  }
  const firstIndex = (state.page - 1) * state.pageSize;
  const page = queryCollection(
    resources,
    { ...request, queryFilter: filter, pageSize: state.pageSize, pagedResultsOffset: firstIndex, totalPagedResultsPolicy: "EXACT" },
    { cache: false, caseSensitive: state.caseSensitive },
  );
  return {
    total: page.totalPagedResults,
    rows: page.result,
    columns: columnsFor(filter, request.fields ?? []),
    firstIndex,
    ...(sortProblem === undefined ? {} : { sortProblem }),
    ...(fieldsProblem === undefined ? {} : { fieldsProblem }),
  };
}

/** The value at a pointer: arrays on the way are searched element by element (all found values). */
export function valueAt(resource: unknown, pointer: Pointer): unknown {
  let current: unknown[] = [resource];
  for (const segment of pointer) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value) && /^(0|[1-9][0-9]*)$/.test(segment)) {
        if (Number(segment) < value.length) next.push(value[Number(segment)]);
      } else if (Array.isArray(value)) {
        for (const element of value) {
          if (element !== null && typeof element === "object" && Object.prototype.hasOwnProperty.call(element, segment)) {
            next.push((element as Record<string, unknown>)[segment]);
          }
        }
      } else if (value !== null && typeof value === "object" && Object.prototype.hasOwnProperty.call(value, segment)) {
        next.push((value as Record<string, unknown>)[segment]);
      }
    }
    current = next;
    if (current.length === 0) return undefined;
  }
  return current.length === 1 ? current[0] : current;
}
