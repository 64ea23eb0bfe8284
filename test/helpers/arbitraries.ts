import fc from "fast-check";
import type { Filter, FilterValue, Pointer } from "../../src/index.js";

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Text that is hard to quote, encode or tokenize, mixed with arbitrary Unicode. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.array(
    fc.constantFrom("\"", "'", "\\", "(", ")", " or true", " and ", "/", "%", "%2F", "+", "&", "=", "#", "!", " ", "\t", "\n",
      "\u00a0", "é", "Zoë", "O'Brien", "😀", "\\n", "\\u0041", "true", "pr", "~0", "~1", ""),
    { maxLength: 6 },
  ).map((parts) => parts.join("")),
);

export const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("name", "mail", "roles", "0", "_refResourceId", "and", "or", "pr", "true", "!x", "a.b", "$ref") },
  { weight: 2, arbitrary: hostileString },
);

export const pointer: fc.Arbitrary<Pointer> = fc.array(segment, { maxLength: 4 });

export const extendedOperator: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Za-z0-9_.]{1,8}$/)
  .filter((name) => !["eq", "co", "sw", "lt", "le", "gt", "ge", "pr"].includes(name.toLowerCase()));

export const operator: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("eq", "co", "sw", "lt", "le", "gt", "ge") },
  { weight: 1, arbitrary: extendedOperator },
);

export const integer: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: LONG_MIN, max: LONG_MAX }),
  fc.constantFrom(0n, -1n, LONG_MIN, LONG_MAX, 2n ** 53n + 1n),
);

export const decimal: fc.Arbitrary<number> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, 0.5, 1e21, 1.5e-7, 5e-324, Number.MAX_VALUE),
);

export const value: fc.Arbitrary<FilterValue> = fc.oneof(hostileString, fc.boolean(), integer, decimal);

/** Arbitrary filters of the shapes the parser produces (and/or with two or more operands). */
export const filter: fc.Arbitrary<Filter> = fc.letrec<{ filter: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.boolean().map((v): Filter => ({ type: "literal", value: v })),
    pointer.map((field): Filter => ({ type: "presence", field })),
    fc.record({ operator, field: pointer, value }).map((c): Filter => ({ type: "comparison", ...c })),
    tie("filter").map((f): Filter => ({ type: "not", filter: f })),
    fc.array(tie("filter"), { minLength: 2, maxLength: 4 }).map((filters): Filter => ({ type: "and", filters })),
    fc.array(tie("filter"), { minLength: 2, maxLength: 4 }).map((filters): Filter => ({ type: "or", filters })),
  ),
})).filter;

/** Strings made of the language's pieces, often almost valid. */
export const filterish: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      fc.constantFrom("(", ")", "!", "! ", "and", "or", "AND", "pr", "eq", "co", "sw", "regex", "true", "false", "'x'", "\"y\"",
        "\"", "'", "\\", "/a", "/a/b", "a%2F", "%", "1", "-1", "1.5", "1e5", ".", "9223372036854775808", " ", "  ", "\t", "\n", "é", "😀"),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 25 },
  )
  .map((parts) => parts.join(""));
