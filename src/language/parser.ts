import { EmbeddedActionsParser, type IToken, type TokenType } from "chevrotain";
import type { Filter, FilterValue, Pointer } from "./ast.js";
import {
  allTokens,
  And,
  DoubleQuoted,
  SingleQuoted,
  Word,
  Co,
  Eq,
  False,
  FieldSlot,
  FilterSlot,
  Ge,
  Gt,
  keywordName,
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
  wordType,
  ValueSlot,
  type SlotKind,
} from "./lexer.js";
import { checkOptions, DEFAULT_MAX_NESTING, maxNestingOption } from "./limits.js";
import { readNumber } from "./numbers.js";
import {
  loneSurrogateError,
  nestingError,
  numberError,
  operatorError,
  recognitionError,
  slotPlacementError,
  unterminatedStringError,
  unusedSlotError,
} from "./parse-errors.js";
import { loneSurrogateAt, plainPointer, readPointer } from "./pointer.js";

// The grammar of `_queryFilter`, and nothing else: how failures read is in parse-errors.ts, and
// what looks suspicious in a valid filter is in lint.ts, which watches a parse through a
// ParseObserver.

/**
 * Options of {@link parseFilter}. Unknown options and a `maxNesting` that is not a whole number
 * are refused (a TypeError or RangeError), so that a typo cannot lift the limit unnoticed.
 *
 * @example
 * ```ts
 * import { parseFilter } from "crest-query";
 * parseFilter("((a pr))", { maxNesting: 1 }); // throws: at most 1 nested group
 * ```
 */
export interface ParseFilterOptions {
  /**
   * The most parenthesised groups that may nest: a whole number from 0 up. Default
   * {@link DEFAULT_MAX_NESTING} (63), like the server. Values above 200 are lowered to 200 so
   * that no input can exhaust the stack.
   */
  readonly maxNesting?: number;
}

const PARSE_OPTIONS = ["maxNesting"] as const;

/**
 * What a parse reports besides its result, for lint (internal). Each method is called when the
 * parser has read that part of the filter, in reading order.
 */
export interface ParseObserver {
  /** A word read as a field, and the pointer it gave. */
  field(token: IToken, field: Pointer): void;
  /** A word read as an extended (not core) operator. */
  extendedOperator(token: IToken): void;
  /** A word read as a keyword: and, or, pr, true, false, or a core operator. */
  keyword(token: IToken, name: string): void;
  /** A string literal. */
  string(token: IToken): void;
  /** A number literal, with a note when its form is unusual. */
  number(token: IToken, note: string | undefined): void;
}

const TRUE: Filter = Object.freeze({ type: "literal", value: true });
const FALSE: Filter = Object.freeze({ type: "literal", value: false });
const OPERATOR_NAME = /^[A-Za-z0-9_.]+$/;
// The core operators' names by token type index (an array lookup, not a map's).
const CORE_NAME_AT: readonly (string | undefined)[] = (() => {
  const names: (string | undefined)[] = [];
  for (const type of [Eq, Co, Sw, Lt, Le, Gt, Ge]) names[type.tokenTypeIdx as number] = keywordName(type);
  for (let i = 0; i < names.length; i++) names[i] ??= undefined;
  return names;
})();
const coreName = (type: TokenType): string | undefined => CORE_NAME_AT[type.tokenTypeIdx as number];
// Where a test of one comparison can be read without the grammar: what each of its three words
// may be. A `!` first is a negation to the grammar, so it is left out here.
const ONE_TEST_FIELD = new Set([Word, And, Or, Pr, Eq, Co, Sw, Lt, Le, Gt, Ge]);
const ONE_TEST_OPERATOR = new Set([Word, Not, And, Or, True, False, Eq, Co, Sw, Lt, Le, Gt, Ge]);
const ONE_TEST_VALUE = new Set([DoubleQuoted, SingleQuoted, Word, Not, And, Or, Pr, True, False, Eq, Co, Sw, Lt, Le, Gt, Ge]);

