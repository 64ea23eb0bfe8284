import type { Pointer } from "../language/ast.js";
import { FilterSyntaxError } from "../language/errors.js";
import { formatPointer, parsePointer } from "../language/pointer.js";
import { CrestError } from "./crest-error.js";

/**
 * The name of a CREST patch operation.
 *
 * @example
 * ```ts
 * import type { PatchOperationName } from "crest-query";
 * const name: PatchOperationName = "increment";
 * ```
 */
export type PatchOperationName = "add" | "remove" | "replace" | "increment" | "copy" | "move" | "transform";

/**
 * One CREST patch operation: `field` (and `from` for `copy`/`move`) are field pointers; CREST names
 * the target `field`, not RFC 6902's `path`.
 *
 * @example
 * ```ts
 * import type { PatchOperation } from "crest-query";
 * const operations: PatchOperation[] = [
 *   { operation: "replace", field: "/telephoneNumber", value: "+1 408 555 9999" },
 *   { operation: "add", field: "/roles/-", value: "admin" },
 *   { operation: "move", field: "/previousMail", from: "/mail" },
 * ];
 * ```
 */
export interface PatchOperation {
  readonly operation: PatchOperationName;
  readonly field: string;
  readonly value?: unknown;
  readonly from?: string;
}

/**
 * Applies a `transform` operation: gets the field's current value (`undefined` when missing) and the
 * operation's `value` (the transformation to run), returns the field's new value.
 *
 * @example
 * ```ts
 * import type { PatchTransform } from "crest-query";
 * const upper: PatchTransform = (current) => (typeof current === "string" ? current.toUpperCase() : current);
 * ```
 */
export type PatchTransform = (current: unknown, transformation: unknown) => unknown;

/**
 * Options of {@link applyPatch}.
 *
 * @example
 * ```ts
 * import type { ApplyPatchOptions } from "crest-query";
 * const options: ApplyPatchOptions = { transform: (current) => current, protectedFields: ["_id", "_rev"] };
 * ```
 */
export interface ApplyPatchOptions {
  /** Runs `transform` operations; without it they fail with 501. */
  readonly transform?: PatchTransform;
  /** Top-level fields no operation may touch (default `_id` and `_rev`). */
  readonly protectedFields?: readonly string[];
}

/**
 * At most this many operations in one patch; a longer patch is a 400.
 *
 * @example
 * ```ts
 * import { MAX_PATCH_OPERATIONS } from "crest-query";
 * MAX_PATCH_OPERATIONS; // 10000
 * ```
 */
export const MAX_PATCH_OPERATIONS = 10_000;

const OPERATIONS: ReadonlySet<string> = new Set(["add", "remove", "replace", "increment", "copy", "move", "transform"]);
const NEEDS_VALUE: ReadonlySet<string> = new Set(["add", "replace", "increment", "transform"]);
const NEEDS_FROM: ReadonlySet<string> = new Set(["copy", "move"]);
const MEMBERS: ReadonlySet<string> = new Set(["operation", "field", "value", "from"]);
const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

