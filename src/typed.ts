import type { Filter, Pointer } from "./ast.js";
import { field, type BuilderValue, type Decimal } from "./builder.js";

type Scalar = string | number | bigint | boolean;
type Depth = readonly unknown[];

// The paths below a value: into objects by key, into arrays by element (a non-numeric segment
// applies to every element, as the server does) or by index.
type PathsBelow<V, D extends Depth> = NonNullable<V> extends readonly (infer E)[]
  ? ObjectPaths<NonNullable<E>, D> | `/${number}` | `/${number}${ObjectPaths<NonNullable<E>, D>}`
  : ObjectPaths<NonNullable<V>, D>;

type ObjectPaths<T, D extends Depth> = D["length"] extends 6
  ? never
  : T extends Scalar | Date
    ? never
    : T extends object
      ? { [K in keyof T & string]-?: `/${K}` | `/${K}${PathsBelow<T[K], [...D, unknown]>}` }[keyof T & string]
      : never;

/**
 * Every field pointer of a resource type, for autocompletion: `/mail`, `/postalAddress/city`,
 * `/roles/_refResourceId` (a field of each element of an array), `/roles/0/_refResourceId`.
 * Nesting is followed six levels deep.
 *
 * @example
 * ```ts
 * import type { FieldPath } from "crest-query";
 * interface User { mail: string; roles: { _refResourceId: string }[] }
 * const path: FieldPath<User> = "/roles/_refResourceId";
 * ```
 */
export type FieldPath<T> = ObjectPaths<T, []>;

type Step<T, K extends string> = NonNullable<T> extends readonly (infer E)[]
  ? K extends `${number}`
    ? E
    : Step<E, K>
  : K extends keyof NonNullable<T>
    ? NonNullable<T>[K]
    : never;

/**
 * The type found at a field pointer of a resource type.
 *
 * @example
 * ```ts
 * import type { FieldType } from "crest-query";
 * interface User { postalAddress?: { city: string } }
 * const city: FieldType<User, "/postalAddress/city"> = "Oslo";
 * ```
 */
export type FieldType<T, P extends string> = P extends `/${infer Head}/${infer Rest}`
  ? FieldType<Step<T, Head>, `/${Rest}`>
  : P extends `/${infer Head}`
    ? Step<T, Head>
    : never;

// What a test compares with: the elements of an array (any element may match), without null.
type Leaf<V> = NonNullable<V> extends readonly (infer E)[] ? NonNullable<E> : NonNullable<V>;

type ValueFor<L> = L extends string ? L : L extends number | bigint ? number | bigint | Decimal : L extends boolean ? boolean : never;

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
  lt(value: V): Filter;
  le(value: V): Filter;
  gt(value: V): Filter;
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
  co(value: string): Filter;
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
  ([ValueFor<Leaf<V>>] extends [never] ? unknown : EqualityTests<ValueFor<Leaf<V>>>) &
  ([Leaf<V>] extends [never] ? unknown : [Leaf<V>] extends [string] ? TextTests & OrderingTests<string> : unknown) &
  ([Leaf<V>] extends [never] ? unknown : [Leaf<V>] extends [number | bigint] ? OrderingTests<number | bigint | Decimal> : unknown);

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
