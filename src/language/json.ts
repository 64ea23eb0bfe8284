import type { Filter, FilterValue } from "./ast.js";
import { fitsLong, formatDecimal } from "./numbers.js";
import { MAX_FILTER_DEPTH } from "./writer.js";

/**
 * A filter as plain JSON: the AST with numbers tagged by kind, because JSON has no bigint and
 * cannot tell `1` from `1.0`. Integers are `{ "integer": "42" }`, decimals `{ "decimal": "1.0" }`.
 *
 * @example
 * ```ts
 * import type { FilterJson } from "crest-query";
 * const json: FilterJson = { type: "comparison", operator: "gt", field: ["age"], value: { integer: "30" } };
 * ```
 */
export type FilterJson =
  | { type: "and" | "or"; filters: FilterJson[] }
  | { type: "not"; filter: FilterJson }
  | { type: "literal"; value: boolean }
  | { type: "presence"; field: string[] }
  | { type: "comparison"; operator: string; field: string[]; value: FilterValueJson };

/**
 * A comparison value in {@link FilterJson}.
 *
 * @example
 * ```ts
 * import type { FilterValueJson } from "crest-query";
 * const values: FilterValueJson[] = ["text", true, { integer: "9007199254740993" }, { decimal: "0.5" }];
 * ```
 */
export type FilterValueJson = string | boolean | { integer: string } | { decimal: string };

/**
 * Turn a filter into JSON-safe data (see {@link FilterJson}); `JSON.stringify` it as you like.
 *
 * @example
 * ```ts
 * import { filterToJson, parseFilter } from "crest-query";
 * JSON.stringify(filterToJson(parseFilter("/age gt 30")));
 * // '{"type":"comparison","operator":"gt","field":["age"],"value":{"integer":"30"}}'
 * ```
 */
export function filterToJson(filter: Filter, depth = 0): FilterJson {
  if (depth > MAX_FILTER_DEPTH) throw new TypeError(`Filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  switch (filter.type) {
    case "and":
    case "or":
      return { type: filter.type, filters: filter.filters.map((f) => filterToJson(f, depth + 1)) };
    case "not":
      return { type: "not", filter: filterToJson(filter.filter, depth + 1) };
    case "literal":
      return { type: "literal", value: filter.value };
    case "presence":
      return { type: "presence", field: [...filter.field] };
    case "comparison":
      return { type: "comparison", operator: filter.operator, field: [...filter.field], value: valueToJson(filter.value) };
  }
}

function valueToJson(value: FilterValue): FilterValueJson {
  if (typeof value === "bigint") return { integer: value.toString() };
  if (typeof value === "number") return { decimal: formatDecimal(value) };
  return value;
}

/**
 * Read a filter back from {@link FilterJson}, checking every part: data from a file or the network
 * cannot smuggle in other shapes, extra keys or prototype tricks.
 *
 * @throws TypeError naming the path of the first part that is wrong.
 *
 * @example
 * ```ts
 * import { filterFromJson } from "crest-query";
 * filterFromJson({ type: "presence", field: ["mail"] }); // { type: "presence", field: ["mail"] }
 * ```
 */
export function filterFromJson(json: unknown): Filter {
  return readNode(json, "$", 0);
}

function fail(path: string, what: string): never {
  throw new TypeError(`Invalid filter JSON at ${path}: ${what}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function own(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function readField(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((s) => typeof s === "string")) fail(path, "expected an array of strings");
  return [...(value as string[])];
}

function readNode(json: unknown, path: string, depth: number): Filter {
  if (depth > MAX_FILTER_DEPTH) fail(path, `nesting deeper than ${MAX_FILTER_DEPTH} levels`);
  if (!isRecord(json)) fail(path, "expected an object");
  const type = own(json, "type");
  switch (type) {
    case "and":
    case "or": {
      const filters = own(json, "filters");
      if (!Array.isArray(filters)) fail(`${path}.filters`, "expected an array");
      return { type, filters: filters.map((f, i) => readNode(f, `${path}.filters[${i}]`, depth + 1)) };
    }
    case "not":
      return { type, filter: readNode(own(json, "filter"), `${path}.filter`, depth + 1) };
    case "literal": {
      const value = own(json, "value");
      if (typeof value !== "boolean") fail(`${path}.value`, "expected true or false");
      return { type, value };
    }
    case "presence":
      return { type, field: readField(own(json, "field"), `${path}.field`) };
    case "comparison": {
      const operator = own(json, "operator");
      if (typeof operator !== "string") fail(`${path}.operator`, "expected a string");
      return { type, operator, field: readField(own(json, "field"), `${path}.field`), value: readValue(own(json, "value"), `${path}.value`) };
    }
    default:
      return fail(`${path}.type`, `unknown node type ${JSON.stringify(type) ?? "undefined"}`);
  }
}

function readValue(value: unknown, path: string): FilterValue {
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (isRecord(value)) {
    const integer = own(value, "integer");
    if (typeof integer === "string" && /^-?[0-9]+$/.test(integer)) {
      const n = BigInt(integer);
      if (!fitsLong(n)) fail(path, "integer outside the signed 64-bit range");
      return n;
    }
    const decimal = own(value, "decimal");
    if (typeof decimal === "string" && decimal.trim() !== "" && Number.isFinite(Number(decimal))) return Number(decimal);
  }
  return fail(path, 'expected a string, a boolean, { "integer": "digits" } or { "decimal": "1.5" }');
}
