import { describe, expectTypeOf, it } from "vitest";
import { patch, type PatchBuilder, type PatchOperation, type PatchPath } from "../src/index.js";

interface User {
  mail: string;
  loginCount: number;
  accountStatus: "active" | "inactive";
  roles: string[];
  postalAddress?: { city: string };
}

describe("patch<T>(): typed paths and values", () => {
  it("accepts the fields of the type, with values of their types", () => {
    const p = patch<User>().replace("/mail", "a@example.com").add("/roles/-", "admin").add("/roles", ["a", "b"]).increment("/loginCount", 1).replace("/postalAddress/city", "Oslo");
    expectTypeOf(p).toEqualTypeOf<PatchBuilder<User>>();
    expectTypeOf(p.build()).toEqualTypeOf<PatchOperation[]>();
    expectTypeOf<"/roles/-">().toMatchTypeOf<PatchPath<User>>();
  });

  it("refuses unknown fields, wrong values, and increment on a field that is not a number", () => {
    // @ts-expect-error: no such field
    patch<User>().replace("/mial", "x");
    // @ts-expect-error: a literal union takes only its members
    patch<User>().replace("/accountStatus", "gone");
    // @ts-expect-error: loginCount is a number
    patch<User>().replace("/loginCount", "3");
    // @ts-expect-error: mail is not a number
    patch<User>().increment("/mail", 1);
    // @ts-expect-error: roles holds strings
    patch<User>().add("/roles/-", 3);
    // @ts-expect-error: copy needs a from
    patch<User>().copy("/mail", {});
  });

  it("takes any path and value without a type", () => {
    expectTypeOf(patch().replace("anything/at/all", { x: 1 })).toEqualTypeOf<PatchBuilder<unknown>>();
  });
});
