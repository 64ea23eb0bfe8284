import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FilterSyntaxError, formatPointer, parseFilter, parsePointer } from "../src/index.js";
import { pointer } from "./helpers/arbitraries.js";

describe("parsePointer", () => {
  it.each([
    ["name", ["name"]],
    ["/name", ["name"]],
    ["/a/b/", ["a", "b"]],
    ["/", []],
    ["//", [""]],
    ["/a//b", ["a", "", "b"]],
    ["/a%2Fb", ["a/b"]],
    ["/a%2fb", ["a/b"]],
    ["/a%25b", ["a%b"]],
    ["/a%4b", ["aK"]],
    ["/a%C3%A9b", ["aéb"]],
    ["/a%e9b", ["a\ufffdb"]],
    ["/a~0b/~1", ["a~0b", "~1"]],
    ["/roles/0/_refResourceId", ["roles", "0", "_refResourceId"]],
    ["/a'b/$ref/a@b/a[b]/a+b", ["a'b", "$ref", "a@b", "a[b]", "a+b"]],
    ["/é/😀", ["é", "😀"]],
    ["/a%EF%BB%BFb", ["a\ufeffb"]],
    ["/%EF%BB%BFa/%EF%BB%BF", ["\ufeffa", "\ufeff"]],
    ["/\ufeffa", ["\ufeffa"]],
    ["/a%ED%A0%80b", ["a\ufffdb"]],
    ["/a%C0%80b", ["a\ufffd\ufffdb"]],
  ])("%j is %j", (text, segments) => {
    expect(parsePointer(text)).toEqual(segments);
  });

  it.each(["/a b", "/a\tb", '/a"b', "/a#b", "/a<b", "/a>b", "/a\\b", "/a^b", "/a`b", "/a{b", "/a|b", "/a}b", "/a\u007fb",
    "/a\u0085b", "/a\u00a0b", "/a\u2003b", "/a\u3000b", "/a\u2028b", "/a%", "/a%2", "/a%zz", "/a\ud800"])(
    "rejects %j",
    (text) => {
      expect(() => parsePointer(text)).toThrow(FilterSyntaxError);
    },
  );

  it("keeps U+FEFF in fields of a filter", () => {
    expect(parseFilter("/a%EF%BB%BFb pr")).toEqual({ type: "presence", field: ["a\ufeffb"] });
  });

  it("reports positions within a larger text", () => {
    try {
      parsePointer("/a%zz", { source: { input: "x pr and /a%zz pr", offset: 9 } });
      expect.unreachable();
    } catch (e) {
      expect((e as FilterSyntaxError).offset).toBe(11);
      expect((e as FilterSyntaxError).input).toBe("x pr and /a%zz pr");
    }
  });
});

describe("formatPointer", () => {
  it.each([
    [[], "/"],
    [[""], "//"],
    [["a", ""], "/a//"],
    [["a/b", "c d", "50%", "(x)"], "/a%2Fb/c%20d/50%25/%28x%29"],
    [["tab\there"], "/tab%09here"],
    [["é", "😀", "a'b", "~0"], "/é/😀/a'b/~0"],
  ])("%j is %j", (segments, text) => {
    expect(formatPointer(segments)).toBe(text);
  });

  it("is the inverse of parsePointer for arbitrary segments", () => {
    fc.assert(
      fc.property(pointer, (p) => {
        expect(parsePointer(formatPointer(p))).toEqual(p);
      }),
      { numRuns: 2000 },
    );
  });

  it("writes only what a filter word can hold", () => {
    fc.assert(
      fc.property(pointer, (p) => {
        expect(formatPointer(p)).not.toMatch(/[ ()\p{Cc}\p{Z}"#<>\\^`{|}]/u);
      }),
    );
  });

  it("refuses lone surrogates", () => {
    expect(() => formatPointer(["\ud800x"])).toThrow(TypeError);
  });
});
