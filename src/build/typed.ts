import type { Filter, Pointer } from "../language/ast.js";
import { field, type BuilderValue, type Decimal } from "./builder.js";

/**
 * Every field pointer of a resource type, for autocompletion: `/mail`, `/postalAddress/city`,
 * `/roles/_refResourceId` (a field of each element of an array), `/roles/0/_refResourceId`.
 * Nesting is followed six levels deep (`Depth` counts the levels; leave it out).
 *
 * @example
 * ```ts
 * import type { FieldPath } from "crest-query";
 * interface User { mail: string; roles: { _refResourceId: string }[] }
 * const path: FieldPath<User> = "/roles/_refResourceId";
 * ```
 */
export type FieldPath<T, Depth extends readonly unknown[] = []> = Depth["length"] extends 6
  ? never
  : T extends string | number | bigint | boolean | Date
    ? never
    : T extends object
      ? {
          [K in keyof T & string]-?: NonNullable<T[K]> extends readonly (infer E)[]
            ? `/${K}` | `/${K}${FieldPath<NonNullable<E>, [...Depth, unknown]>}` | `/${K}/${number}` | `/${K}/${number}${FieldPath<NonNullable<E>, [...Depth, unknown]>}`
            : `/${K}` | `/${K}${FieldPath<NonNullable<T[K]>, [...Depth, unknown]>}`;
        }[keyof T & string]
      : never;

/**
 * The type found at a field pointer of a resource type. A numeric segment picks an array's
 * element; another segment on an array looks into its elements.
 *
 * @example
 * ```ts
 * import type { FieldType } from "crest-query";
 * interface User { postalAddress?: { city: string } }
 * const city: FieldType<User, "/postalAddress/city"> = "Oslo";
 * ```
 */
export type FieldType<T, P extends string> = P extends `/${infer Head}/${infer Rest}`
  ? FieldType<FieldType<T, `/${Head}`>, `/${Rest}`>
  : P extends `/${infer Head}`
    ? NonNullable<T> extends readonly (infer E)[]
      ? Head extends `${number}`
        ? E
        : FieldType<E, P>
      : Head extends keyof NonNullable<T>
        ? NonNullable<T>[Head]
        : never
    : never;

/**
 * What a test on a field compares with: the elements of an array (any element may match), never
 * `null` or `undefined`.
 *
 * @example
 * ```ts
 * import type { TestedValue } from "crest-query";
 * const tag: TestedValue<string[] | null> = "vip"; // string
 * ```
 */
export type TestedValue<V> = NonNullable<V> extends readonly (infer E)[] ? NonNullable<E> : NonNullable<V>;

/**
 * The builder values a test accepts for a field's type: the strings themselves (literal unions
 * stay literal), any number, bigint or decimal for numbers, booleans for booleans.
 *
 * @example
 * ```ts
 * import type { ValueOfType } from "crest-query";
 * const status: ValueOfType<"active" | "inactive"> = "active";
 * ```
 */
export type ValueOfType<L> = L extends string ? L : L extends number | bigint ? number | bigint | Decimal : L extends boolean ? boolean : never;

/**
 * Tests every field has: presence, and extended operators (which the type system cannot check).
 *
 * @example
 * ```ts
 * import { fieldsOf } from "crest-query";
 * interface User { manager?: { _ref: string } }
 * fieldsOf<User>()("/manager").pr();
 * ```
 */
export interface TypedFieldBase {
  readonly pointer: Pointer;
  /** `field pr`: present and not null. */
  pr(): Filter;
  /** An extended operator such as `regex`. */
  op(operator: string, value: BuilderValue): Filter;
}

/**
 * `eq`, for fields holding strings, numbers or booleans, with a value of the field's type.
 *
 * @example
 * ```ts
 * import { fieldsOf } from "crest-query";
 * interface User { active: boolean }
 * fieldsOf<User>()("/active").eq(true);
 * ```
 */
export interface EqualityTests<V> {
  /** `field eq value`. */
  eq(value: V): Filter;
}

/**
 * `lt le gt ge`, for numbers and strings.
 *
 * @example
 * ```ts
 * import { fieldsOf } from "crest-query";
 * interface User { loginCount: number }
 * fieldsOf<User>()("/loginCount").ge(10);
 * ```
 */
export interface OrderingTests<V> {
  /** `field lt value`: less than. */
  lt(value: V): Filter;
  /** `field le value`: at most. */
  le(value: V): Filter;
  /** `field gt value`: more than. */
  gt(value: V): Filter;
  /** `field ge value`: at least. */
  ge(value: V): Filter;
}

/**
 * `co` and `sw`, for strings; any text, even for a field typed as a union of literals.
 *
 * @example
 * ```ts
 * import { fieldsOf } from "crest-query";
 * interface User { mail: string }
 * fieldsOf<User>()("/mail").co("@example.com");
 * ```
 */
export interface TextTests {
  /** `field co value`: contains. */
  co(value: string): Filter;
  /** `field sw value`: starts with. */
  sw(value: string): Filter;
}

/**
 * A field of a known type: only the tests that make sense for its values, with values of its type.
 *
 * @example
 * ```ts
 * import { fieldsOf, type TypedField } from "crest-query";
 * interface User { sn: string }
 * const sn: TypedField<string> = fieldsOf<User>()("/sn");
 * ```
 */
export type TypedField<V> = TypedFieldBase &
  ([ValueOfType<TestedValue<V>>] extends [never] ? unknown : EqualityTests<ValueOfType<TestedValue<V>>>) &
  ([TestedValue<V>] extends [never] ? unknown : [TestedValue<V>] extends [string] ? TextTests & OrderingTests<string> : unknown) &
  ([TestedValue<V>] extends [never] ? unknown : [TestedValue<V>] extends [number | bigint] ? OrderingTests<number | bigint | Decimal> : unknown);

/**
 * A field builder for one resource type (the Kysely idea): paths autocomplete from the type,
 * operators depend on the field's type (`co`/`sw` for strings, `lt le gt ge` for numbers and strings,
 * `eq` for values, `pr` for all), and values must have the field's type. A wrong field, operator or
 * value fails to compile; at run time it is the same as {@link field}.
 *
 * @example
 * ```ts
 * import { and, fieldsOf } from "crest-query";
 * interface User {
 *   userName: string;
 *   accountStatus: "active" | "inactive";
 *   loginCount?: number;
 *   roles: { _ref: string; _refResourceId: string }[];
 * }
 * const user = fieldsOf<User>();
 * const f = and(user("/accountStatus").eq("active"), user("/roles/_refResourceId").eq("admin"), user("/loginCount").gt(3));
 * // user("/accountStatus").eq("gone");  // does not compile
 * // user("/loginCount").sw("1");        // does not compile
 * ```
 */
export function fieldsOf<T>(): <P extends FieldPath<T>>(path: P) => TypedField<FieldType<T, P>> {
  return <P extends FieldPath<T>>(path: P) => field(path) as unknown as TypedField<FieldType<T, P>>;
}
