import { describe, expect, it } from "vitest";
import { FilterSyntaxError, parseFilter, positionAt, renderCaret } from "../src/index.js";
import { caught } from "./helpers/errors.js";

const failure = (input: string): FilterSyntaxError => caught(FilterSyntaxError, () => parseFilter(input));

// input, code, problem (the message before its position), offset, caret
const table: Array<[string, string, string, number, string]> = [
  ["", "empty-filter", "The filter is empty", 0, "\n^"],
  ["(", "unexpected-end", "The filter ends after '(' where a field, '(', '!', true or false was expected", 1, "(\n ^"],
  [")", "unexpected-token", "Expected a field, '(', '!', true or false, found ')'", 0, ")\n^"],
  ["()", "unexpected-token", "Empty group '()'", 1, "()\n ^"],
  ["a", "unexpected-end", 'Missing operator after field "a"', 1, "a\n ^"],
  ["a eq", "unexpected-end", 'Missing value after operator "eq"', 4, "a eq\n    ^"],
  ["a pr b pr", "unexpected-token", "Expected 'and', 'or' or the end of the filter, found \"b\"", 5, "a pr b pr\n     ^"],
  ['/n eq "abc', "unterminated-string", "Unterminated string: the \" is never closed", 6, '/n eq "abc\n      ^^^^'],
  ["/n eq 'a\\", "unterminated-string", "Unterminated string: the ' is never closed", 6, "/n eq 'a\\\n      ^^^"],
  ["/a eq 1e5", "invalid-number", 'Value "1e5" is not a string, a number, true or false', 6, "/a eq 1e5\n      ^^^"],
  ["/a eq null", "invalid-number", 'Value "null" is not a string, a number, true or false', 6, "/a eq null\n      ^^^^"],
  ["/a eq 9223372036854775808", "number-out-of-range", "Integer 9223372036854775808 does not fit a signed 64-bit integer (the server's Long)", 6,
    "/a eq 9223372036854775808\n      ^^^^^^^^^^^^^^^^^^^"],
  ["/a eq 1.0e400", "number-out-of-range", "Decimal 1.0e400 is too large for a double", 6, "/a eq 1.0e400\n      ^^^^^^^"],
  ["/a%zz pr", "invalid-field", '"%" must be followed by two hex digits in field segment "a%zz"', 2, "/a%zz pr\n  ^^^"],
  ["/a#b pr", "invalid-field", 'Field "/a#b" contains "#", which a field may not hold', 2, "/a#b pr\n  ^"],
  ["a\tpr", "invalid-field", 'Field "a\\tpr" contains U+0009, which a field may not hold', 1, "a\u2409pr\n ^"],
  ["/name op! 1", "invalid-operator", '"op!" is not an operator', 6, "/name op! 1\n      ^^^"],
  ["/a = 1", "invalid-operator", '"=" is not an operator', 3, "/a = 1\n   ^"],
  ['"a" eq 1', "invalid-field", "A field cannot be a quoted string", 0, '"a" eq 1\n^^^'],
  ["true pr", "unexpected-token", "Expected 'and', 'or' or the end of the filter, found \"pr\"", 5, "true pr\n     ^^"],
  ["not (a pr)", "invalid-operator", "Expected an operator after field \"not\", found '('", 4, "not (a pr)\n    ^"],
  ["(a pr", "unexpected-end", "Missing ')' to close the '(' of column 1", 5, "(a pr\n     ^"],
  ["a pr))", "unbalanced-parenthesis", "Unbalanced ')': it closes no open group", 4, "a pr))\n    ^"],
  ["a eq (1)", "invalid-value", "Expected a value after operator \"eq\", found '('", 5, "a eq (1)\n     ^"],
  ["a pr and", "unexpected-end", "The filter ends after \"and\" where a field, '(', '!', true or false was expected", 8, "a pr and\n        ^"],
  ["a pr or\n(b pr", "unexpected-token", "Expected 'and', 'or' or the end of the filter, found \"or\\n\"", 5, "a pr or\n     ^^"],
  ['a eq "x\ny" and b', "unexpected-end", 'Missing operator after field "b"', 16, 'y" and b\n        ^'],
];

describe("FilterSyntaxError messages", () => {
  it.each(table)("%j", (input, code, problem, offset, caret) => {
    const e = failure(input);
    const { line, column } = positionAt(input, offset);
    expect(e.code).toBe(code);
    expect(e.problem).toBe(problem);
    expect(e.offset).toBe(offset);
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message.startsWith(`${problem} at line ${line}, column ${column}.`)).toBe(true);
    expect(e.caret).toBe(caret);
    expect(e.format()).toBe(`${e.message}\n${caret}`);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("FilterSyntaxError");
  });

  it("reports what was found and what was expected", () => {
    const e = failure("a eq");
    expect(e.found).toBe("end of input");
    expect(e.expected).toEqual(["a string in quotes", "a number", "true", "false"]);
    expect(failure("a pr b pr").found).toBe('"b"');
  });

  it("gives hints for common mistakes", () => {
    expect(failure("not (a pr)").hint).toMatch(/negation is written '!'/);
    expect(failure("! ! a pr").hint).toMatch(/'!' negates one group/);
    expect(failure("/a b pr").hint).toMatch(/%20/);
    expect(failure("/a eq 1e5").hint).toBe("an exponent needs a decimal point: write 1.0e5");
    expect(failure('/n eq "x"y').hint).toBe("put a space after the closing quote");
    expect(failure("true pr").hint).toMatch(/write \/true/);
    expect(failure(`${"(".repeat(64)}a pr${")".repeat(64)}`).hint).toMatch(/64 or more nested groups/);
  });

  it("counts columns in code points and lines at newlines", () => {
    const e = failure('a eq "😀\n" and é eq');
    expect([e.line, e.column]).toEqual([2, 11]);
    expect(failure("😀 eq").column).toBe(5);
    expect(failure("😀 eq").offset).toBe(5);
  });
});

describe("renderCaret", () => {
  it("cuts long lines around the caret", () => {
    const text = `${"x".repeat(200)} eq`;
    const rendered = renderCaret(text, 201, 2);
    const [line = "", caret = ""] = rendered.split("\n");
    expect(line.startsWith("…")).toBe(true);
    expect(line.length).toBeLessThanOrEqual(74);
    expect(line[caret.indexOf("^")]).toBe("e");
    expect(caret.trim()).toBe("^^");
  });

  it("shows control characters visibly so the caret stays aligned", () => {
    expect(renderCaret("a\tb\u0000c", 4)).toBe("a\u2409b\u2400c\n    ^");
  });
});
