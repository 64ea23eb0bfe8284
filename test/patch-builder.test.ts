import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch, CrestError, patch, validatePatch } from "../src/index.js";

describe("patch builder", () => {
  it("produces CREST operations (field, value, from; never path)", () => {
    const ops = patch()
      .add("/roles/-", "admin")
      .remove("/mail")
      .remove("/tags", "old")
      .replace("/sn", "Jensen")
      .increment("/loginCount", -2)
      .copy("/previousMail", { from: "/mail" })
      .move("/nick", { from: "/alias" })
      .transform("/cn", { script: "x" })
      .build();
    expect(ops).toEqual([
      { operation: "add", field: "/roles/-", value: "admin" },
      { operation: "remove", field: "/mail" },
      { operation: "remove", field: "/tags", value: "old" },
      { operation: "replace", field: "/sn", value: "Jensen" },
      { operation: "increment", field: "/loginCount", value: -2 },
      { operation: "copy", field: "/previousMail", from: "/mail" },
      { operation: "move", field: "/nick", from: "/alias" },
      { operation: "transform", field: "/cn", value: { script: "x" } },
    ]);
    expect(ops.some((op) => "path" in op)).toBe(false);
  });

  it("is immutable: each call returns a new builder", () => {
    const a = patch().replace("/a", 1);
    const b = a.replace("/b", 2);
    expect(a.operations.length).toBe(1);
    expect(b.operations.length).toBe(2);
    expect(Object.isFrozen(b.operations)).toBe(true);
  });

  it("refuses at build() exactly what the server refuses, naming the operation", () => {
    expect(() => patch().replace("/ok", 1).increment("/n", Number.NaN).build()).toThrow(/Patch operation 1 \(increment \/n\): increment needs a number value/);
    expect(() => patch().add("", 1).build()).toThrow(CrestError);
  });

  it("agrees with the server's check on random operations (the builder never turns a refused patch into an accepted one)", () => {
    const name = fc.constantFrom("add", "remove", "replace", "increment", "copy", "move", "transform");
    const pointer = fc.constantFrom("/a", "/b/c", "/d/-", "", "a", "/x/0");
    const value = fc.oneof(fc.integer(), fc.string(), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(fc.record({ op: name, field: pointer, value, from: pointer }), { maxLength: 5 }), (specs) => {
        let builder = patch();
        for (const { op, field, value: v, from } of specs) {
          if (op === "copy" || op === "move") builder = builder[op](field, { from });
          else if (op === "increment") builder = builder.increment(field, typeof v === "number" ? v : 1);
          else if (op === "remove") builder = builder.remove(field, v);
          else builder = builder[op](field, v);
        }
        let mine: unknown;
        let server: unknown;
        try {
          mine = builder.build();
        } catch (error) {
          mine = (error as Error).message;
        }
        try {
          server = validatePatch(JSON.parse(JSON.stringify(builder.operations)));
        } catch (error) {
          server = (error as Error).message;
        }
        expect(mine).toEqual(server);
      }),
      { numRuns: 300 },
    );
  });

  it("applies as the server applies it", () => {
    const resource = { _id: "1", _rev: "0", roles: ["a"], loginCount: 1, mail: "m" };
    const out = applyPatch(resource, patch().add("/roles/-", "b").increment("/loginCount", 2).move("/oldMail", { from: "/mail" }).build());
    expect(out).toMatchObject({ roles: ["a", "b"], loginCount: 3, oldMail: "m" });
    expect("mail" in out).toBe(false);
  });
});