// The same sets as bits per token type index, for the flat reader's shape check.
const AS_FIELD = 1;
const AS_OPERATOR = 2;
const AS_VALUE = 4;
const PR_IDX = Pr.tokenTypeIdx as number;
const ROLES = new Uint8Array(Math.max(...[...ONE_TEST_FIELD, ...ONE_TEST_OPERATOR, ...ONE_TEST_VALUE].map((t) => t.tokenTypeIdx as number)) + 1);
for (const [set, bit] of [[ONE_TEST_FIELD, AS_FIELD], [ONE_TEST_OPERATOR, AS_OPERATOR], [ONE_TEST_VALUE, AS_VALUE]] as const) {
  for (const type of set) ROLES[type.tokenTypeIdx as number] = (ROLES[type.tokenTypeIdx as number] as number) | bit;
}

/** How many tokens the test at `at` takes (`field pr`: 2, `field op value`: 3), or 0 if none stands there. */
function testLength(tokens: readonly IToken[], at: number): number {
  const first = tokens[at];
  const second = tokens[at + 1];
  if (first === undefined || second === undefined || ((ROLES[first.tokenTypeIdx] ?? 0) & AS_FIELD) === 0) return 0;
  if (second.tokenTypeIdx === PR_IDX) return 2;
  const third = tokens[at + 2];
  return third !== undefined && ((ROLES[second.tokenTypeIdx] ?? 0) & AS_OPERATOR) !== 0 && ((ROLES[third.tokenTypeIdx] ?? 0) & AS_VALUE) !== 0 ? 3 : 0;
}

