import { describe, expectTypeOf, it } from "vitest";
import { and, decimal, fieldsOf, type FieldPath, type FieldType, type Filter } from "../src/index.js";

interface User {
  _id: string;
  userName: string;
  givenName?: string;
  accountStatus: "active" | "inactive";
  loginCount?: number | null;
  balance: bigint;
  active: boolean;
  postalAddress?: { city: string; postalCode: string; geo: { lat: number } };
  roles: { _ref: string; _refResourceId: string }[];
  tags: string[];
  preferences: Record<string, boolean>;
}

const user = fieldsOf<User>();

describe("fieldsOf: paths", () => {
  it("offers the resource's fields, nested objects and arrays of objects", () => {
    expectTypeOf<"/userName">().toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"/postalAddress/city">().toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"/postalAddress/geo/lat">().toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"/roles/_refResourceId">().toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"/roles/0/_refResourceId">().toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"/preferences/updates">().toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"/nope">().not.toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"/postalAddress/nope">().not.toMatchTypeOf<FieldPath<User>>();
    expectTypeOf<"userName">().not.toMatchTypeOf<FieldPath<User>>();
  });

  it("knows the type at each path", () => {
    expectTypeOf<FieldType<User, "/postalAddress/city">>().toEqualTypeOf<string>();
    expectTypeOf<FieldType<User, "/roles/_refResourceId">>().toEqualTypeOf<string>();
    expectTypeOf<FieldType<User, "/roles/3/_ref">>().toEqualTypeOf<string>();
    expectTypeOf<FieldType<User, "/loginCount">>().toEqualTypeOf<number | null | undefined>();
  });

  it("rejects unknown fields", () => {
    // @ts-expect-error: not a field of User
    user("/mail");
    // @ts-expect-error: not below postalAddress
    user("/postalAddress/street");
  });
});

describe("fieldsOf: operators and values", () => {
  it("gives strings eq, co, sw and ordering", () => {
    expectTypeOf(user("/userName").co("x")).toEqualTypeOf<Filter>();
    expectTypeOf(user("/userName").sw("x")).toEqualTypeOf<Filter>();
    expectTypeOf(user("/userName").lt("m")).toEqualTypeOf<Filter>();
    expectTypeOf(user("/tags").eq("vip")).toEqualTypeOf<Filter>();
    // @ts-expect-error: a string field takes string values
    user("/userName").eq(42);
  });

  it("keeps literal unions for eq but allows any text for co and sw", () => {
    user("/accountStatus").eq("active");
    user("/accountStatus").co("act");
    // @ts-expect-error: not one of the statuses
    user("/accountStatus").eq("gone");
  });

  it("gives numbers eq and ordering, with numbers, bigints or decimals", () => {
    user("/loginCount").gt(3);
    user("/loginCount").le(decimal(2.5));
    user("/balance").ge(10n);
    user("/postalAddress/geo/lat").lt(60);
    // @ts-expect-error: sw is for strings
    user("/loginCount").sw("1");
    // @ts-expect-error: co is for strings
    user("/balance").co("1");
    // @ts-expect-error: a number field takes numbers
    user("/loginCount").eq("3");
  });

  it("gives booleans eq and pr only", () => {
    user("/active").eq(true);
    user("/preferences/updates").eq(false);
    // @ts-expect-error: booleans are not ordered
    user("/active").gt(false);
    // @ts-expect-error: a boolean field takes booleans
    user("/active").eq("true");
  });

  it("gives objects pr and extended operators, not comparisons", () => {
    user("/postalAddress").pr();
    user("/roles").pr();
    user("/postalAddress").op("regex", "x");
    // @ts-expect-error: an object is not compared with eq
    user("/postalAddress").eq("x");
  });

  it("composes with the untyped builder", () => {
    expectTypeOf(and(user("/active").eq(true), user("/roles/_refResourceId").eq("admin"))).toEqualTypeOf<Filter>();
  });
});
