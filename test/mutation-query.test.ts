import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CrestError, reasonPhrase } from "../src/query/crest-error.js";
import { base64urlToText, bytesToBase64url, constantTimeEqual, digestText, openCookie, randomSecret, rememberedCookies, sealCookie, signText, textToBase64url } from "../src/query/signing.js";

// Tests written to kill mutants Stryker found alive in src/query (see docs/mutation-testing.md).
// Oracles: the HTTP / CREST reason phrases, and node:crypto / Buffer for the signing helpers.

describe("CrestError reason phrases", () => {
  // The phrases CREST servers send with each status (ResourceException in the reference server).
  const phrases: [number, string][] = [
    [400, "Bad Request"], [401, "Unauthorized"], [403, "Forbidden"], [404, "Not Found"], [405, "Method Not Allowed"],
    [409, "Conflict"], [412, "Precondition Failed"], [413, "Request Entity Too Large"], [429, "Too Many Requests"],
    [500, "Internal Server Error"], [501, "Not Supported"], [502, "Bad Gateway"], [503, "Unavailable"], [504, "Gateway Timeout"],
  ];
  it.each(phrases)("%i is %s, in an error and alone", (code, phrase) => {
    expect(reasonPhrase(code)).toBe(phrase);
    const error = new CrestError(code, "m");
    expect(error.reason).toBe(phrase);
    expect(error.code).toBe(code);
    expect(error.status).toBe(code);
  });

  it("falls back by class for codes with no phrase of their own", () => {
    expect(reasonPhrase(599)).toBe("Internal Server Error");
    expect(reasonPhrase(500 + 7)).toBe("Internal Server Error");
    expect(reasonPhrase(418)).toBe("Error");
    expect(reasonPhrase(499)).toBe("Error");
    expect(new CrestError(599, "m").reason).toBe("Internal Server Error");
    expect(new CrestError(418, "m").reason).toBe("Bad Request");
    expect(new CrestError(499, "m").reason).toBe("Bad Request");
    expect(new CrestError(418, "m", { reason: "I'm a teapot" }).reason).toBe("I'm a teapot");
  });

  it("keeps name, message, url, cause and detail, and writes the body with detail only when given", () => {
    const cause = new Error("socket closed");
    const error = new CrestError(503, "Try later", { detail: { retryAfter: 2 }, url: "https://idm.example.com/x", cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("CrestError");
    expect(error.message).toBe("Try later");
    expect(error.url).toBe("https://idm.example.com/x");
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({ code: 503, reason: "Unavailable", message: "Try later", detail: { retryAfter: 2 } });
    const plain = new CrestError(404, "gone");
    expect("cause" in plain).toBe(false);
    expect(plain.url).toBeUndefined();
    expect(Object.keys(plain.toJSON())).toEqual(["code", "reason", "message"]);
    expect(JSON.parse(JSON.stringify(plain))).toEqual({ code: 404, reason: "Not Found", message: "gone" });
  });

  it("builds 400 and 404 errors with and without detail", () => {
    const bad = CrestError.badRequest("Invalid _pageSize");
    expect(bad.toJSON()).toEqual({ code: 400, reason: "Bad Request", message: "Invalid _pageSize" });
    expect(Object.keys(bad.toJSON())).not.toContain("detail");
    expect(CrestError.badRequest("x", { at: 3 }).toJSON()).toEqual({ code: 400, reason: "Bad Request", message: "x", detail: { at: 3 } });
    expect(CrestError.notFound("no such user").toJSON()).toEqual({ code: 404, reason: "Not Found", message: "no such user" });
  });
});

describe("signing helpers against node:crypto", () => {
  const bytes = fc.uint8Array({ maxLength: 40 });
  const text = fc.string({ unit: "binary", maxLength: 20 });

  it("writes base64url without padding, as Buffer does", () => {
    fc.assert(fc.property(bytes, (b) => { expect(bytesToBase64url(b)).toBe(Buffer.from(b).toString("base64url")); }), { numRuns: 300 });
    // Bytes whose standard base64 holds '+', '/' and '=' padding.
    expect(bytesToBase64url(Uint8Array.of(0xfb, 0xff))).toBe("-_8");
    expect(bytesToBase64url(Uint8Array.of(0xfb, 0xef, 0xbe, 0xff))).toBe(Buffer.from([0xfb, 0xef, 0xbe, 0xff]).toString("base64url"));
  });

  it("round-trips text, and reads back only valid base64url UTF-8", () => {
    fc.assert(fc.property(text, (t) => { expect(base64urlToText(textToBase64url(t))).toBe(Buffer.from(t, "utf8").toString("utf8")); }), { numRuns: 300 });
    expect(textToBase64url("é?>")).toBe(Buffer.from("é?>").toString("base64url"));
    expect(base64urlToText("")).toBe("");
    expect(base64urlToText("YQ")).toBe("a");
    expect(base64urlToText("YWI")).toBe("ab");
    expect(base64urlToText("w6k")).toBe("é");
    expect(base64urlToText("Pj4-")).toBe(">>>");
    expect(base64urlToText("Pz8_")).toBe("???");
    expect(base64urlToText("Pj4+")).toBeUndefined(); // standard base64, not base64url
    expect(base64urlToText("Pz8/")).toBeUndefined();
    expect(base64urlToText("YQ==")).toBeUndefined(); // padding
    expect(base64urlToText("YWJjZ")).toBeUndefined(); // a length of 4k + 1 holds no whole byte
    expect(base64urlToText("Y")).toBeUndefined();
    expect(base64urlToText("x YQ")).toBeUndefined();
    expect(base64urlToText("YQ\n")).toBeUndefined();
    expect(base64urlToText("_w")).toBeUndefined(); // 0xff is not UTF-8
    expect(base64urlToText("77u_YQ")).toBe("\ufeffa"); // a BOM is kept, not eaten
  });

  it("digests and signs as node:crypto does, cut to the length asked", () => {
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 50 }), (secret, payload, length) => {
        expect(digestText(payload, length)).toBe(createHash("sha256").update(payload, "utf8").digest("base64url").slice(0, length));
        expect(signText(secret, payload, length)).toBe(createHmac("sha256", Buffer.from(secret, "utf8")).update(payload, "utf8").digest("base64url").slice(0, length));
      }),
      { numRuns: 200 },
    );
    const key = Uint8Array.of(1, 2, 3, 250);
    expect(signText(key, "p", 43)).toBe(createHmac("sha256", key).update("p").digest("base64url"));
  });

  it("keeps signing right across keyed-HMAC reuse: repeated and many secrets, changed key bytes, long and non-ASCII payloads", () => {
    const oracle = (key: string | Uint8Array, payload: string) => createHmac("sha256", typeof key === "string" ? Buffer.from(key, "utf8") : key).update(payload, "utf8").digest("base64url");
    const payloads = fc.oneof(text, fc.string({ minLength: 1000, maxLength: 3000 }), fc.string({ unit: "grapheme", maxLength: 40 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), payloads), { minLength: 1, maxLength: 30 }), (calls) => {
        // Twelve secrets (more than are kept keyed), each used several times in any order.
        for (const [which, payload] of calls) expect(signText(`secret-${which}`, payload, 43)).toBe(oracle(`secret-${which}`, payload));
      }),
      { numRuns: 100 },
    );
    const key = Uint8Array.of(9, 8, 7);
    expect(signText(key, "payload", 43)).toBe(oracle(key, "payload"));
    key[1] = 1; // the same array, other bytes: the old keyed HMAC must not be used
    expect(signText(key, "payload", 43)).toBe(oracle(Uint8Array.of(9, 1, 7), "payload"));
    const long = "é".repeat(3000);
    expect(digestText(long, 43)).toBe(createHash("sha256").update(long, "utf8").digest("base64url"));
    expect(digestText(long, 10)).toBe(createHash("sha256").update(long, "utf8").digest("base64url").slice(0, 10));
    expect(textToBase64url("a".repeat(2000) + "ü")).toBe(Buffer.from("a".repeat(2000) + "ü", "utf8").toString("base64url"));
  });

  it("seals and opens paging cookies, refusing every altered, foreign or unreadable one", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.integer(), fc.string(), fc.array(fc.boolean(), { maxLength: 3 }))), (data) => {
        expect(openCookie("k1", sealCookie("k1", data))).toEqual(data);
      }),
      { numRuns: 200 },
    );
    const cookie = sealCookie("k1", { o: 40, q: "digest" });
    const [payload, mac] = cookie.split(".") as [string, string];
    const refused = (text: string, why: RegExp) => {
      let error: unknown;
      try {
        openCookie("k1", text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CrestError);
      expect((error as CrestError).code).toBe(400);
      expect((error as CrestError).message).toMatch(why);
    };
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === "A" ? "B" : "A") + text.slice(at + 1);
    refused(`${flip(payload, 3)}.${mac}`, /^Invalid _pagedResultsCookie: it is not a cookie this server made, or it was altered$/);
    refused(`${payload}.${flip(mac, 21)}`, /or it was altered$/);
    expect(() => openCookie("k2", cookie)).toThrow(/or it was altered$/);
    refused(payload, /^Invalid _pagedResultsCookie: it is not a cookie this server made$/);
    refused(`${payload}.${mac.slice(1)}`, /this server made$/);
    refused(`${payload}.${mac}.x`, /this server made$/);
    refused(`.${mac}`, /this server made$/);
    refused("", /this server made$/);
    // Signed by us but not an object, or not base64url JSON at all: unreadable.
    for (const inner of [textToBase64url("[1]"), textToBase64url("7"), textToBase64url("null"), textToBase64url("{"), "%%%"]) refused(`${inner}.${signText("k1", inner, 22)}`, /it cannot be read$/);
  });

  it("opens a cookie it sealed without checking it again, under that key only, and as fresh data", () => {
    const key = randomSecret();
    const cookie = sealCookie(key, { o: 7, q: "d" });
    const first = openCookie(key, cookie) as { o: number };
    first.o = 99; // the caller's copy: a later open is not changed by it
    expect(openCookie(key, cookie)).toEqual({ o: 7, q: "d" });
    // Another key never reads what this one sealed; altered text is checked in full.
    expect(() => openCookie(randomSecret(), cookie)).toThrow(/or it was altered$/);
    expect(() => openCookie(key, cookie.slice(0, -1) + (cookie.endsWith("A") ? "B" : "A"))).toThrow(/or it was altered$/);
    // Sealed text that is not an object is unreadable on the remembered path too.
    expect(() => openCookie(key, sealCookie(key, null as unknown as Record<string, unknown>))).toThrow(/it cannot be read$/);
    expect(() => openCookie(key, sealCookie(key, [1] as unknown as Record<string, unknown>))).toThrow(/it cannot be read$/);
    // Long cookies, and cookies forgotten after many newer ones, still open by their signature.
    const long = { o: 1, q: "x".repeat(600) };
    const before = rememberedCookies(key);
    expect(openCookie(key, sealCookie(key, long))).toEqual(long);
    expect(rememberedCookies(key)).toBe(before);
    for (let i = 0; i < 300; i++) sealCookie(key, { o: i, q: "later" });
    expect(rememberedCookies(key)).toBe(256);
    expect(openCookie(key, cookie)).toEqual({ o: 7, q: "d" });
    // A byte key changed in place is another key: what the old bytes sealed is refused.
    const mutable = Uint8Array.of(1, 2, 3);
    const sealed = sealCookie(mutable, { o: 1 });
    mutable[0] = 9;
    expect(() => openCookie(mutable, sealed)).toThrow(/or it was altered$/);
  });

  it("compares strings exactly", () => {
    fc.assert(fc.property(text, text, (a, b) => { expect(constantTimeEqual(a, b)).toBe(a === b); }), { numRuns: 300 });
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("xbc", "abc")).toBe(false);
    expect(constantTimeEqual("abc", "ab")).toBe(false);
    expect(constantTimeEqual("", "")).toBe(true);
  });

  it("makes 32 fresh random bytes", () => {
    const a = randomSecret();
    const b = randomSecret();
    expect(a).toBeInstanceOf(Uint8Array);
    expect(a.length).toBe(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});
