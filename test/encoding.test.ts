import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeQueryFilter, encodeQueryComponent, encodeQueryFilter, FilterSyntaxError, formatFilter, parseFilter, type Filter } from "../src/index.js";
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

  it("keeps U+FEFF wherever it stands (a byte order mark is an ordinary character)", () => {
    expect(decodeQueryFilter("%EF%BB%BF")).toBe("\ufeff");
    expect(decodeQueryFilter("%EF%BB%BFa+pr")).toBe("\ufeffa pr");
    expect(decodeQueryFilter("%2Fa%EF%BB%BFb+pr")).toBe("/a\ufeffb pr");
    expect(decodeQueryFilter("%EF%BB%BF%EF%BB%BF")).toBe("\ufeff\ufeff");
  });

  // Bytes, and what Java's UTF-8 decoder (CharsetDecoder with REPLACE, as servers decode URIs)
  // makes of them: worked out from its rules, not from this code. Where TextDecoder differs, it
  // is marked.
  it.each([
    ["%ED%A0%80", "\ufffd"], // a surrogate in three bytes: one U+FFFD (TextDecoder: three)
    ["%ED%BF%BF", "\ufffd"], // (TextDecoder: three)
    ["%ED%A0", "\ufffd"], // cut short at the end: one for the rest (TextDecoder: two)
    ["%ED%A0%41", "\ufffdA"], // two bytes of a sequence, then A (TextDecoder: two U+FFFD)
    ["%C0%80", "\ufffd\ufffd"],
    ["%C1%BF", "\ufffd\ufffd"],
    ["%E0%80%80", "\ufffd\ufffd\ufffd"],
    ["%E0%9F", "\ufffd\ufffd"],
    ["%E0%A0", "\ufffd"],
    ["%E1%80%41", "\ufffdA"],
    ["%E1%80", "\ufffd"],
    ["%F0%80%80%80", "\ufffd\ufffd\ufffd\ufffd"],
    ["%F0%8F", "\ufffd\ufffd"],
    ["%F0%9F%98", "\ufffd"],
    ["%F0%9F%41", "\ufffdA"],
    ["%F0%9F%98%41", "\ufffdA"],
    ["%F0%41", "\ufffdA"],
    ["%F4%90%80%80", "\ufffd\ufffd\ufffd\ufffd"],
    ["%F5%80%80%80", "\ufffd\ufffd\ufffd\ufffd"],
    ["%F5%80", "\ufffd\ufffd"],
    ["%80", "\ufffd"],
    ["%BF%41", "\ufffdA"],
    ["%FF", "\ufffd"],
    ["%C3", "\ufffd"],
    ["%C3%41", "\ufffdA"],
    ["%C3%A9%C3", "é\ufffd"],
    ["%C3%A9", "é"],
    ["%ED%9F%BF", "\ud7ff"],
    ["%EE%80%80", "\ue000"],
    ["%F0%9F%98%80", "😀"],
    ["%F4%8F%BF%BF", "\u{10ffff}"],
    ["%E2%82%AC%", undefined], // a bad escape is an error, not a character
  ])("decodes %s as Java does", (bytes, expected) => {
    if (expected === undefined) expect(() => decodeQueryFilter(bytes)).toThrow(FilterSyntaxError);
    else expect(decodeQueryFilter(bytes)).toBe(expected);
  });

  it("decodes each run of escapes on its own: a sequence cut by plain text is cut", () => {
    expect(decodeQueryFilter("%E2%82x%AC")).toBe("\ufffdx\ufffd");
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

  it("round-trips filters whose fields and strings hold U+FEFF anywhere", () => {
    const bomText = fc.string({ unit: fc.constantFrom("\ufeff", "a", "é", "😀", " ", "+", "%", "/", "\"", "(") , maxLength: 8 });
    const test = fc.oneof(
      fc.array(bomText, { maxLength: 3 }).map((field): Filter => ({ type: "presence", field })),
      fc.record({ field: fc.array(bomText, { maxLength: 3 }), value: bomText })
        .map(({ field, value }): Filter => ({ type: "comparison", operator: "eq", field, value })),
    );
    const bomFilter = fc.array(test, { minLength: 2, maxLength: 4 }).map((filters): Filter => ({ type: "or", filters }));
    fc.assert(
      fc.property(fc.oneof(test, bomFilter), (f) => {
        expect(parseFilter(decodeQueryFilter(encodeQueryFilter(f)))).toEqual(f);
        expect(decodeQueryFilter(encodeQueryComponent(formatFilter(f)))).toBe(formatFilter(f));
      }),
      { numRuns: 1000 },
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
