import type { Filter } from "./ast.js";
import { FilterSyntaxError } from "./errors.js";
import { checkOptions } from "./limits.js";
import { parseFilter } from "./parser.js";
import { encodeQueryComponent, percentDecode } from "./percent.js";
import { formatFilter } from "./writer.js";

export { encodeQueryComponent };

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
  /**
   * The most nested groups allowed, when checking text and when writing a {@link Filter}: a whole
   * number from 0 up, default 63 (the servers' limit).
   */
  readonly maxNesting?: number;
}

const ENCODE_OPTIONS = ["validate", "maxNesting"] as const;

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
export function encodeQueryFilter(filter: Filter | string, options?: EncodeQueryFilterOptions): string {
  checkOptions(options, "encodeQueryFilter", ENCODE_OPTIONS);
  const limit = options?.maxNesting === undefined ? undefined : { maxNesting: options.maxNesting };
  if (typeof filter === "string") {
    if (options?.validate !== false) parseFilter(filter, limit);
    return encodeQueryComponent(filter);
  }
  return encodeQueryComponent(formatFilter(filter, limit));
}

/**
 * Decode a `_queryFilter` value the way a server does: `+` is a space, `%XX` sequences are UTF-8
 * bytes decoded as Java decodes them: U+FEFF is kept wherever it stands, and invalid UTF-8
 * becomes U+FFFD (a surrogate encoded in three bytes, `%ED%A0%80`, is one U+FFFD; `%C0%80` is two).
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
