import type { Filter, FilterValue } from "../../src/index.js";

/** A filter in the notation of the conformance corpus (test/fixtures/CONFORMANCE.md). */
export type ReferenceNode =
  | { op: "true" | "false" }
  | { op: "and" | "or"; filters: ReferenceNode[] }
  | { op: "not"; filter: ReferenceNode }
  | { op: "pr"; field: string[] }
  | { op: "ext"; ext: string; field: string[]; value: ReferenceValue }
  | { op: string; field: string[]; value: ReferenceValue };
export type ReferenceValue = string | boolean | { integer: string } | { double: string };

export interface ConformanceCase {
  input: string;
  expect: ReferenceNode | { error: string };
  allow?: string[];
}

const CORE = new Set(["eq", "co", "sw", "lt", "le", "gt", "ge"]);

/** Our AST in the corpus notation; decimals become numbers so they compare numerically. */
export function toReference(filter: Filter): unknown {
  switch (filter.type) {
    case "literal":
      return { op: String(filter.value) };
    case "and":
    case "or":
      return { op: filter.type, filters: filter.filters.map(toReference) };
    case "not":
      return { op: "not", filter: toReference(filter.filter) };
    case "presence":
      return { op: "pr", field: [...filter.field] };
    case "comparison": {
      const value = referenceValue(filter.value);
      return CORE.has(filter.operator)
        ? { op: filter.operator, field: [...filter.field], value }
        : { op: "ext", ext: filter.operator, field: [...filter.field], value };
    }
  }
}

function referenceValue(value: FilterValue): unknown {
  if (typeof value === "bigint") return { integer: value.toString() };
  if (typeof value === "number") return { double: value };
  return value;
}

/** The corpus expectation with decimals as numbers, for a deep-equal against {@link toReference}. */
export function normaliseExpected(node: ReferenceNode): unknown {
  if ("filters" in node) return { op: node.op, filters: node.filters.map(normaliseExpected) };
  if ("filter" in node) return { op: node.op, filter: normaliseExpected(node.filter) };
  if ("value" in node) {
    const v = node.value;
    const value = typeof v === "object" && "double" in v ? { double: v.double === "nonfinite" ? Number.NaN : Number(v.double) } : v;
    return { ...node, value };
  }
  return node;
}
