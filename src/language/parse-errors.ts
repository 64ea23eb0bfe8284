// How the parser's failures read: each function builds the FilterSyntaxError for one kind of
// problem, with what was found, what was expected, and a hint when a likely fix is known. The
// grammar (parser.ts) only decides *that* something is wrong and calls these.
import type { IRecognitionException, IToken } from "chevrotain";
import { FilterSyntaxError, describeText, positionAt, type FilterSyntaxErrorCode } from "./errors.js";
import { FieldSlot, FilterSlot, False, LParen, RParen, True, ValueSlot } from "./lexer.js";
import type { NumberProblem } from "./numbers.js";

const PRIMARY_EXPECTED = ["a field", "'('", "'!'", "true", "false"];
const OPERATOR_EXPECTED = ["eq", "co", "sw", "lt", "le", "gt", "ge", "pr", "an extended operator"];
const VALUE_EXPECTED = ["a string in quotes", "a number", "true", "false"];
const SLOT_EXPECTED = ["an interpolation standing alone as a filter, a field or a value"];
const UNQUOTED_SLOT_HINT = "interpolate the whole value without quotes (/sn eq ${name}): it is quoted safely for you";

/** The filter holds a lone surrogate at `offset`. */
export function loneSurrogateError(text: string, offset: number): FilterSyntaxError {
  return new FilterSyntaxError({
    input: text,
    offset,
    code: "invalid-text",
    problem: "The filter holds a lone surrogate, which is not valid Unicode and cannot be sent as UTF-8",
    found: "a lone surrogate",
    expected: ["well-formed Unicode text"],
  });
}

/** A `(` opens group number `depth`, deeper than `max`. */
export function nestingError(text: string, offset: number, depth: number, max: number): FilterSyntaxError {
  return new FilterSyntaxError({
    input: text,
    offset,
    code: "nesting-too-deep",
    problem: `Parentheses nest ${depth} deep; at most ${max} nested groups are allowed`,
    found: "'('",
    expected: ["fewer nested groups"],
    hint: "the server rejects 64 or more nested groups; flatten chains of and/or, which need no parentheses",
  });
}

