import { EmbeddedActionsParser, type ILexingError, type IRecognitionException, type IToken } from "chevrotain";
import type { Filter, FilterValue, Pointer } from "./ast.js";
import { FilterSyntaxError, describeText, positionAt } from "./errors.js";
import {
  allTokens,
  And,
  Co,
  Eq,
  False,
  FieldSlot,
  FilterSlot,
  Ge,
  Gt,
  Le,
  LParen,
  Lt,
  Not,
  OperatorWord,
  Or,
  FieldWord,
  NumberWord,
  Pr,
  Quoted,
  RParen,
  Sw,
  slotIndex,
  tokenize,
  True,
  ValueSlot,
  type SlotKind,
} from "./lexer.js";
import type { FilterWarning, FilterWarningCode } from "./lint.js";
import { readNumber } from "./numbers.js";
import { loneSurrogateAt, parsePointer } from "./pointer.js";

/**
 * The nesting the server accepts: it rejects 64 or more nested parenthesised groups.
 *
 * @example
 * ```ts
 * import { parseFilter, DEFAULT_MAX_NESTING } from "crest-query";
 * parseFilter("(".repeat(DEFAULT_MAX_NESTING) + "a pr" + ")".repeat(DEFAULT_MAX_NESTING)); // fine
 * ```
 */
export const DEFAULT_MAX_NESTING = 63;

/**
 * Options of {@link parseFilter}.
 *
 * @example
 * ```ts
 * import { parseFilter } from "crest-query";
 * parseFilter("((a pr))", { maxNesting: 1 }); // throws: at most 1 nested group
 * ```
 */
export interface ParseFilterOptions {
  /**
   * The most parenthesised groups that may nest. Default {@link DEFAULT_MAX_NESTING} (63), like the
   * server. Values above 200 are lowered to 200 so that no input can exhaust the stack.
   */
  readonly maxNesting?: number;
}

// Each group costs the recursive-descent parser a few stack frames; this keeps the worst case far
// from the stack limit, also in worker threads, whose stacks are smaller.
const HARD_MAX_NESTING = 200;
const TRUE: Filter = Object.freeze({ type: "literal", value: true });
const FALSE: Filter = Object.freeze({ type: "literal", value: false });
const OPERATOR_NAME = /^[A-Za-z0-9_.]+$/;
const ESCAPE = /\\([\s\S])/g;
const JSON_ESCAPE_LETTERS = "ntrbfu/";
const CORE_TOKENS = new Set([Eq, Co, Sw, Lt, Le, Gt, Ge]);

// Operators from other filter languages, and what to write instead.
const FOREIGN_OPERATORS: Readonly<Record<string, string>> = {
  ne: "negate an eq: !(/field eq value)",
  neq: "negate an eq: !(/field eq value)",
  not: "negation is written '!' before a group: !(/field eq value)",
  in: "join eq tests with or: (/f eq 1 or /f eq 2)",
  nin: "negate an or of eq tests",
  ew: "CREST has no ends-with; use co, or an extended operator your server implements",
  like: "use sw (starts with) or co (contains)",
  ilike: "use sw or co, which ignore case",
  contains: "use co",
  startswith: "use sw",
  equals: "use eq",
  lte: "use le",
  gte: "use ge",
  and: "a value was probably missing before 'and'",
  or: "a value was probably missing before 'or'",
  true: "a value was probably missing before 'true'",
  false: "a value was probably missing before 'false'",
};
const NEAR_OPERATORS = ["eq", "co", "sw", "lt", "le", "gt", "ge", "pr"];

class FilterParser extends EmbeddedActionsParser {
  text = "";
  maxNesting = DEFAULT_MAX_NESTING;
  /** Offsets of the parentheses that are open, innermost last. */
  readonly groups: number[] = [];
  warnings: FilterWarning[] | undefined = undefined;
  /** The field of the test being read, for hints about the value that follows. */
  field: IToken | undefined = undefined;
  /** While a template is read: what was interpolated, and which interpolations were placed. */
  slots: readonly (Filter | Pointer | FilterValue)[] | undefined = undefined;
  readonly usedSlots = new Set<number>();

