import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

// The server's tokenizer: only U+0020 separates tokens; `(` and `)` stand alone; a quote at the
// start of a token opens a string that runs to the next unescaped quote of the same kind; anything
// else is a word up to the next space or parenthesis.
//
// Keywords are words with a fixed spelling (any case), and which of them are keywords depends on
// where they stand ("and eq 1" compares a field named "and"). So the lexer reads words, and the
// keyword table below gives a word its keyword type after lexing; token categories say where each
// may stand:
//   FieldWord    - can be a field: every word but `true` and `false`
//   NumberWord   - can be a number: the same words (a category of its own, for its label)
//   OperatorWord - can stand in operator position: every word but `pr`

/** Every word except `true`/`false`, where a field stands. */
export const FieldWord = createToken({ name: "FieldWord", pattern: Lexer.NA, label: "a field" });
/** Every word except `true`/`false`, where a number stands. */
export const NumberWord = createToken({ name: "NumberWord", pattern: Lexer.NA, label: "a number" });
/** Every word except `pr`: core and extended operators. */
export const OperatorWord = createToken({ name: "OperatorWord", pattern: Lexer.NA, label: "an operator" });
/** A string literal in either kind of quotes. */
export const Quoted = createToken({ name: "Quoted", pattern: Lexer.NA, label: "a string" });

// A word starts with anything but a space, a parenthesis or a quote. The first-character
// optimisation cannot analyse a custom pattern, so its start characters are listed: every code
// below 256 but those five, and one code from each bucket Chevrotain keeps for higher codes.
const WORD_START_CHARS: number[] = [];
for (let code = 0; code < 256; code++) {
  if (code !== 0x20 && code !== 0x28 && code !== 0x29 && code !== 0x22 && code !== 0x27) WORD_START_CHARS.push(code);
}
for (let code = 256; code < 65536; code += 255) WORD_START_CHARS.push(code);
WORD_START_CHARS.push(65535);

// A character loop is faster here than the equivalent regular expression /[^ ()"'][^ ()]*/y.
function matchWord(text: string, offset: number): RegExpExecArray | null {
  const first = text.charCodeAt(offset);
  if (first === 0x22 || first === 0x27) return null;
  let end = offset;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c === 0x20 || c === 0x28 || c === 0x29) break;
  }
  return end === offset ? null : ([text.slice(offset, end)] as unknown as RegExpExecArray);
}

/** Any other word. */
export const Word = createToken({
  name: "Word",
  pattern: { exec: matchWord },
  start_chars_hint: WORD_START_CHARS,
  line_breaks: true,
  categories: [FieldWord, NumberWord, OperatorWord],
  label: "a word",
});

export const Spaces = createToken({ name: "Spaces", pattern: / +/, group: Lexer.SKIPPED });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
// Strings are matched by a character loop too: a regular expression such as
// /"(?:[^"\\]|\\[\s\S])*"/ recurses once per character in V8 and overflows the stack on a
// string of a few megabytes.
function quotedMatcher(quote: number): (text: string, offset: number) => RegExpExecArray | null {
  return (text, offset) => {
    if (text.charCodeAt(offset) !== quote) return null;
    for (let i = offset + 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === quote) return [text.slice(offset, i + 1)] as unknown as RegExpExecArray;
      if (c === 0x5c /* \\ */) i++;
    }
    return null;
  };
}

export const DoubleQuoted = createToken({
  name: "DoubleQuoted",
  pattern: { exec: quotedMatcher(0x22) },
  start_chars_hint: ['"'],
  line_breaks: true,
  categories: [Quoted],
  label: "a string",
});
export const SingleQuoted = createToken({
  name: "SingleQuoted",
  pattern: { exec: quotedMatcher(0x27) },
  start_chars_hint: ["'"],
  line_breaks: true,
  categories: [Quoted],
  label: "a string",
});

function keyword(name: string, text: string, categories: TokenType[]): TokenType {
  return createToken({ name, pattern: Lexer.NA, categories, label: `'${text}'` });
}

export const Not = keyword("Not", "!", [FieldWord, NumberWord, OperatorWord]);
export const And = keyword("And", "and", [FieldWord, NumberWord, OperatorWord]);
export const Or = keyword("Or", "or", [FieldWord, NumberWord, OperatorWord]);
export const Pr = keyword("Pr", "pr", [FieldWord, NumberWord]);
export const True = keyword("True", "true", [OperatorWord]);
export const False = keyword("False", "false", [OperatorWord]);
export const Eq = keyword("Eq", "eq", [FieldWord, NumberWord, OperatorWord]);
export const Co = keyword("Co", "co", [FieldWord, NumberWord, OperatorWord]);
export const Sw = keyword("Sw", "sw", [FieldWord, NumberWord, OperatorWord]);
export const Lt = keyword("Lt", "lt", [FieldWord, NumberWord, OperatorWord]);
export const Le = keyword("Le", "le", [FieldWord, NumberWord, OperatorWord]);
export const Gt = keyword("Gt", "gt", [FieldWord, NumberWord, OperatorWord]);
export const Ge = keyword("Ge", "ge", [FieldWord, NumberWord, OperatorWord]);

