import type { Filter } from "./ast.js";
import { FilterSyntaxError } from "./errors.js";
import { parseFilter } from "./parser.js";
import { percentDecode } from "./percent.js";
import { formatFilter } from "./writer.js";

const utf8 = new TextEncoder();
const HEX_DIGITS = "0123456789ABCDEF";

// For each byte: itself if unreserved (A-Z a-z 0-9 - . _ ~), else its %XX form.
const BYTE_TEXT: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  const ch = String.fromCharCode(b);
  return /^[A-Za-z0-9\-._~]$/.test(ch) ? ch : `%${HEX_DIGITS[b >> 4]}${HEX_DIGITS[b & 15]}`;
});

/**
 * Percent-encode text for a URL query component: UTF-8, with every byte except the unreserved
 * `A-Z a-z 0-9 - . _ ~` written as `%XX`. A space is `%20` and `+` is `%2B`, because servers read
 * a `+` in a query as a space.
 *
 * @throws TypeError on a lone surrogate, which UTF-8 cannot carry.
 *
 * @example
 * ```ts
 * import { encodeQueryComponent } from "crest-query";
 * encodeQueryComponent("a+b c"); // "a%2Bb%20c"
 * ```
 */
export function encodeQueryComponent(text: string): string {
  let out = "";
  let plain = 0;
  // Runs of unreserved ASCII are copied as they are; only the rest goes through UTF-8.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && (BYTE_TEXT[c] as string).length === 1) continue;
    if (c >= 0xd800 && c <= 0xdfff) {
      const high = c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (!high) throw new TypeError(`Cannot encode a lone surrogate at offset ${i}`);
    }
    out += text.slice(plain, i);
    const end = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
    if (c < 128) out += BYTE_TEXT[c];
    else for (const byte of utf8.encode(text.slice(i, end))) out += BYTE_TEXT[byte];
    i = end - 1;
    plain = end;
  }
  return plain === 0 ? text : out + text.slice(plain);
}

/**
 * Options of {@link encodeQueryFilter}.
 *
 * @example
 * ```ts
 * import { encodeQueryFilter } from "crest-query";
 * encodeQueryFilter("a eq", { validate: false }); // "a%20eq", sent as it is
 * ```
 */
export interface EncodeQueryFilterOptions {
  /**
   * For a filter given as text: check that it parses before encoding it (default `true`), so a
   * broken filter fails here with a {@link FilterSyntaxError} instead of as a 400 from the server.
   */
  readonly validate?: boolean;
}

/**
 * The URL-encoded value of a `_queryFilter` parameter. A {@link Filter} is written in canonical
 * form first; text is encoded as given (after checking that it parses, unless `validate: false`).
 *
 * @example
 * ```ts
 * import { encodeQueryFilter } from "crest-query";
 * encodeQueryFilter('/mail eq "a+b@example.com"');
 * // "%2Fmail%20eq%20%22a%2Bb%40example.com%22"
 * ```
 */
export function encodeQueryFilter(filter: Filter | string, options: EncodeQueryFilterOptions = {}): string {
  if (typeof filter === "string") {
    if (options.validate !== false) parseFilter(filter);
    return encodeQueryComponent(filter);
  }
  return encodeQueryComponent(formatFilter(filter));
}

/**
 * Decode a `_queryFilter` value the way a server does: `+` is a space, `%XX` sequences are UTF-8
 * bytes (invalid UTF-8 becomes U+FFFD).
 *
 * @throws {@link FilterSyntaxError} for a `%` that is not followed by two hex digits.
 *
 * @example
 * ```ts
 * import { decodeQueryFilter } from "crest-query";
 * decodeQueryFilter("%2Fname+eq%20%22x%22"); // '/name eq "x"'
 * ```
 */
export function decodeQueryFilter(value: string): string {
  if (!value.includes("%")) return value.includes("+") ? value.replace(/\+/g, " ") : value;
  return percentDecode(value, true, (offset) => {
    throw new FilterSyntaxError({
      input: value,
      offset,
      length: Math.min(3, value.length - offset),
      code: "invalid-encoding",
      problem: "\"%\" must be followed by two hex digits in an encoded _queryFilter",
      found: JSON.stringify(value.slice(offset, offset + 3)),
      expected: ["%XX with two hex digits"],
      hint: "encode a literal % as %25",
    });
  });
}
