import type { Pointer } from "../language/ast.js";
import { ownValue, segmentIndex } from "../eval/walk.js";

const ALWAYS_KEPT: readonly Pointer[] = [["_id"], ["_rev"]];

// Set an own property, even one named "__proto__", without touching any prototype.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// The fields to keep as a tree of segments: a node is `whole` when a listed field ends there (its
// whole value is kept, whatever else is listed below it).
interface FieldTree {
  whole: boolean;
  readonly children: Map<string, FieldTree>;
}

const newTree = (): FieldTree => ({ whole: false, children: new Map() });

function addField(tree: FieldTree, pointer: Pointer): void {
  let node = tree;
  for (const segment of pointer) {
    if (node.whole) return;
    let child = node.children.get(segment);
    if (child === undefined) {
      child = newTree();
      node.children.set(segment, child);
    }
    node = child;
  }
  node.whole = true;
  node.children.clear();
}

// A copy of `b` merged into `a` (both trees of fields).
function mergeTrees(a: FieldTree, b: FieldTree): FieldTree {
  const out = newTree();
  const copy = (from: FieldTree, to: FieldTree): void => {
    if (to.whole) return;
    if (from.whole) {
      to.whole = true;
      to.children.clear();
      return;
    }
    for (const [key, child] of from.children) {
      let target = to.children.get(key);
      if (target === undefined) {
        target = newTree();
        to.children.set(key, target);
      }
      copy(child, target);
    }
  };
  copy(a, out);
  copy(b, out);
  return out;
}

// Projection of one value by a tree; `undefined` when nothing listed is there. The recursion
// follows the tree (as deep as the longest field), never the resource.
function project(node: unknown, tree: FieldTree): unknown {
  if (tree.whole) return node;
  if (Array.isArray(node)) return projectArray(node, tree);
  if (node === null || typeof node !== "object") return undefined;
  let out: Record<string, unknown> | undefined;
  for (const [key, child] of tree.children) {
    const value = ownValue(node, key);
    if (value === undefined) continue;
    const picked = project(value, child);
    if (picked === undefined) continue;
    out ??= {};
    setOwn(out, key, picked);
  }
  return out;
}

// Through an array, a numeric segment keeps that element at its index, and other segments apply
// to every element. With index segments, elements keep their places (a gap is null); without,
// elements where nothing was kept are left out.
function projectArray(node: readonly unknown[], tree: FieldTree): unknown {
  let spread: FieldTree | undefined;
  const indexed = new Map<number, FieldTree>();
  for (const [key, child] of tree.children) {
    const index = segmentIndex(key);
    if (index < 0) {
      spread ??= newTree();
      spread.children.set(key, child);
    } else if (index < node.length) {
      indexed.set(index, child);
    }
  }
  if (indexed.size === 0) return spread === undefined ? undefined : fanOut(node, spread);
  const out: unknown[] = [];
  let last = -1;
  for (let i = 0; i < node.length; i++) {
    const own = indexed.get(i);
    const tree = own === undefined ? spread : spread === undefined ? own : mergeTrees(spread, own);
    const picked = tree === undefined ? undefined : project(node[i], tree);
    out.push(picked === undefined ? null : picked);
    if (picked !== undefined) last = i;
  }
  if (last < 0) return undefined;
  out.length = last + 1;
  return out;
}

interface FanOutFrame {
  readonly source: readonly unknown[];
  next: number;
  readonly out: unknown[];
}

// A field applied to every element of an array, and of arrays inside it, however deeply they nest:
// nested arrays are followed with a stack on the heap, not by recursion.
function fanOut(root: readonly unknown[], spread: FieldTree): unknown[] | undefined {
  const stack: FanOutFrame[] = [{ source: root, next: 0, out: [] }];
  for (;;) {
    const frame = stack[stack.length - 1] as FanOutFrame;
    if (frame.next < frame.source.length) {
      const element = frame.source[frame.next++];
      if (Array.isArray(element)) {
        stack.push({ source: element, next: 0, out: [] });
        continue;
      }
      const picked = project(element, spread);
      if (picked !== undefined) frame.out.push(picked);
      continue;
    }
    stack.pop();
    const result = frame.out.length === 0 ? undefined : frame.out;
    const parent = stack[stack.length - 1];
    if (parent === undefined) return result;
    if (result !== undefined) parent.out.push(result);
  }
}

/** The most segments a projected field may have. */
export const MAX_FIELD_SEGMENTS = 1000;

/** The number of `_fields` (and of `_sortKeys`) a request may hold after duplicates are removed. */
export const MAX_FIELDS = 100;

/**
 * Keep only the given fields of a resource (`_fields`), at their places: `postalAddress/city` gives
 * `{ postalAddress: { city } }`, and a field below an array keeps that field of each element. An index
 * keeps that element at its index (`roles/1/name` gives `roles: [null, { name }]`: elements not
 * asked for are `null`). `_id` and `_rev` are always kept. An empty list keeps the whole resource.
 *
 * @throws RangeError for a field of more than 1000 segments.
 *
 * @example
 * ```ts
 * import { projectFields } from "crest-query";
 * projectFields({ _id: "1", mail: "a@b", sn: "X", address: { city: "Oslo", zip: "0150" } }, [["mail"], ["address", "city"]]);
 * // { _id: "1", mail: "a@b", address: { city: "Oslo" } }
 * ```
 */
export function projectFields<T>(resource: T, fields: readonly Pointer[]): T {
  return fieldProjector(fields)(resource) as T;
}

/**
 * Prepare a projection once for many resources (see {@link projectFields}).
 *
 * @internal
 */
export function fieldProjector(fields: readonly Pointer[]): (resource: unknown) => unknown {
  if (fields.length === 0 || fields.some((f) => f.length === 0 || (f.length === 1 && f[0] === "*"))) return (resource) => resource;
  const tree = newTree();
  for (const pointer of [...ALWAYS_KEPT, ...fields]) {
    if (pointer.length > MAX_FIELD_SEGMENTS) throw new RangeError(`A field to keep has ${pointer.length} segments; at most ${MAX_FIELD_SEGMENTS} are allowed`);
    addField(tree, pointer);
  }
  return (resource) => project(resource, tree) ?? {};
}