/** A word in operator position that is neither a core operator nor a valid extended name. */
export function operatorError(text: string, token: IToken): FilterSyntaxError {
  const name = token.image;
  let hint: string | undefined;
  if (name === "!") hint = "'!' negates a whole group and goes before the field: ! (/field eq value)";
  else if (/^(==|=|!=|<>|<|<=|>|>=)$/.test(name)) hint = "comparisons are words: eq, lt, le, gt, ge; negate with !(...)";
  else if (/["']/.test(name)) hint = "put a space between the operator and a quoted value";
  return new FilterSyntaxError({
    input: text,
    offset: token.startOffset,
    length: name.length,
    code: "invalid-operator",
    problem: `${describeText(name)} is not an operator`,
    found: describeText(name),
    expected: ["eq", "co", "sw", "lt", "le", "gt", "ge", "pr", "an extended operator of letters, digits, '_' and '.'"],
    ...(hint === undefined ? {} : { hint }),
  });
}

/**
 * A word in value position that is not a number. `field` is the word read as the test's field:
 * a keyword in value position usually means the words before it were read differently.
 */
export function numberError(text: string, token: IToken, problem: NumberProblem, field: IToken | undefined): FilterSyntaxError {
  const word = token.image;
  let hint = problem.hint;
  if (word.length <= 3 && /^(pr|and|or)$/i.test(word)) {
    hint = field?.image === "!"
      ? "'!' negates one group: write ! (! (a pr)), not ! ! a pr"
      : "a field cannot hold a space (write it as %20), so the word after the field was read as an operator";
  }
  return new FilterSyntaxError({
    input: text,
    offset: token.startOffset,
    length: word.length,
    code: problem.code,
    problem: problem.problem,
    found: describeText(word),
    expected: VALUE_EXPECTED,
    ...(hint === undefined ? {} : { hint }),
  });
}

/** The lexer fails only at a quote whose string never closes: every other character starts a word. */
export function unterminatedStringError(text: string, offset: number): FilterSyntaxError {
  const quote = text[offset] ?? "\"";
  let i = offset + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === "\\" ? 2 : 1;
  const endsWithBackslash = i > text.length;
  return new FilterSyntaxError({
    input: text,
    offset,
    length: text.length - offset,
    code: "unterminated-string",
    problem: `Unterminated string: the ${quote} is never closed`,
    found: "end of input",
    expected: [`a closing ${quote}`],
    hint: endsWithBackslash
      ? `the final backslash escapes what follows it; write \\\\ for a backslash, then close the string with ${quote}`
      : `close the string with ${quote}; inside it, write \\${quote} for a quote`,
  });
}

/** A template interpolation that is inside a string or glued to other text. */
export function slotPlacementError(text: string, token: IToken, at: number, marker: string): FilterSyntaxError {
  const quoted = isQuoted(token);
  return new FilterSyntaxError({
    input: text,
    offset: at,
    length: marker.length,
    code: "invalid-value",
    problem: `Interpolation ${marker} is ${quoted ? "inside a quoted string" : "joined to other text"}`,
    found: describeText(token.image),
    expected: SLOT_EXPECTED,
    hint: quoted
      ? UNQUOTED_SLOT_HINT
      : "put spaces around the interpolation; for a computed field, interpolate field() with the whole pointer",
  });
}

/** A template interpolation that the parser never placed (it sits in text the lexer joined). */
export function unusedSlotError(text: string, index: number): FilterSyntaxError {
  const marker = `\${${index}}`;
  return new FilterSyntaxError({
    input: text,
    offset: Math.max(0, text.indexOf(marker)),
    length: marker.length,
    code: "invalid-value",
    problem: `Interpolation ${marker} is inside a quoted string or joined to other text`,
    found: describeText(marker),
    expected: SLOT_EXPECTED,
    hint: UNQUOTED_SLOT_HINT,
  });
}

const isQuoted = (token: IToken): boolean => token.tokenType.name.endsWith("Quoted");

/**
 * Turn Chevrotain's recognition exception into a message about the filter. `field` is the field
 * token of the test being read, if any.
 */
export function recognitionError(
  error: IRecognitionException,
  text: string,
  tokens: readonly IToken[],
  groups: readonly number[],
  field: IToken | undefined,
): FilterSyntaxError {
  const token = error.token;
  const atEnd = token.tokenType.name === "EOF";
  const offset = atEnd ? text.length : token.startOffset;
  const length = atEnd ? 1 : token.image.length;
  const found = atEnd ? "end of input" : describeToken(token);
  const index = atEnd ? tokens.length : tokens.indexOf(token);
  const previous = index > 0 ? tokens[index - 1] : undefined;
  // The test rule reads the field, the operator and the value: after the operator, the value
  // was expected.
  const inTest = error.context.ruleStack[error.context.ruleStack.length - 1] === "test";
  const rule = inTest && previous !== undefined && previous !== field ? "value" : inTest ? "test" : "primary";
  const spaceHint = !atEnd && /[\t\n\r]/.test(token.image) ? "only the space character separates words; a tab or line break does not" : undefined;
  const make = (code: FilterSyntaxErrorCode, problem: string, expected: string[], hint?: string) => {
    const shown = spaceHint ?? hint;
    return new FilterSyntaxError({ input: text, offset, length, code, problem, found, expected, ...(shown === undefined ? {} : { hint: shown }) });
  };

  if (error.name === "NotAllInputParsedException") {
    if (token.tokenType === RParen) {
      return make("unbalanced-parenthesis", "Unbalanced ')': it closes no open group", ["'and'", "'or'", "end of input"]);
    }
    const glued = previous !== undefined && previous.startOffset + previous.image.length === token.startOffset;
    const literal = previous !== undefined && (previous.tokenType === True || previous.tokenType === False) && index === 1;
    const hint = literal
      ? `true and false are literals where a filter starts; write /${previous.image} for a field of that name`
      : glued && previous !== undefined && isQuoted(previous)
        ? "put a space after the closing quote"
        : "join conditions with 'and' or 'or'";
    return make("unexpected-token", `Expected 'and', 'or' or the end of the filter, found ${found}`, ["'and'", "'or'", "end of input"], hint);
  }
  if (error.name === "MismatchedTokenException") {
    const where = positionAt(text, groups[groups.length - 1] ?? 0);
    const opened = where.line === 1 ? `column ${where.column}` : `line ${where.line}, column ${where.column}`;
    const problem = atEnd
      ? `Missing ')' to close the '(' of ${opened}`
      : `Expected ')' to close the '(' of ${opened}, found ${found}`;
    return make(atEnd ? "unexpected-end" : "unexpected-token", problem, ["')'", "'and'", "'or'"], atEnd ? undefined : "join conditions with 'and' or 'or'");
  }
  if (rule === "test") {
    const field = previous?.image ?? "";
    if (atEnd) return make("unexpected-end", `Missing operator after field ${describeText(field)}`, OPERATOR_EXPECTED);
    const hint = field.toLowerCase() === "not"
      ? "negation is written '!': ! (/field pr)"
      : isQuoted(token)
        ? "an operator goes between the field and the value: /field eq \"value\""
        : undefined;
    return make("invalid-operator", `Expected an operator after field ${describeText(field)}, found ${found}`, OPERATOR_EXPECTED, hint);
  }
  if (rule === "value") {
    const operator = previous?.image ?? "";
    if (atEnd) return make("unexpected-end", `Missing value after operator ${describeText(operator)}`, VALUE_EXPECTED);
    return make("invalid-value", `Expected a value after operator ${describeText(operator)}, found ${found}`, VALUE_EXPECTED,
      "values are strings in quotes, numbers, true or false; parentheses group filters, not values");
  }
  // The primary rule: the start of a filter, or what follows 'and', 'or', '!' or '('.
  if (atEnd && tokens.length === 0) {
    return make("empty-filter", "The filter is empty", PRIMARY_EXPECTED, "the filter that matches every resource is true");
  }
  if (atEnd) {
    const after = previous === undefined ? "" : ` after ${describeToken(previous)}`;
    return make("unexpected-end", `The filter ends${after} where a field, '(', '!', true or false was expected`, PRIMARY_EXPECTED);
  }
  if (isQuoted(token)) {
    return make("invalid-field", "A field cannot be a quoted string", PRIMARY_EXPECTED, "write the field as a pointer, such as /name");
  }
  if (token.tokenType === RParen && previous?.tokenType === LParen) {
    return make("unexpected-token", "Empty group '()'", PRIMARY_EXPECTED, "put a filter inside the parentheses, or remove them");
  }
  if (token.tokenType === ValueSlot) {
    return make("invalid-field", `Expected a field, '(', '!', true or false, found ${found}`, PRIMARY_EXPECTED,
      "an interpolated string stays a value; interpolate field(\"/name\") for a field, or a filter for a whole test");
  }
  return make("unexpected-token", `Expected a field, '(', '!', true or false, found ${found}`, PRIMARY_EXPECTED);
}

function describeToken(token: IToken): string {
  if (token.tokenType === FilterSlot) return `interpolation ${token.image} (a filter)`;
  if (token.tokenType === FieldSlot) return `interpolation ${token.image} (a field)`;
  if (token.tokenType === ValueSlot) return `interpolation ${token.image} (a value)`;
  if (token.tokenType === LParen) return "'('";
  if (token.tokenType === RParen) return "')'";
  if (isQuoted(token)) return `the string ${describeText(token.image)}`;
  return describeText(token.image);
}
