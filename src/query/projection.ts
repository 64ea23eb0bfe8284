import type { Pointer } from "../language/ast.js";

const hasOwn = Object.prototype.hasOwnProperty;
const ALWAYS_KEPT: readonly Pointer[] = [["_id"], ["_rev"]];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Set an own property, even one named "__proto__", without touching any prototype.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function pick(node: unknown, pointer: Pointer, i: number): unknown {
  if (i === pointer.length) return node;
  if (Array.isArray(node)) {
    const segment = pointer[i] as string;
    if (/^[0-9]+$/.test(segment)) {
      const picked = pick(node[Number(segment)], pointer, i + 1);
      return picked === undefined ? undefined : [picked];
    }
    // Elements keep their places (undefined where nothing was picked) so that several fields of
    // the same array merge element by element; the gaps are removed at the end.
    const picked = node.map((element) => pick(element, pointer, i));
    return picked.some((v) => v !== undefined) ? picked : undefined;
  }
  if (!isRecord(node)) return undefined;
  const key = pointer[i] as string;
  if (!hasOwn.call(node, key)) return undefined;
  const inner = pick(node[key], pointer, i + 1);
  if (inner === undefined) return undefined;
  const out: Record<string, unknown> = {};
  setOwn(out, key, inner);
  return out;
}

function merge(a: unknown, b: unknown): unknown {
  if (isRecord(a) && isRecord(b)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(a)) setOwn(out, key, a[key]);
    for (const key of Object.keys(b)) setOwn(out, key, hasOwn.call(a, key) ? merge(a[key], b[key]) : b[key]);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) return a.map((x, i) => (x === undefined ? b[i] : b[i] === undefined ? x : merge(x, b[i])));
  return b;
}

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compact);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) setOwn(out, key, compact(value[key]));
    return out;
  }
  return value;
}

/**
 * Keep only the given fields of a resource (`_fields`), at their places: `postalAddress/city` gives
 * `{ postalAddress: { city } }`, and a field below an array keeps that field of each element. `_id`
 * and `_rev` are always kept. An empty list keeps the whole resource.
 *
 * @example
 * ```ts
 * import { projectFields } from "crest-query";
 * projectFields({ _id: "1", mail: "a@b", sn: "X", address: { city: "Oslo", zip: "0150" } }, [["mail"], ["address", "city"]]);
 * // { _id: "1", mail: "a@b", address: { city: "Oslo" } }
 * ```
 */
export function projectFields<T>(resource: T, fields: readonly Pointer[]): T {
  if (fields.length === 0 || fields.some((f) => f.length === 0 || (f.length === 1 && f[0] === "*"))) return resource;
  let out: unknown = {};
  for (const pointer of [...ALWAYS_KEPT, ...fields]) {
    const picked = pick(resource, pointer, 0);
    if (picked !== undefined) out = merge(out, picked);
  }
  return compact(out) as T;
}
