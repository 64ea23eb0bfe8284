import type { FieldPath, FieldType } from "../build/typed.js";
import { validatePatch, type PatchOperation } from "../query/patch.js";

/**
 * The paths a patch of a resource type may name: its field pointers, and `/field/-` (the end of an
 * array field, where `add` appends). Any string when the type is unknown.
 *
 * @example
 * ```ts
 * import type { PatchPath } from "crest-query";
 * interface User { mail: string; roles: string[] }
 * const append: PatchPath<User> = "/roles/-";
 * ```
 */
export type PatchPath<T> = unknown extends T ? string : FieldPath<T> | `${FieldPath<T>}/-`;

/**
 * The value an operation on a path takes: the field's type, an element of an array field (added
 * or removed one at a time), or anything when the type is unknown.
 *
 * @example
 * ```ts
 * import type { PatchValue } from "crest-query";
 * interface User { roles: string[] }
 * const role: PatchValue<User, "/roles/-"> = "admin";
 * ```
 */
export type PatchValue<T, P extends string> = unknown extends T
  ? unknown
  : P extends `${infer Array}/-`
    ? ElementOf<FieldType<T, Array>>
    : FieldType<T, P> | ElementOf<FieldType<T, P>>;

/**
 * The element type of an array type (`never` for other types).
 *
 * @example
 * ```ts
 * import type { ElementOf } from "crest-query";
 * const role: ElementOf<string[]> = "admin";
 * ```
 */
export type ElementOf<V> = NonNullable<V> extends readonly (infer E)[] ? E : never;

/** The paths of number fields (or arrays of numbers), which `increment` takes. */
type NumberPath<T> = unknown extends T ? string : { [P in FieldPath<T>]: NonNullable<FieldType<T, P>> extends number | readonly number[] ? P : never }[FieldPath<T>];

/**
 * Builds a CREST patch: each method returns a new builder with one more operation
 * (`{ operation, field, value?, from? }`; CREST's `field`, never RFC 6902's `path`). `build()`
 * checks the operations exactly as the server does and returns them.
 *
 * @example
 * ```ts
 * import { patch } from "crest-query";
 * patch().replace("/mail", "b@example.com").add("/roles/-", "admin").build();
 * // [{ operation: "replace", field: "/mail", value: "b@example.com" }, { operation: "add", field: "/roles/-", value: "admin" }]
 * ```
 */
export interface PatchBuilder<T = unknown> {
  /** The operations so far (not yet checked). */
  readonly operations: readonly PatchOperation[];
  /** Set a field (parents created); `/field/-` appends to an array, `/field/N` inserts at N. */
  add<P extends PatchPath<T>>(field: P, value: PatchValue<T, P>): PatchBuilder<T>;
  /** Remove a field (or the element `/field/N`); with a value, remove only that value (every equal element of an array). */
  remove<P extends PatchPath<T>>(field: P, value?: PatchValue<T, P>): PatchBuilder<T>;
  /** Replace a field's value (`/field/N`: one element). */
  replace<P extends PatchPath<T>>(field: P, value: PatchValue<T, P>): PatchBuilder<T>;
  /** Add a number (negative to subtract) to a number field, or to every number of an array. */
  increment<P extends NumberPath<T>>(field: P, by: number): PatchBuilder<T>;
  /** Copy the value at `from` into `field` (a missing `from` is a no-op). */
  copy<P extends PatchPath<T>>(field: P, source: { readonly from: PatchPath<T> }): PatchBuilder<T>;
  /** Move the value at `from` into `field`. */
  move<P extends PatchPath<T>>(field: P, source: { readonly from: PatchPath<T> }): PatchBuilder<T>;
  /** Run the server's transformation `value` on a field. */
  transform<P extends PatchPath<T>>(field: P, value: unknown): PatchBuilder<T>;
  /** The operations, checked as the server checks them. @throws {@link CrestError} 400 naming the operation. */
  build(): PatchOperation[];
}

class Builder<T> implements PatchBuilder<T> {
  constructor(readonly operations: readonly PatchOperation[]) {
    Object.freeze(this);
  }

  private with(operation: PatchOperation): PatchBuilder<T> {
    // An undefined value is not sent (JSON drops it), so it is not kept: build() then says it is missing.
    const { value, ...rest } = operation;
    const kept: PatchOperation = value === undefined ? rest : operation;
    return new Builder<T>(Object.freeze([...this.operations, Object.freeze(kept)]));
  }

  add<P extends PatchPath<T>>(field: P, value: PatchValue<T, P>): PatchBuilder<T> {
    return this.with({ operation: "add", field, value });
  }

  remove<P extends PatchPath<T>>(field: P, value?: PatchValue<T, P>): PatchBuilder<T> {
    // `remove("/x", undefined)` is a remove with no value, as JSON would send it.
    return this.with(value === undefined ? { operation: "remove", field } : { operation: "remove", field, value });
  }

  replace<P extends PatchPath<T>>(field: P, value: PatchValue<T, P>): PatchBuilder<T> {
    return this.with({ operation: "replace", field, value });
  }

  increment<P extends NumberPath<T>>(field: P, by: number): PatchBuilder<T> {
    return this.with({ operation: "increment", field, value: by });
  }

  copy<P extends PatchPath<T>>(field: P, source: { readonly from: PatchPath<T> }): PatchBuilder<T> {
    return this.with({ operation: "copy", field, from: source.from });
  }

  move<P extends PatchPath<T>>(field: P, source: { readonly from: PatchPath<T> }): PatchBuilder<T> {
    return this.with({ operation: "move", field, from: source.from });
  }

  transform<P extends PatchPath<T>>(field: P, value: unknown): PatchBuilder<T> {
    return this.with({ operation: "transform", field, value });
  }

  build(): PatchOperation[] {
    return validatePatch(this.operations);
  }
}

/**
 * Start a CREST patch. With a resource type, paths autocomplete and values must have the field's
 * type (`patch<User>()`); without one, any path and value go, checked at `build()`.
 *
 * @example
 * ```ts
 * import { patch } from "crest-query";
 * interface User { mail: string; loginCount: number; roles: string[] }
 * const operations = patch<User>().replace("/mail", "b@example.com").increment("/loginCount", 1).add("/roles/-", "admin").build();
 * // patch<User>().increment("/mail", 1);   // does not compile: mail is not a number
 * ```
 */
export function patch<T = unknown>(): PatchBuilder<T> {
  return new Builder<T>(Object.freeze([]));
}

/**
 * The operations of a patch given as a builder or a list, checked as the server checks them.
 *
 * @throws {@link CrestError} 400 naming the operation and what is wrong.
 */
export function patchOperations(input: PatchBuilder<never> | PatchBuilder<unknown> | readonly PatchOperation[]): PatchOperation[] {
  return Array.isArray(input) ? validatePatch(input) : (input as PatchBuilder<unknown>).build();
}