type Json = unknown;
type JsonObject = Record<string, Json>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function setOwn(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function describe(index: number, op: { operation?: unknown; field?: unknown }): string {
  const name = typeof op.operation === "string" ? op.operation : "?";
  const field = typeof op.field === "string" ? ` ${op.field}` : "";
  return `Patch operation ${index} (${name}${field})`;
}

function pointerOf(text: string, index: number, op: JsonObject, member: "field" | "from"): Pointer {
  let pointer: Pointer;
  try {
    pointer = parsePointer(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw CrestError.badRequest(`${describe(index, op)}: invalid ${member} '${text}': ${error.problem}`);
    throw error;
  }
  if (pointer.length === 0) throw CrestError.badRequest(`${describe(index, op)}: ${member} must name a field, not the whole resource`);
  return pointer;
}

/**
 * Check a CREST patch body: a JSON array of operations, each with a known `operation`, a `field`
 * pointer, a `value` exactly for `add`, `replace`, `increment` and `transform`, and a `from` exactly
 * for `copy` and `move` (`remove` takes an optional `value` and no `from`). Returns the operations
 * typed.
 *
 * @throws {@link CrestError} 400 naming the operation (by its 0-based index) and what is wrong.
 *
 * @example
 * ```ts
 * import { validatePatch } from "crest-query";
 * validatePatch([{ operation: "increment", field: "/loginCount", value: 1 }]); // the same operations, typed
 * validatePatch([{ operation: "add", field: "/mail" }]); // throws: "Patch operation 0 (add /mail): add needs a value"
 * ```
 */
export function validatePatch(body: unknown): PatchOperation[] {
  if (!Array.isArray(body)) throw CrestError.badRequest("A patch is a JSON array of operations");
  if (body.length > MAX_PATCH_OPERATIONS) throw CrestError.badRequest(`A patch holds at most ${MAX_PATCH_OPERATIONS} operations; this one has ${body.length}`);
  return body.map((op: unknown, index) => {
    if (!isObject(op)) throw CrestError.badRequest(`Patch operation ${index} is not a JSON object`);
    const where = describe(index, op);
    for (const key of Object.keys(op)) if (!MEMBERS.has(key)) throw CrestError.badRequest(`${where}: unknown member '${key}' (expected operation, field, value, from)`);
    const { operation, field, from } = op;
    if (typeof operation !== "string" || !OPERATIONS.has(operation)) {
      throw CrestError.badRequest(`${where}: unknown operation ${JSON.stringify(operation)} (expected add, remove, replace, increment, copy, move or transform)`);
    }
    if (typeof field !== "string") throw CrestError.badRequest(`${where}: field must be a string pointer`);
    pointerOf(field, index, op, "field");
    const hasValue = hasOwn(op, "value");
    const hasFrom = hasOwn(op, "from");
    if (NEEDS_VALUE.has(operation) && !hasValue) throw CrestError.badRequest(`${where}: ${operation} needs a value`);
    if (NEEDS_FROM.has(operation) && hasValue) throw CrestError.badRequest(`${where}: ${operation} takes no value (it copies from 'from')`);
    if (NEEDS_FROM.has(operation)) {
      if (!hasFrom) throw CrestError.badRequest(`${where}: ${operation} needs a from`);
      if (typeof from !== "string") throw CrestError.badRequest(`${where}: from must be a string pointer`);
      pointerOf(from, index, op, "from");
    } else if (hasFrom) {
      throw CrestError.badRequest(`${where}: ${operation} takes no from`);
    }
    if (operation === "increment" && (typeof op.value !== "number" || !Number.isFinite(op.value))) {
      throw CrestError.badRequest(`${where}: increment needs a number value`);
    }
    const out: { operation: PatchOperationName; field: string; value?: unknown; from?: string } = { operation: operation as PatchOperationName, field };
    if (hasValue) out.value = op.value;
    if (hasFrom) out.from = from as string;
    return out;
  });
}

/** A deep copy of JSON data (own properties only, `__proto__` kept as a plain key). */
function cloneJson(value: Json): Json {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) setOwn(out, key, cloneJson(value[key]));
    return out;
  }
  return value;
}

/**
 * Deep equality of JSON values, as patch `remove` with a value compares: same type, same numbers,
 * strings compared exactly, objects with the same keys, arrays element by element.
 *
 * @example
 * ```ts
 * import { jsonEquals } from "crest-query";
 * jsonEquals({ a: [1, "x"] }, { a: [1, "x"] }); // true
 * jsonEquals("X", "x");                         // false
 * ```
 */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => hasOwn(b, k) && jsonEquals(a[k], b[k]));
  }
  return false;
}

const INDEX = /^(0|[1-9][0-9]{0,8})$/;

class Patcher {
  constructor(
    private readonly root: JsonObject,
    private readonly where: string,
  ) {}

  fail(message: string): never {
    throw CrestError.badRequest(`${this.where}: ${message}`);
  }

  /** The value at a pointer, or undefined. */
  get(pointer: Pointer): Json {
    let node: Json = this.root;
    for (const segment of pointer) {
      if (Array.isArray(node)) {
        if (!INDEX.test(segment)) return undefined;
        node = node[Number(segment)];
      } else if (isObject(node)) {
        if (!hasOwn(node, segment)) return undefined;
        node = node[segment];
      } else {
        return undefined;
      }
    }
    return node;
  }

  /** The container of the pointer's last segment; created on the way when `create`. */
  parent(pointer: Pointer, create: boolean): JsonObject | Json[] | undefined {
    let node: JsonObject | Json[] = this.root;
    for (let i = 0; i < pointer.length - 1; i++) {
      const segment = pointer[i] as string;
      let next: Json;
      if (Array.isArray(node)) {
        if (!INDEX.test(segment) || Number(segment) >= node.length) {
          if (!create) return undefined;
          this.fail(`'${formatPointer(pointer.slice(0, i + 1))}' is not an element of the array`);
        }
        next = node[Number(segment)];
      } else {
        next = hasOwn(node, segment) ? node[segment] : undefined;
        if (next === undefined || next === null) {
          if (!create) return undefined;
          next = {};
          setOwn(node, segment, next);
        }
      }
      if (!isObject(next) && !Array.isArray(next)) {
        if (!create) return undefined;
        this.fail(`'${formatPointer(pointer.slice(0, i + 1))}' holds ${JSON.stringify(next)}, not an object or array`);
      }
      node = next;
    }
    return node;
  }

  add(pointer: Pointer, value: Json): void {
    const parent = this.parent(pointer, true) as JsonObject | Json[];
    const last = pointer[pointer.length - 1] as string;
    if (Array.isArray(parent)) {
      if (last === "-") parent.push(value);
      else if (INDEX.test(last) && Number(last) <= parent.length) parent.splice(Number(last), 0, value);
      else this.fail(`'${last}' is not an index of the array (0 to ${parent.length}, or - to append)`);
      return;
    }
    const current = hasOwn(parent, last) ? parent[last] : undefined;
    if (Array.isArray(current) && Array.isArray(value)) for (const item of value) current.push(item); // not push(...value): a long list would overflow the stack
    else setOwn(parent, last, value);
  }

