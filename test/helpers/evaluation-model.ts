import type { Filter, FilterValue } from "../../src/index.js";

// A deliberately plain interpreter of the evaluation rules (what a filter means for one JSON
// resource), written from the rules themselves and not from the evaluator: it collects values
// into arrays, recurses freely, and states each comparison the long way. Tests compare the
// compiled evaluator with it on random filters and resources.

export type Truth = boolean | undefined;
export interface ModelOptions {
  readonly caseSensitive?: boolean;
  readonly operators?: Readonly<Record<string, (value: unknown, assertion: FilterValue) => Truth>>;
}

/** The values a field reaches: own keys, numeric segments index arrays, other segments fan out. */
export function modelValuesAt(node: unknown, field: readonly string[]): unknown[] {
  if (field.length === 0) return node === undefined ? [] : [node];
  if (node === null || typeof node !== "object") return [];
  const [head, ...rest] = field as [string, ...string[]];
  if (Array.isArray(node)) {
    if (/^[0-9]+$/.test(head)) return modelValuesAt(node[Number(head)], rest);
    return node.flatMap((element) => modelValuesAt(element, field));
  }
  return Object.keys(node).includes(head) ? modelValuesAt((node as Record<string, unknown>)[head], rest) : [];
}

// Simple (one-to-one) case mappings. JavaScript's toUpperCase/toLowerCase give the full mappings;
// where a full mapping is more than one code point the simple mapping is the code point itself,
// except for U+0130, whose simple lower-case mapping in UnicodeData is U+0069.
const SIMPLE_LOWER_EXCEPTIONS = new Map([[0x130, 0x69]]);
function simple(cp: number, map: (s: string) => string): number {
  const mapped = [...map(String.fromCodePoint(cp))];
  return mapped.length === 1 ? (mapped[0] as string).codePointAt(0)! : cp;
}
function foldCp(cp: number): number {
  const upper = simple(cp, (s) => s.toUpperCase());
  return SIMPLE_LOWER_EXCEPTIONS.get(upper) ?? simple(upper, (s) => s.toLowerCase());
}

/** Java's compareToIgnoreCase: code points, each folded lower(upper(cp)); then length. */
export function modelCompareIgnoringCase(a: string, b: string): number {
  const x = [...a].map((c) => foldCp(c.codePointAt(0)!));
  const y = [...b].map((c) => foldCp(c.codePointAt(0)!));
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return Math.sign(x[i]! - y[i]!);
  return Math.sign(x.length - y.length);
}

// Java's Double.compare orders doubles by a key made from their bits: NaN (one canonical NaN) after
// +Infinity, -0.0 before +0.0.
function doubleKey(d: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Number.isNaN(d) ? Number.NaN : d);
  const bits = view.getBigUint64(0);
  const magnitude = bits & 0x7fffffffffffffffn;
  return bits >> 63n === 1n ? -magnitude - 1n : magnitude;
}

/** A resource number against a filter number: doubles by Double.compare, a resource bigint exactly. */
export function modelCompareNumbers(value: number | bigint, assertion: number | bigint): number {
  if (typeof value === "number") {
    const a = typeof assertion === "bigint" ? Number(assertion) : assertion; // nearest double
    const kx = doubleKey(value);
    const ky = doubleKey(a);
    return kx < ky ? -1 : kx > ky ? 1 : 0;
  }
  if (typeof assertion === "bigint") return Number(value - assertion > 0n) - Number(value - assertion < 0n);
  if (Number.isNaN(assertion)) return -1;
  if (assertion === Number.POSITIVE_INFINITY) return -1;
  if (assertion === Number.NEGATIVE_INFINITY) return 1;
  const floor = BigInt(Math.floor(assertion));
  if (value < floor) return -1;
  if (value > floor) return 1;
  // value equals floor(assertion): equal only to an integral assertion; 0n counts as +0.0.
  if (Number.isInteger(assertion)) return Object.is(assertion, -0) ? 1 : 0;
  return -1;
}

function ordered(op: string, c: number): boolean {
  switch (op) {
    case "eq":
      return c === 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    case "gt":
      return c > 0;
    default:
      return c >= 0;
  }
}

function compare(op: string, v: unknown, a: FilterValue, options: ModelOptions): boolean {
  if (op === "in") {
    const list = JSON.parse(a as string) as unknown[];
    return list.some((item) => item !== null && compare("eq", v, item as FilterValue, options));
  }
  if (typeof a === "string") {
    if (typeof v !== "string") return false;
    if (op === "co" || op === "sw") {
      const x = options.caseSensitive === true ? v : v.toLowerCase();
      const y = options.caseSensitive === true ? a : a.toLowerCase();
      return op === "co" ? x.includes(y) : x.startsWith(y);
    }
    if (options.caseSensitive === true) return ordered(op, v === a ? 0 : v < a ? -1 : 1);
    return ordered(op, modelCompareIgnoringCase(v, a));
  }
  const test = op === "co" || op === "sw" ? "eq" : op;
  if (typeof a === "boolean") return typeof v === "boolean" && ordered(test, Number(v) - Number(a));
  if (typeof v !== "number" && typeof v !== "bigint") return false;
  return ordered(test, modelCompareNumbers(v, a));
}

const CORE = ["eq", "co", "sw", "lt", "le", "gt", "ge"];

/** What a filter answers for a resource: true, false, or undefined (unknown). */
export function modelEvaluate(f: Filter, r: unknown, options: ModelOptions = {}): Truth {
  switch (f.type) {
    case "literal":
      return f.value;
    case "not": {
      const x = modelEvaluate(f.filter, r, options);
      return x === undefined ? undefined : !x;
    }
    case "and": {
      const xs = f.filters.map((g) => modelEvaluate(g, r, options));
      return xs.includes(false) ? false : xs.includes(undefined) ? undefined : true;
    }
    case "or": {
      const xs = f.filters.map((g) => modelEvaluate(g, r, options));
      return xs.includes(true) ? true : xs.includes(undefined) ? undefined : false;
    }
    case "presence":
      return modelValuesAt(r, f.field).some((v) => v !== null);
    case "comparison": {
      const values = modelValuesAt(r, f.field)
        .flatMap((v) => (Array.isArray(v) ? v : [v]))
        .filter((v) => v !== null && v !== undefined);
      const own = options.operators !== undefined && Object.keys(options.operators).includes(f.operator) ? options.operators[f.operator] : undefined;
      if (own !== undefined) {
        const answers = values.map((v) => own(v, f.value));
        return answers.includes(true) ? true : answers.includes(undefined) ? undefined : false;
      }
      if (!CORE.includes(f.operator) && f.operator !== "in") return undefined;
      return values.some((v) => compare(f.operator, v, f.value, options));
    }
  }
}