// Interpolations of the `filter` template tag stand in the text as `${0}`, `${1}`...; the lexer
// turns them into slot tokens by what was interpolated. They exist only while a template is read.
/** An interpolated filter, standing where a filter can. */
export const FilterSlot = createToken({ name: "FilterSlot", pattern: Lexer.NA, label: "an interpolated filter" });
/** An interpolated field, standing where a field can. */
export const FieldSlot = createToken({ name: "FieldSlot", pattern: Lexer.NA, categories: [FieldWord], label: "an interpolated field" });
/** An interpolated value, standing where a value can. */
export const ValueSlot = createToken({ name: "ValueSlot", pattern: Lexer.NA, label: "an interpolated value" });

/** What each interpolation of a template is. */
export type SlotKind = "filter" | "field" | "value";
const SLOT_TYPES: Readonly<Record<SlotKind, TokenType>> = { filter: FilterSlot, field: FieldSlot, value: ValueSlot };
const SLOT = /^\$\{(\d+)\}$/;

/** Words that are keywords, by their lower-case spelling. */
const KEYWORDS: ReadonlyMap<string, TokenType> = new Map(
  [Not, And, Or, Pr, True, False, Eq, Co, Sw, Lt, Le, Gt, Ge].map((t) => [keywordName(t), t]),
);

/** The lower-case spelling of a keyword token type (`and`, `eq`, `!`). */
export function keywordName(type: TokenType): string {
  return (type.LABEL ?? "").slice(1, -1);
}

/**
 * The ASCII letter a character matches in Java's `String.equalsIgnoreCase`, which the server uses
 * for keywords: a character matches a letter when it is that letter, or their upper cases are
 * equal, or the lower cases of their upper cases are. Besides the ASCII letters themselves, four
 * characters qualify: U+017F ſ (upper case S), U+0131 ı (upper case I), U+0130 İ (lower case i)
 * and U+212A, the Kelvin sign (lower case k). Returns the lower-case code, or -1.
 */
export function keywordLetter(code: number): number {
  if (code < 0x80) {
    const lower = code | 0x20;
    return lower >= 0x61 && lower <= 0x7a ? lower : -1;
  }
  switch (code) {
    case 0x17f:
      return 0x73; // s
    case 0x131:
    case 0x130:
      return 0x69; // i
    case 0x212a:
      return 0x6b; // k
    default:
      return -1;
  }
}

/** The keyword a word spells, folding case as Java's equalsIgnoreCase does, or undefined. */
export function keywordOf(word: string): TokenType | undefined {
  if (word === "!") return Not;
  if (word.length < 2 || word.length > 5) return undefined;
  let folded = "";
  for (let i = 0; i < word.length; i++) {
    const letter = keywordLetter(word.charCodeAt(i));
    if (letter === -1) return undefined;
    folded += String.fromCharCode(letter);
  }
  return KEYWORDS.get(folded);
}

/** All token types: the ones the lexer matches, in matching order, then keywords and categories. */
export const allTokens: TokenType[] = [
  Spaces,
  LParen,
  RParen,
  DoubleQuoted,
  SingleQuoted,
  Word,
  Not,
  And,
  Or,
  Pr,
  True,
  False,
  Eq,
  Co,
  Sw,
  Lt,
  Le,
  Gt,
  Ge,
  FilterSlot,
  FieldSlot,
  ValueSlot,
  FieldWord,
  NumberWord,
  OperatorWord,
  Quoted,
];

/** The one lexer instance. Positions are offsets only; lines and columns are worked out on error. */
const lexer = new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: true });

/** Tokenize a filter and give keyword words their keyword type (and slots theirs, in a template). */
export function tokenize(text: string, slots?: readonly SlotKind[]): ReturnType<Lexer["tokenize"]> {
  const result = lexer.tokenize(text);
  for (const token of result.tokens) if (token.tokenType === Word) classify(token, slots);
  return result;
}

/** The index of an interpolation that a slot token stands for. */
export function slotIndex(token: IToken): number {
  return Number(SLOT.exec(token.image)?.[1] ?? -1);
}

function retype(token: IToken, type: TokenType): void {
  token.tokenType = type;
  token.tokenTypeIdx = type.tokenTypeIdx as number;
}

function classify(token: IToken, slots: readonly SlotKind[] | undefined): void {
  const image = token.image;
  if (slots !== undefined && image.startsWith("${")) {
    const kind = slots[slotIndex(token)];
    if (kind !== undefined) retype(token, SLOT_TYPES[kind]);
    return;
  }
  const keyword = keywordOf(image);
  if (keyword !== undefined) retype(token, keyword);
}
