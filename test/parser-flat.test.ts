import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseObserved, type ParseObserver } from "../src/language/parser.js";
import { parseFilter } from "../src/index.js";

// Filters of tests joined by `and`/`or` are read straight from their tokens, without the grammar
// machinery. The grammar is the oracle: with an observer attached, every filter goes through it.

const quiet: ParseObserver = { field: () => undefined, extendedOperator: () => undefined, keyword: () => undefined, string: () => undefined, number: () => undefined };

function outcome(parse: () => unknown): unknown {
  try {
    return { filter: parse() };
  } catch (error) {
    const e = error as Error & { offset?: number; code?: string };
    return { error: e.constructor.name, message: e.message, offset: e.offset, code: e.code };
  }
}

// Words that are keywords somewhere, words that are not, and the pieces of broken tests.
const word = fc.constantFrom("a", "/b/c", "and", "or", "pr", "eq", "EQ", "co", "sw", "lt", "le", "gt", "ge", "true", "false", "!", "x.y", "regex", "1", "-2.5", "0x1", "1e3", "'s'", '"t"', '"a\\"b"', "(", ")", "/", "a//b", "%zz", "and1", "Or");
const test = fc.oneof(
  fc.tuple(word, fc.constant("pr")).map((t) => t.join(" ")),
  fc.tuple(word, word, word).map((t) => t.join(" ")),
  fc.tuple(fc.constantFrom("a", "/b", "c/d"), fc.constantFrom("eq", "co", "gt", "ge", "sw", "lt", "le", "my_op"), fc.constantFrom("1", "'x'", '"y"', "true", "false", "-0.5", "9223372036854775807")).map((t) => t.join(" ")),
);
const flat = fc.tuple(test, fc.array(fc.tuple(fc.constantFrom("and", "or", "AND", "Or", "xor", ""), test), { maxLength: 6 })).map(([head, rest]) => [head, ...rest.flat()].filter((s) => s !== "").join(" "));

describe("tests joined by and/or, read without the grammar", () => {
  it("give the grammar's filter, or its error, on random chains of tests and near-tests", () => {
    fc.assert(
      fc.property(fc.oneof(flat, fc.array(word, { maxLength: 12 }).map((w) => w.join(" "))), (text) => {
        expect(outcome(() => parseFilter(text))).toEqual(outcome(() => parseObserved(text, undefined, quiet)));
      }),
      { numRuns: 5000 },
    );
  });

  it("give the grammar's filter, or its error, on long chains", () => {
    const long = fc.tuple(test, fc.array(fc.tuple(fc.constantFrom("and", "or", "or", "xor"), test), { minLength: 50, maxLength: 400 })).map(([head, rest]) => [head, ...rest.flat()].join(" "));
    fc.assert(
      fc.property(long, (text) => {
        expect(outcome(() => parseFilter(text))).toEqual(outcome(() => parseObserved(text, undefined, quiet)));
      }),
      { numRuns: 150 },
    );
    const chain = Array.from({ length: 3000 }, (_, i) => `/userName eq "user${i}"${i % 3 === 0 ? " and a pr" : ""}`).join(" or ");
    expect(parseFilter(chain)).toEqual(parseObserved(chain, undefined, quiet));
  });

  it("read from the text alone when they can, with the grammar's result and errors", () => {
    // Near-tests spelled out character by character: spaces, quotes and escapes, numbers of every
    // form, keywords in any case, surrogates, parentheses and `!` where a word may stand.
    const piece = fc.constantFrom(
      "/a", "b/c", "%41", "%zz", "a%2", "x\u{1F600}", "\ud800", "!", "(", ")", "and", "AND", "or", "pr", "PR", "eq", "Eq", "gt", "co", "sw", "lt", "le", "ge", "regex",
      "true", "FALSE", "1", "-0", "1.5", "1e999", "0x1", "9223372036854775808", "1.", ".5", "'x'", '"y"', "'a\\'b'", '"a\\"', "'(x)'", '"\ud800"', "'", '"', "ſw", "\t",
    );
    const spaces = fc.constantFrom("", " ", "  ");
    const text = fc.array(fc.tuple(spaces, piece), { minLength: 1, maxLength: 9 }).map((parts) => parts.map(([gap, p]) => gap + p).join(" ") + " ".repeat(parts.length % 2));
    fc.assert(
      fc.property(text, (t) => {
        expect(outcome(() => parseFilter(t))).toEqual(outcome(() => parseObserved(t, undefined, quiet)));
      }),
      { numRuns: 5000 },
    );
    for (const t of ['/userName eq "bjensen"', "  a pr  ", "a gt 100 and b le -2.5e3 or c eq 'it''s'", "a eq 'x\\'y' or b co \"(z)\"", "a eq true and b eq FALSE", "\ud800 pr", "a\udc00 eq 1", "a eq '\ud800'", "a eq x\udbff", "a pr or b\ud800 pr", "a eq 1 and) b pr", 'a eq "\\\ud800"', 'a gt "\\\ud83d\\\ude00"', "a eq '\\\udc00x'"]) {
      expect(outcome(() => parseFilter(t))).toEqual(outcome(() => parseObserved(t, undefined, quiet)));
    }
  });

  it("keep `and` tighter than `or`, and flatten each kind", () => {
    expect(parseFilter("a pr and b pr or c pr and d eq 1 or e pr")).toEqual({
      type: "or",
      filters: [
        { type: "and", filters: [{ type: "presence", field: ["a"] }, { type: "presence", field: ["b"] }] },
        { type: "and", filters: [{ type: "presence", field: ["c"] }, { type: "comparison", operator: "eq", field: ["d"], value: 1n }] },
        { type: "presence", field: ["e"] },
      ],
    });
    expect(parseFilter("and eq 'x' or or pr")).toEqual({
      type: "or",
      filters: [{ type: "comparison", operator: "eq", field: ["and"], value: "x" }, { type: "presence", field: ["or"] }],
    });
  });
});
