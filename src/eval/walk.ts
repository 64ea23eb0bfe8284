import type { Pointer } from "../language/ast.js";

// The one pointer walker of the library: the evaluator, `_sortKeys`, `_fields` and the CLI's table
// all find a field's values through this module, so that they agree on what a field means.
//
// - through an object, a segment names an own property (never the prototype);
// - through an array, a numeric segment picks that element, any other segment applies to every
//   element;
// - the walk is iterative: resources nested arbitrarily deep never exhaust the call stack.

const hasOwn = Object.prototype.hasOwnProperty;

/** A pointer prepared for walking: its keys, and the array index each one selects (-1 if none). */
export interface CompiledPointer {
  readonly keys: readonly string[];
  readonly indexes: readonly number[];
}

/** The array index a segment selects (any run of decimal digits), or -1 when it is not a number. */
export function segmentIndex(segment: string): number {
  if (segment.length === 0) return -1;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(segment);
}

/** Prepare a pointer for {@link walkPointer}. */
export function compilePointer(pointer: Pointer): CompiledPointer {
  return { keys: pointer.map(internalized), indexes: pointer.map(segmentIndex) };
}

// The engine's own copy of a key (a parsed field name is often a slice of the filter text): reads
// with it skip a look-up in the engine's string table on every property access.
function internalized(key: string): string {
  return Object.keys({ [key]: 0 })[0] as string;
}

/** The own property `key` of an object (never one of its prototype), or `undefined`. */
export function ownValue(node: object, key: string): unknown {
  return hasOwn.call(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}

/**
 * Visit every value a pointer reaches in a resource, in document order, and combine what `visit`
 * answers by taking the largest (0 when nothing is reached). The walk stops as soon as an answer
 * reaches `stopAt`. Missing fields are not visited; the value at the end of the pointer is visited
 * as it is (an array is one value: the caller decides whether to look at its elements).
 */
export function walkPointer(resource: unknown, pointer: CompiledPointer, visit: (value: unknown) => number, stopAt = Number.POSITIVE_INFINITY): number {
  const { keys, indexes } = pointer;
  const n = keys.length;
  let result = 0;
  // Pending (node, segment) pairs of array fan-outs, kept on the heap instead of the call stack.
  let pendingNodes: unknown[] | undefined;
  let pendingSteps: number[] | undefined;
  let current: unknown = resource;
  let i = 0;
  for (;;) {
    while (i < n) {
      if (current === null || typeof current !== "object") {
        current = undefined;
        break;
      }
      if (Array.isArray(current)) {
        const index = indexes[i] as number;
        if (index >= 0) {
          current = index < current.length ? current[index] : undefined;
          i++;
          continue;
        }
        // Fan out: every element continues with this same segment. Pushed last to first so that
        // they are taken first to last.
        if (pendingNodes === undefined || pendingSteps === undefined) {
          pendingNodes = [];
          pendingSteps = [];
        }
        for (let j = current.length - 1; j >= 0; j--) {
          pendingNodes.push(current[j]);
          pendingSteps.push(i);
        }
        current = undefined;
        break;
      }
      current = hasOwn.call(current, keys[i] as string) ? (current as Record<string, unknown>)[keys[i] as string] : undefined;
      i++;
    }
    if (i === n && current !== undefined) {
      const x = visit(current);
      if (x > result) {
        result = x;
        if (result >= stopAt) return result;
      }
    }
    if (pendingNodes === undefined || pendingNodes.length === 0) return result;
    current = pendingNodes.pop();
    i = pendingSteps?.pop() as number;
  }
}

/**
 * The values a pointer reaches in a resource, in document order; an array at the end of the
 * pointer is one value. Missing fields give none.
 */
export function valuesAt(resource: unknown, pointer: Pointer | CompiledPointer): unknown[] {
  const compiled = Array.isArray(pointer) ? compilePointer(pointer as Pointer) : (pointer as CompiledPointer);
  const out: unknown[] = [];
  walkPointer(resource, compiled, (value) => {
    out.push(value);
    return 0;
  });
  return out;
}