  remove(pointer: Pointer, value: Json, hasValue: boolean): void {
    const parent = this.parent(pointer, false);
    if (parent === undefined) return;
    const last = pointer[pointer.length - 1] as string;
    if (Array.isArray(parent)) {
      if (!INDEX.test(last) || Number(last) >= parent.length) return;
      if (!hasValue || jsonEquals(parent[Number(last)], value)) parent.splice(Number(last), 1);
      return;
    }
    if (!hasOwn(parent, last)) return;
    const current = parent[last];
    if (!hasValue) {
      delete parent[last];
    } else if (Array.isArray(current)) {
      const unwanted = Array.isArray(value) ? value : [value];
      const kept = current.filter((element) => !unwanted.some((u) => jsonEquals(element, u)));
      setOwn(parent, last, kept);
    } else if (jsonEquals(current, value)) {
      delete parent[last];
    }
  }

  replace(pointer: Pointer, value: Json): void {
    const parent = this.parent(pointer, true) as JsonObject | Json[];
    const last = pointer[pointer.length - 1] as string;
    if (Array.isArray(parent)) {
      if (!INDEX.test(last) || Number(last) >= parent.length) this.fail(`'${last}' is not an element of the array (0 to ${parent.length - 1})`);
      parent[Number(last)] = value;
      return;
    }
    setOwn(parent, last, value);
  }

  increment(pointer: Pointer, by: number): void {
    const current = this.get(pointer);
    const field = formatPointer(pointer);
    const bump = (n: unknown): number => {
      if (typeof n !== "number") this.fail(`the field ${field} holds ${n === undefined ? "nothing" : JSON.stringify(n)}, not a number`);
      const sum = n + by;
      if (!Number.isFinite(sum)) this.fail(`incrementing ${field} overflows`);
      return sum;
    };
    if (current === undefined) this.fail(`the field ${field} is missing; increment needs a number there`);
    this.replace(pointer, Array.isArray(current) ? current.map(bump) : bump(current));
  }
}

/**
 * Apply CREST patch operations to a resource, in order and all or nothing: the result is a new
 * object and `resource` is never changed, so a failing operation leaves nothing half done.
 * `add` creates parents, appends with `/field/-`, inserts at `/field/N`, and appends an array to an
 * array field; `remove` with a value removes equal values; `replace` is remove then add;
 * `increment` adds to a number (or every number of an array); `copy`/`move` do nothing when `from`
 * is missing; `transform` needs a transform function.
 *
 * @throws {@link CrestError} 400 naming the failing operation (invalid operation, increment of a
 * missing or non-number field, an index out of range, a protected field), 501 for `transform`
 * without a transform function.
 *
 * @example
 * ```ts
 * import { applyPatch } from "crest-query";
 * const user = { _id: "bjensen", _rev: "3", loginCount: 4, fruits: ["orange"] };
 * applyPatch(user, [
 *   { operation: "increment", field: "/loginCount", value: 1 },
 *   { operation: "add", field: "/fruits/-", value: "apple" },
 * ]);
 * // { _id: "bjensen", _rev: "3", loginCount: 5, fruits: ["orange", "apple"] }
 * ```
 */
export function applyPatch<T extends object>(resource: T, operations: unknown, options: ApplyPatchOptions = {}): T {
  const valid = validatePatch(operations);
  const root = cloneJson(resource) as JsonObject;
  if (!isObject(root)) throw CrestError.badRequest("Only a JSON object can be patched");
  const protectedFields = options.protectedFields ?? ["_id", "_rev"];
  valid.forEach((op, index) => {
    const patcher = new Patcher(root, describe(index, op));
    const field = parsePointer(op.field);
    const from = op.from === undefined ? undefined : parsePointer(op.from);
    for (const pointer of from === undefined ? [field] : [field, from]) {
      if (protectedFields.includes(pointer[0] as string) && !(op.operation === "copy" && pointer === from)) {
        patcher.fail(`${pointer[0]} cannot be changed by a patch`);
      }
    }
    const value = cloneJson(op.value);
    switch (op.operation) {
      case "add":
        patcher.add(field, value);
        break;
      case "remove":
        patcher.remove(field, value, hasOwn(op, "value"));
        break;
      case "replace":
        patcher.replace(field, value);
        break;
      case "increment":
        patcher.increment(field, op.value as number);
        break;
      case "copy":
      case "move": {
        const source = patcher.get(from as Pointer);
        if (source === undefined) break;
        if (op.operation === "move") {
          if (field.length > (from as Pointer).length && (from as Pointer).every((s, i) => field[i] === s)) patcher.fail("cannot move a field into itself");
          patcher.remove(from as Pointer, undefined, false);
        }
        patcher.add(field, cloneJson(source));
        break;
      }
      case "transform": {
        if (options.transform === undefined) throw new CrestError(501, `${describe(index, op)}: transform is not supported by this server`);
        patcher.replace(field, cloneJson(options.transform(cloneJson(patcher.get(field)), value)));
        break;
      }
    }
  });
  return root as T;
}