  constructor() {
    super(allTokens, { maxLookahead: 1, recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  readonly filter = this.RULE("filter", (): Filter => this.SUBRULE(this.orExpr));

  // Rules run code only outside the recording phase (when Chevrotain learns the grammar), which
  // is what ACTION does, without allocating a closure per call. The alternatives of each OR are
  // built once and reused, as Chevrotain's performance guide advises.

  private readonly orExpr = this.RULE("orExpr", (): Filter => {
    const first = this.SUBRULE(this.andExpr);
    let operands: Filter[] | undefined;
    this.MANY(() => {
      this.CONSUME(Or);
      const next = this.SUBRULE2(this.andExpr);
      if (!this.RECORDING_PHASE) (operands ??= [first]).push(next);
    });
    return operands === undefined ? first : { type: "or", filters: operands };
  });

  private readonly andExpr = this.RULE("andExpr", (): Filter => {
    const first = this.SUBRULE(this.notExpr);
    let operands: Filter[] | undefined;
    this.MANY(() => {
      this.CONSUME(And);
      const next = this.SUBRULE2(this.notExpr);
      if (!this.RECORDING_PHASE) (operands ??= [first]).push(next);
    });
    return operands === undefined ? first : { type: "and", filters: operands };
  });

  // `!` negates one primary, and only as a whole word: `!a` is a field (the lexer sees to that).
  private readonly notExpr = this.RULE("notExpr", (): Filter => {
    const negated = this.OPTION(() => this.CONSUME(Not)) !== undefined;
    const operand = this.SUBRULE(this.primary);
    return negated ? { type: "not", filter: operand } : operand;
  });

  private readonly primaryAlternatives = [
    {
      ALT: (): Filter => {
        const open = this.CONSUME(LParen);
        if (!this.RECORDING_PHASE) this.openGroup(open);
        const inner = this.SUBRULE(this.orExpr);
        this.CONSUME(RParen);
        if (!this.RECORDING_PHASE) this.groups.pop();
        return inner;
      },
    },
    { ALT: (): Filter => (this.CONSUME(True), TRUE) },
    { ALT: (): Filter => (this.CONSUME(False), FALSE) },
    { ALT: (): Filter => this.SUBRULE(this.test) },
    {
      ALT: (): Filter => {
        const token = this.CONSUME(FilterSlot);
        return this.RECORDING_PHASE ? TRUE : (this.slotOf(token) as Filter);
      },
    },
  ];

  private readonly primary = this.RULE("primary", (): Filter => this.OR(this.primaryAlternatives));

  /** The field of the test being read: set before the operator alternatives run. */
  private testField: Pointer = [];

  private readonly testAlternatives = [
    { ALT: (): Filter => (this.CONSUME(Pr), { type: "presence", field: this.testField }) },
    {
      ALT: (): Filter => {
        const field = this.testField;
        const operatorToken = this.CONSUME(OperatorWord);
        const operator = this.RECORDING_PHASE ? "" : this.operatorOf(operatorToken);
        const value = this.SUBRULE(this.value);
        return { type: "comparison", operator, field, value };
      },
    },
  ];

  private readonly test = this.RULE("test", (): Filter => {
    const fieldToken = this.CONSUME(FieldWord);
    if (!this.RECORDING_PHASE) {
      this.field = fieldToken;
      this.testField = this.fieldOf(fieldToken);
    }
    return this.OR(this.testAlternatives);
  });

  private readonly valueAlternatives = [
    {
      ALT: (): FilterValue => {
        const token = this.CONSUME(Quoted);
        return this.RECORDING_PHASE ? "" : this.stringOf(token);
      },
    },
    { ALT: (): FilterValue => (this.CONSUME(True), true) },
    { ALT: (): FilterValue => (this.CONSUME(False), false) },
    {
      ALT: (): FilterValue => {
        const token = this.CONSUME(NumberWord);
        return this.RECORDING_PHASE ? 0n : this.numberOf(token);
      },
    },
    {
      ALT: (): FilterValue => {
        const token = this.CONSUME(ValueSlot);
        return this.RECORDING_PHASE ? 0n : (this.slotOf(token) as FilterValue);
      },
    },
  ];

  private readonly value = this.RULE("value", (): FilterValue => this.OR(this.valueAlternatives));

  private openGroup(open: IToken): void {
    this.groups.push(open.startOffset);
    if (this.groups.length > this.maxNesting) {
      throw new FilterSyntaxError({
        input: this.text,
        offset: open.startOffset,
        code: "nesting-too-deep",
        problem: `Parentheses nest ${this.groups.length} deep; at most ${this.maxNesting} nested groups are allowed`,
        found: "'('",
        expected: ["fewer nested groups"],
        hint: "the server rejects 64 or more nested groups; flatten chains of and/or, which need no parentheses",
      });
    }
  }

  private slotOf(token: IToken): Filter | Pointer | FilterValue {
    const index = slotIndex(token);
    this.usedSlots.add(index);
    return this.slots?.[index] as Filter | Pointer | FilterValue;
  }

  private fieldOf(token: IToken): Pointer {
    if (token.tokenType === FieldSlot) return this.slotOf(token) as Pointer;
    const image = token.image;
    const field = parsePointer(image, { source: { input: this.text, offset: token.startOffset } });
    if (this.warnings !== undefined) {
      if (image.startsWith("!")) {
        this.warn(token.startOffset, image.length, "bang-field",
          `Field ${describeText(image)} starts with "!": the server reads a field of that name, not a negation; write "! (${image.slice(1)} ...)" to negate`);
      }
      if (image.includes("%") && field.some((s) => s.includes("\ufffd")) && !image.includes("\ufffd")) {
        this.warn(token.startOffset, image.length, "invalid-utf8",
          `Field ${describeText(image)} percent-encodes bytes that are not UTF-8; the server reads them as U+FFFD`);
      }
    }
    return field;
  }

  private operatorOf(token: IToken): string {
    if (CORE_TOKENS.has(token.tokenType)) return token.image.toLowerCase();
    const name = token.image;
    if (!OPERATOR_NAME.test(name)) {
      throw new FilterSyntaxError({
        input: this.text,
        offset: token.startOffset,
        length: name.length,
        code: "invalid-operator",
        problem: `${describeText(name)} is not an operator`,
        found: describeText(name),
        expected: ["eq", "co", "sw", "lt", "le", "gt", "ge", "pr", "an extended operator of letters, digits, '_' and '.'"],
        ...operatorHint(name),
      });
    }
    if (this.warnings !== undefined) {
      const lower = name.toLowerCase();
      const foreign = FOREIGN_OPERATORS[lower];
      const near = NEAR_OPERATORS.find((op) => lower.length <= 4 && editDistance(lower, op) === 1);
      if (foreign !== undefined || near !== undefined) {
        const advice = foreign ?? `did you mean ${near}?`;
        this.warn(token.startOffset, name.length, "suspicious-operator",
          `${describeText(name)} is read as an extended operator, which servers reject unless they implement it: ${advice}`);
      }
    }
    return name;
  }

  private stringOf(token: IToken): string {
    const image = token.image;
    const body = image.slice(1, -1);
    if (this.warnings !== undefined) {
      for (const m of body.matchAll(ESCAPE)) {
        const letter = m[1] as string;
        if (!JSON_ESCAPE_LETTERS.includes(letter)) continue;
        this.warn(token.startOffset + 1 + (m.index ?? 0), 2, "json-escape",
          `"\\${letter}" in a string is the character "${letter}" to the server, which applies no JSON escapes; write the character itself`);
      }
      const control = /[\t\n\r]/.exec(body);
      if (control !== null) {
        this.warn(token.startOffset + 1 + control.index, 1, "whitespace",
          "The string holds a tab or line break; if it came from copying, a space was probably meant");
      }
    }
    return body.includes("\\") ? body.replace(/\\([\s\S])/g, "$1") : body;
  }

  private numberOf(token: IToken): FilterValue {
    const reading = readNumber(token.image);
    if ("code" in reading) {
      throw new FilterSyntaxError({
        input: this.text,
        offset: token.startOffset,
        length: token.image.length,
        code: reading.code,
        problem: reading.problem,
        found: describeText(token.image),
        expected: ["a string in quotes", "a number", "true", "false"],
        hint: this.valueHint(token.image) ?? reading.hint,
      });
    }
    if (reading.note !== undefined && this.warnings !== undefined) {
      this.warn(token.startOffset, token.image.length, /[\t\n\r]/.test(token.image) ? "whitespace" : "number-syntax", reading.note);
    }
    return reading.value;
  }

  // A keyword in value position usually means the words before it were read differently.
  private valueHint(word: string): string | undefined {
    if (!/^(pr|and|or)$/i.test(word)) return undefined;
    if (this.field?.image === "!") return "'!' negates one group: write ! (! (a pr)), not ! ! a pr";
    return "a field cannot hold a space (write it as %20), so the word after the field was read as an operator";
  }

  private warn(offset: number, length: number, code: FilterWarningCode, message: string): void {
    const { line, column } = positionAt(this.text, offset);
    this.warnings?.push({ code, message, offset, length, line, column });
  }
}

function operatorHint(name: string): { hint?: string } {
  if (name === "!") return { hint: "'!' negates a whole group and goes before the field: ! (/field eq value)" };
  if (/^(==|=|!=|<>|<|<=|>|>=)$/.test(name)) return { hint: "comparisons are words: eq, lt, le, gt, ge; negate with !(...)" };
  if (/["']/.test(name)) return { hint: "put a space between the operator and a quoted value" };
  return {};
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

// One parser instance, reused: Chevrotain resets it when it is given new input.
const parser = new FilterParser();

/**
 * Parse a `_queryFilter` into a {@link Filter}, accepting exactly what CREST servers accept (see
 * the language guide, docs/language.md): context-sensitive keywords, `!` only as a whole word, percent-encoded pointers, integer
 * and decimal literals kept apart, at most 63 nested groups by default.
 *
 * @throws {@link FilterSyntaxError} with the position, what was found and what was expected.
 *
 * @example
 * ```ts
 * import { parseFilter } from "crest-query";
 * parseFilter('/userName sw "bj" and /age gt 30');
 * // { type: "and", filters: [
 * //   { type: "comparison", operator: "sw", field: ["userName"], value: "bj" },
 * //   { type: "comparison", operator: "gt", field: ["age"], value: 30n } ] }
 * ```
 */
export function parseFilter(text: string, options: ParseFilterOptions = {}): Filter {
  return runParser(text, options, undefined);
}

/** Parse and collect lint warnings; used by `lintFilter`. */
export function parseFilterWithWarnings(
  text: string,
  options: ParseFilterOptions = {},
): { filter: Filter; warnings: FilterWarning[] } {
  const warnings: FilterWarning[] = [];
  const filter = runParser(text, options, warnings);
  return { filter, warnings };
}

/**
 * Parse the text of a `filter` template: `${0}`, `${1}`... stand for the interpolations, whose
 * kinds and converted values are given. Every interpolation must be placed as a whole token.
 */
export function parseTemplateText(
  text: string,
  kinds: readonly SlotKind[],
  values: readonly (Filter | Pointer | FilterValue)[],
  options: ParseFilterOptions = {},
): Filter {
  parser.slots = values;
  parser.usedSlots.clear();
  try {
    const filter = runParser(text, options, undefined, kinds);
    const unused = kinds.findIndex((_, i) => !parser.usedSlots.has(i));
    if (unused !== -1) {
      const marker = `\${${unused}}`;
      const at = Math.max(0, text.indexOf(marker));
      throw new FilterSyntaxError({
        input: text,
        offset: at,
        length: marker.length,
        code: "invalid-value",
        problem: `Interpolation ${marker} is inside a quoted string or joined to other text`,
        found: describeText(marker),
        expected: ["an interpolation standing alone as a filter, a field or a value"],
        hint: "interpolate the whole value without quotes (/sn eq ${name}): it is quoted safely for you",
      });
    }
    return filter;
  } finally {
    parser.slots = undefined;
    parser.usedSlots.clear();
  }
}

function runParser(text: string, options: ParseFilterOptions, warnings: FilterWarning[] | undefined, slots?: readonly SlotKind[]): Filter {
  if (typeof text !== "string") throw new TypeError(`A filter must be a string, got ${text === null ? "null" : typeof text}`);
  const at = loneSurrogateAt(text);
  if (at !== -1) {
    throw new FilterSyntaxError({
      input: text,
      offset: at,
      code: "invalid-text",
      problem: "The filter holds a lone surrogate, which is not valid Unicode and cannot be sent as UTF-8",
      found: "a lone surrogate",
      expected: ["well-formed Unicode text"],
    });
  }
  const lexed = tokenize(text, slots);
  const lexError = lexed.errors[0];
  if (lexError !== undefined) throw unterminatedString(text, lexError);
  if (slots !== undefined) checkSlotsStandAlone(text, lexed.tokens);
  const maxNesting = Math.max(0, Math.min(options.maxNesting ?? DEFAULT_MAX_NESTING, HARD_MAX_NESTING));
  parser.text = text;
  parser.maxNesting = maxNesting;
  parser.groups.length = 0;
  parser.warnings = warnings;
  parser.input = lexed.tokens;
  try {
    const filter = parser.filter();
    const error = parser.errors[0];
    if (error !== undefined) throw recognitionError(error, text, lexed.tokens, parser.groups);
    return filter;
  } finally {
    parser.warnings = undefined;
    parser.field = undefined;
    parser.text = "";
  }
}

// An interpolation inside a string or glued to a word would be read as text: refuse it.
function checkSlotsStandAlone(text: string, tokens: readonly IToken[]): void {
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === FilterSlot || type === FieldSlot || type === ValueSlot) continue;
    const inside = /\$\{\d+\}/.exec(token.image);
    if (inside === null) continue;
    const quoted = token.tokenType.name.endsWith("Quoted");
    throw new FilterSyntaxError({
      input: text,
      offset: token.startOffset + inside.index,
      length: inside[0].length,
      code: "invalid-value",
      problem: `Interpolation ${inside[0]} is ${quoted ? "inside a quoted string" : "joined to other text"}`,
      found: describeText(token.image),
      expected: ["an interpolation standing alone as a filter, a field or a value"],
      hint: quoted
        ? "interpolate the whole value without quotes (/sn eq ${name}): it is quoted safely for you"
        : "put spaces around the interpolation; for a computed field, interpolate field() with the whole pointer",
    });
  }
}

// The lexer fails only at a quote whose string never closes: every other character starts a word.
function unterminatedString(text: string, error: ILexingError): FilterSyntaxError {
  const quote = text[error.offset] ?? "\"";
  let i = error.offset + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === "\\" ? 2 : 1;
  const endsWithBackslash = i > text.length;
  return new FilterSyntaxError({
    input: text,
    offset: error.offset,
    length: text.length - error.offset,
    code: "unterminated-string",
    problem: `Unterminated string: the ${quote} is never closed`,
    found: "end of input",
    expected: [`a closing ${quote}`],
    hint: endsWithBackslash
      ? `the final backslash escapes what follows it; write \\\\ for a backslash, then close the string with ${quote}`
      : `close the string with ${quote}; inside it, write \\${quote} for a quote`,
  });
}

const PRIMARY_EXPECTED = ["a field", "'('", "'!'", "true", "false"];
const OPERATOR_EXPECTED = ["eq", "co", "sw", "lt", "le", "gt", "ge", "pr", "an extended operator"];
const VALUE_EXPECTED = ["a string in quotes", "a number", "true", "false"];

function recognitionError(
  error: IRecognitionException,
  text: string,
  tokens: readonly IToken[],
  groups: readonly number[],
): FilterSyntaxError {
  const token = error.token;
  const atEnd = token.tokenType.name === "EOF";
  const offset = atEnd ? text.length : token.startOffset;
  const length = atEnd ? 1 : token.image.length;
  const found = atEnd ? "end of input" : describeToken(token);
  const index = atEnd ? tokens.length : tokens.indexOf(token);
  const previous = index > 0 ? tokens[index - 1] : undefined;
  const rule = error.context.ruleStack[error.context.ruleStack.length - 1];
  const spaceHint = !atEnd && /[\t\n\r]/.test(token.image) ? "only the space character separates words; a tab or line break does not" : undefined;
  const make = (code: ConstructorParameters<typeof FilterSyntaxError>[0]["code"], problem: string, expected: string[], hint?: string) =>
    new FilterSyntaxError({ input: text, offset, length, code, problem, found, expected, ...(spaceHint ?? hint) === undefined ? {} : { hint: spaceHint ?? hint } });

  if (error.name === "NotAllInputParsedException") {
    if (token.tokenType === RParen) {
      return make("unbalanced-parenthesis", "Unbalanced ')': it closes no open group", ["'and'", "'or'", "end of input"]);
    }
    const glued = previous !== undefined && previous.startOffset + previous.image.length === token.startOffset;
    const literal = previous !== undefined && (previous.tokenType === True || previous.tokenType === False) && index === 1;
    const hint = literal
      ? `true and false are literals where a filter starts; write /${previous.image} for a field of that name`
      : glued && previous?.tokenType.name.endsWith("Quoted")
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
      : token.tokenType === Quoted || token.tokenType.name.endsWith("Quoted")
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
  if (token.tokenType.name.endsWith("Quoted")) {
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
  if (token.tokenType.name.endsWith("Quoted")) return `the string ${describeText(token.image)}`;
  return describeText(token.image);
}

/** The grammar as Chevrotain records it, for the railroad diagrams in grammar/ (not public API). */
export function serializedGrammar(): ReturnType<FilterParser["getSerializedGastProductions"]> {
  return parser.getSerializedGastProductions();
}