class FilterParser extends EmbeddedActionsParser {
  text = "";
  maxNesting = DEFAULT_MAX_NESTING;
  /** Offsets of the parentheses that are open, innermost last. */
  readonly groups: number[] = [];
  observer: ParseObserver | undefined = undefined;
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
      const or = this.CONSUME(Or);
      if (this.observer !== undefined) this.observer.keyword(or, "or");
      const next = this.SUBRULE2(this.andExpr);
      if (!this.RECORDING_PHASE) (operands ??= [first]).push(next);
    });
    return operands === undefined ? first : { type: "or", filters: operands };
  });

  private readonly andExpr = this.RULE("andExpr", (): Filter => {
    const first = this.SUBRULE(this.notExpr);
    let operands: Filter[] | undefined;
    this.MANY(() => {
      const and = this.CONSUME(And);
      if (this.observer !== undefined) this.observer.keyword(and, "and");
      const next = this.SUBRULE2(this.notExpr);
      if (!this.RECORDING_PHASE) (operands ??= [first]).push(next);
    });
    return operands === undefined ? first : { type: "and", filters: operands };
  });

  // `!` negates one primary, and only as a whole word: `!a` is a field (the lexer sees to that).
  // The primary (a group, true, false or a test) is read here, not in a rule of its own: one
  // rule call less for every test, which is most of what a parse costs.
  private readonly notExpr = this.RULE("notExpr", (): Filter => {
    const negated = this.OPTION(() => this.CONSUME(Not)) !== undefined;
    const operand = this.OR(this.primaryAlternatives);
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
    { ALT: (): Filter => (this.keyword(this.CONSUME(True), "true"), TRUE) },
    { ALT: (): Filter => (this.keyword(this.CONSUME(False), "false"), FALSE) },
    { ALT: (): Filter => this.SUBRULE(this.test) },
    {
      ALT: (): Filter => {
        const token = this.CONSUME(FilterSlot);
        return this.RECORDING_PHASE ? TRUE : (this.slotOf(token) as Filter);
      },
    },
  ];


  /** The field of the test being read: set before the operator alternatives run. */
  private testField: Pointer = [];

  private readonly testAlternatives = [
    { ALT: (): Filter => (this.keyword(this.CONSUME(Pr), "pr"), { type: "presence", field: this.testField }) },
    {
      ALT: (): Filter => {
        const field = this.testField;
        const operatorToken = this.CONSUME(OperatorWord);
        const operator = this.RECORDING_PHASE ? "" : this.operatorOf(operatorToken);
        const value = this.OR2(this.valueAlternatives);
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
    { ALT: (): FilterValue => (this.keyword(this.CONSUME(True), "true"), true) },
    { ALT: (): FilterValue => (this.keyword(this.CONSUME(False), "false"), false) },
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


  private keyword(token: IToken, name: string): void {
    if (this.observer !== undefined && !this.RECORDING_PHASE) this.observer.keyword(token, name);
  }

  private openGroup(open: IToken): void {
    this.groups.push(open.startOffset);
    if (this.groups.length > this.maxNesting) throw nestingError(this.text, open.startOffset, this.groups.length, this.maxNesting);
  }

  private slotOf(token: IToken): Filter | Pointer | FilterValue {
    const index = slotIndex(token);
    this.usedSlots.add(index);
    return this.slots?.[index] as Filter | Pointer | FilterValue;
  }

  private fieldOf(token: IToken): Pointer {
    if (token.tokenType === FieldSlot) return this.slotOf(token) as Pointer;
    const field = readPointer(token.image, this.text, token.startOffset);
    if (this.observer !== undefined) this.observer.field(token, field);
    return field;
  }

  private operatorOf(token: IToken): string {
    const core = coreName(token.tokenType);
    if (core !== undefined) {
      const name = core;
      if (this.observer !== undefined) this.observer.keyword(token, name);
      return name;
    }
    const name = token.image;
    if (!OPERATOR_NAME.test(name)) throw operatorError(this.text, token);
    if (this.observer !== undefined) this.observer.extendedOperator(token);
    return name;
  }

  private stringOf(token: IToken): string {
    if (this.observer !== undefined) this.observer.string(token);
    return unquote(token.image);
  }

  private numberOf(token: IToken): FilterValue {
    const reading = readNumber(token.image);
    if ("code" in reading) throw numberError(this.text, token, reading, this.field);
    if (this.observer !== undefined) this.observer.number(token, reading.note);
    return reading.value;
  }
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
export function parseFilter(text: string, options?: ParseFilterOptions): Filter {
  if (options === undefined && typeof text === "string") {
    // The filters that match everything or nothing, as callers most often send them.
    if (text === "true") return TRUE;
    if (text === "false") return FALSE;
    // A group is left to the grammar at once (a parenthesis inside a string costs only speed).
    const flat = text.includes("(") ? undefined : readFlatText(text);
    if (flat !== undefined) return flat;
  }
  return runParser(text, options, undefined, "parseFilter");
}

const isBreak = (c: number): boolean => c === 0x20 || c === 0x28 || c === 0x29;

/**
 * A filter of tests joined by `and`/`or`, each test `field pr` or `field op value` with a core
 * operator, read straight from the text in one pass, without tokens: the filter the tokenizer and
 * the flat reader give. Anything else (a group, `!`, a keyword as the field, an extended
 * operator, a value that is not a plain string, number, true or false, a lone surrogate, a field
 * or number that does not read) is left to them (undefined), and so is every error.
 */
function readFlatText(text: string): Filter | undefined {
  const n = text.length;
  let i = 0;
  let ors: Filter[] | undefined;
  let ands: Filter[] | undefined;
  let last: Filter | undefined;
  for (;;) {
    while (i < n && text.charCodeAt(i) === 0x20) i++;
    // The field: a word that is no keyword.
    const fieldStart = i;
    // (A lone surrogate in it makes readPointer refuse it.)
    for (; i < n && !isBreak(text.charCodeAt(i)); i++);
    const fieldEnd = i;
    const first = text.charCodeAt(fieldStart);
    if (i === n || fieldEnd === fieldStart || first === 0x22 || first === 0x27 || text.charCodeAt(i) !== 0x20 || wordType(text, fieldStart, fieldEnd) !== Word) return undefined;
    let field = plainPointer(text, fieldStart, fieldEnd);
    if (field === undefined) {
      try {
        field = readPointer(text.slice(fieldStart, fieldEnd), text, fieldStart);
      } catch {
        return undefined;
      }
    }
    while (i < n && text.charCodeAt(i) === 0x20) i++;
    // The operator: a core one, or pr.
    const operatorStart = i;
    for (; i < n && !isBreak(text.charCodeAt(i)); i++);
    if (i === operatorStart) return undefined;
    const operatorType = wordType(text, operatorStart, i);
    let test: Filter;
    if (operatorType === Pr) {
      test = { type: "presence", field };
    } else {
      const operator = coreName(operatorType);
      if (operator === undefined || i === n || text.charCodeAt(i) !== 0x20) return undefined;
      while (i < n && text.charCodeAt(i) === 0x20) i++;
      if (i === n) return undefined;
      // The value.
      const valueStart = i;
      const quote = text.charCodeAt(i);
      let value: FilterValue;
      if (quote === 0x22 || quote === 0x27) {
        let escaped = false;
        for (i++; i < n; i++) {
          const c = text.charCodeAt(i);
          if (c === quote) break;
          // Any surrogate, escaped or not, goes the long way (which refuses the lone ones).
          if (c >= 0xd800 && c <= 0xdfff) return undefined;
          if (c === 0x5c) {
            escaped = true;
            i++;
            const d = text.charCodeAt(i);
            if (d >= 0xd800 && d <= 0xdfff) return undefined;
          }
        }
        if (i >= n) return undefined;
        i++;
        value = escaped ? unquote(text.slice(valueStart, i)) : text.slice(valueStart + 1, i - 1);
      } else {
        // A word: true, false or a number (which holds no surrogate).
        for (; i < n && !isBreak(text.charCodeAt(i)); i++);
        const type = wordType(text, valueStart, i);
        if (type === True) value = true;
        else if (type === False) value = false;
        else if (type !== Word) return undefined;
        else {
          const reading = readNumber(text.slice(valueStart, i));
          if ("code" in reading) return undefined;
          value = reading.value;
        }
      }
      test = { type: "comparison", operator, field, value };
    }
    // After a test: the end, or a space, `and` or `or`, and a space.
    if (i < n && text.charCodeAt(i) !== 0x20) return undefined;
    while (i < n && text.charCodeAt(i) === 0x20) i++;
    let joiner: TokenType | undefined;
    if (i < n) {
      const joinStart = i;
      for (; i < n && !isBreak(text.charCodeAt(i)); i++);
      joiner = wordType(text, joinStart, i);
      if ((joiner !== And && joiner !== Or) || i === n || text.charCodeAt(i) !== 0x20) return undefined;
    }
    // `and` binds tighter than `or`, as in the grammar.
    if (last === undefined) last = test;
    else (ands ??= [last]).push(test);
    if (joiner !== And) {
      const conjunction: Filter = ands === undefined ? last : { type: "and", filters: ands };
      if (joiner === undefined) return ors === undefined ? conjunction : (ors.push(conjunction), { type: "or", filters: ors });
      (ors ??= []).push(conjunction);
      ands = undefined;
      last = undefined;
    }
  }
}

/**
 * Parse while an observer watches (internal: lint uses it). Throws as {@link parseFilter} does.
 */
export function parseObserved(text: string, options: ParseFilterOptions | undefined, observer: ParseObserver): Filter {
  return runParser(text, options, observer, "lintFilter");
}

/**
 * Parse the text of a `filter` template: `${0}`, `${1}`... stand for the interpolations, whose
 * kinds and converted values are given. Every interpolation must be placed as a whole token.
 */
export function parseTemplateText(
  text: string,
  kinds: readonly SlotKind[],
  values: readonly (Filter | Pointer | FilterValue)[],
  options?: ParseFilterOptions,
): Filter {
  parser.slots = values;
  parser.usedSlots.clear();
  try {
    const filter = runParser(text, options, undefined, "filter", kinds);
    const unused = kinds.findIndex((_, i) => !parser.usedSlots.has(i));
    if (unused !== -1) throw unusedSlotError(text, unused);
    return filter;
  } finally {
    parser.slots = undefined;
    parser.usedSlots.clear();
  }
}

/**
 * A filter of one literal, or of tests joined by `and` and `or` (no groups, no `!`), read straight
 * from its tokens: the same result, the same errors, without the grammar machinery (most filters
 * sent in practice have this shape). Anything else is left to the grammar (undefined).
 */
function readFlat(text: string, tokens: readonly IToken[]): Filter | undefined {
  const first = tokens[0] as IToken;
  if (tokens.length === 1) return first.tokenType === True ? TRUE : first.tokenType === False ? FALSE : undefined;
  // The shape first, from the token types alone: tests joined by `and`/`or`, nothing else.
  const n = tokens.length;
  let i = 0;
  for (;;) {
    const length = testLength(tokens, i);
    if (length === 0) return undefined;
    i += length;
    if (i === n) break;
    const joiner = (tokens[i] as IToken).tokenType;
    if ((joiner !== And && joiner !== Or) || i + 1 === n) return undefined;
    i++;
  }
  // Then the values, left to right, as the grammar would read them: `and` binds tighter.
  let ors: Filter[] | undefined;
  let ands: Filter[] | undefined;
  let last: Filter | undefined;
  for (i = 0; ; ) {
    // The shape is known good: a test is two tokens when `pr` follows its field, else three.
    const length = (tokens[i + 1] as IToken).tokenType === Pr ? 2 : 3;
    const test = flatTest(text, tokens, i, length);
    i += length;
    if (last === undefined) last = test;
    else (ands ??= [last]).push(test);
    const joiner = i === n ? undefined : (tokens[i] as IToken).tokenType;
    if (joiner !== And) {
      const conjunction: Filter = ands === undefined ? (last as Filter) : { type: "and", filters: ands };
      if (joiner === undefined) return ors === undefined ? conjunction : (ors.push(conjunction), { type: "or", filters: ors });
      (ors ??= []).push(conjunction);
      ands = undefined;
      last = undefined;
    }
    i++;
  }
}

/** One test of a flat filter, read as the grammar's `test` rule reads it (no observer, no slots). */
function flatTest(text: string, tokens: readonly IToken[], at: number, length: number): Filter {
  const fieldToken = tokens[at] as IToken;
  const field = readPointer(fieldToken.image, text, fieldToken.startOffset);
  if (length === 2) return { type: "presence", field };
  const operatorToken = tokens[at + 1] as IToken;
  let operator = coreName(operatorToken.tokenType);
  if (operator === undefined) {
    operator = operatorToken.image;
    if (!OPERATOR_NAME.test(operator)) throw operatorError(text, operatorToken);
  }
  const third = tokens[at + 2] as IToken;
  const type = third.tokenType;
  let value: FilterValue;
  if (type === True) value = true;
  else if (type === False) value = false;
  else if (type === DoubleQuoted || type === SingleQuoted) value = unquote(third.image);
  else {
    const reading = readNumber(third.image);
    if ("code" in reading) throw numberError(text, third, reading, fieldToken);
    value = reading.value;
  }
  return { type: "comparison", operator, field, value };
}

/** The text of a string literal: the quotes taken off, each `\x` read as `x`. */
function unquote(image: string): string {
  const body = image.slice(1, -1);
  return body.includes("\\") ? body.replace(/\\([\s\S])/g, "$1") : body;
}

function runParser(
  text: string,
  options: ParseFilterOptions | undefined,
  observer: ParseObserver | undefined,
  caller: string,
  slots?: readonly SlotKind[],
): Filter {
  if (typeof text !== "string") throw new TypeError(`A filter must be a string, got ${text === null ? "null" : typeof text}`);
  checkOptions(options, caller, PARSE_OPTIONS);
  const maxNesting = maxNestingOption(options?.maxNesting, caller);
  if (!isWellFormed(text)) throw loneSurrogateError(text, loneSurrogateAt(text));
  const lexed = tokenize(text, slots);
  if (lexed.unterminatedAt !== -1) throw unterminatedStringError(text, lexed.unterminatedAt);
  if (slots !== undefined) checkSlotsStandAlone(text, lexed.tokens);
  const tokens = lexed.tokens;
  if (observer === undefined && slots === undefined && tokens.length > 0) {
    const filter = readFlat(text, tokens);
    if (filter !== undefined) return filter;
  }
  parser.text = text;
  parser.maxNesting = maxNesting;
  if (parser.groups.length !== 0) parser.groups.length = 0;
  parser.observer = observer;
  try {
    parser.input = tokens;
    const filter = parser.filter();
    const error = parser.errors[0];
    if (error !== undefined) throw recognitionError(error, text, lexed.tokens, parser.groups, parser.field);
    return filter;
  } finally {
    parser.observer = undefined;
    parser.field = undefined;
    parser.text = "";
  }
}

// String.prototype.isWellFormed (ES2024) answers without a regular expression where it exists.
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
function isWellFormed(text: string): boolean {
  return nativeWellFormed === undefined ? loneSurrogateAt(text) === -1 : nativeWellFormed.call(text);
}

// An interpolation inside a string or glued to a word would be read as text: refuse it.
function checkSlotsStandAlone(text: string, tokens: readonly IToken[]): void {
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === FilterSlot || type === FieldSlot || type === ValueSlot) continue;
    const inside = /\$\{\d+\}/.exec(token.image);
    if (inside !== null) throw slotPlacementError(text, token, token.startOffset + inside.index, inside[0]);
  }
}

/** The grammar as Chevrotain records it, for the railroad diagrams in grammar/ (not public API). */
export function serializedGrammar(): ReturnType<FilterParser["getSerializedGastProductions"]> {
  return parser.getSerializedGastProductions();
}
