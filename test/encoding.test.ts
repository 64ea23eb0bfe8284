import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeQueryFilter, encodeQueryComponent, encodeQueryFilter, FilterSyntaxError, parseFilter } from "../src/index.js";
import { filter } from "./helpers/arbitraries.js";

const ENCODED = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$/;

describe("encodeQueryFilter", () => {
  it("percent-encodes everything but unreserved characters, as UTF-8", () => {
    expect(encodeQueryFilter('/mail eq "a+b@example.com"')).toBe("%2Fmail%20eq%20%22a%2Bb%40example.com%22");
    expect(encodeQueryFilter("/n eq 'Zoë!*()'")).toBe("%2Fn%20eq%20%27Zo%C3%AB%21%2A%28%29%27");
    expect(encodeQueryFilter("/n eq '😀'")).toBe("%2Fn%20eq%20%27%F0%9F%98%80%27");
    expect(encodeQueryFilter("true")).toBe("true");
  });

  it("leaves exactly the unreserved characters A-Z a-z 0-9 - . _ ~ as they are", () => {
    expect(encodeQueryComponent("~")).toBe("~");
    expect(encodeQueryComponent("a~b-c.d_e")).toBe("a~b-c.d_e");
    for (let code = 0; code < 128; code++) {
      const ch = String.fromCharCode(code);
      const unreserved = /[A-Za-z0-9\-._~]/.test(ch);
      expect(encodeQueryComponent(ch)).toBe(unreserved ? ch : `%${code.toString(16).toUpperCase().padStart(2, "0")}`);
    }
  });

  it("writes a filter tree in canonical form first", () => {
    expect(encodeQueryFilter(parseFilter("A EQ 1"))).toBe("%2FA%20eq%201");
  });

  it("checks text before encoding it, unless told not to", () => {
    expect(() => encodeQueryFilter("a eq")).toThrow(FilterSyntaxError);
    expect(encodeQueryFilter("a eq", { validate: false })).toBe("a%20eq");
  });

  it("refuses lone surrogates", () => {
    expect(() => encodeQueryComponent("a\ud800")).toThrow(TypeError);
    expect(() => encodeQueryComponent("\udc00")).toThrow(TypeError);
  });
});

describe("decodeQueryFilter", () => {
  it("reads + and %20 as a space, like a server", () => {
    expect(decodeQueryFilter("%2Fname+eq%20%22x%22")).toBe('/name eq "x"');
    expect(decodeQueryFilter("a+pr")).toBe("a pr");
    expect(decodeQueryFilter("%2B")).toBe("+");
    expect(decodeQueryFilter("%c3%a9")).toBe("é");
    expect(decodeQueryFilter("%ff")).toBe("\ufffd");
  });

  it("rejects a % without two hex digits, with its position", () => {
    for (const [text, offset] of [["a%2", 1], ["%zz", 0], ["ab%", 2]] as const) {
      try {
        decodeQueryFilter(text);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(FilterSyntaxError);
        expect((e as FilterSyntaxError).offset).toBe(offset);
        expect((e as FilterSyntaxError).code).toBe("invalid-encoding");
      }
    }
  });

  it("inverts encoding for arbitrary text, and the encoding holds only unreserved characters and %XX", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const encoded = encodeQueryComponent(s);
        expect(encoded).toMatch(ENCODED);
        expect(decodeQueryFilter(encoded)).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it("round-trips arbitrary filters through the URL", () => {
    fc.assert(
      fc.property(filter, (f) => {
        const encoded = encodeQueryFilter(f);
        expect(encoded).toMatch(ENCODED);
        expect(parseFilter(decodeQueryFilter(encoded))).toEqual(f);
      }),
      { numRuns: 500 },
    );
  });
});
