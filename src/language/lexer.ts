import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";

// The server's tokenizer, written by hand as one pass over the character codes; it emits the
// Chevrotain tokens that the grammar in parser.ts reads. Only U+0020 separates tokens; `(` and `)` stand alone; a quote at the
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

/** Any other word. */
export const Word = createToken({ name: "Word", pattern: Lexer.NA, categories: [FieldWord, NumberWord, OperatorWord], label: "a word" });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const DoubleQuoted = createToken({ name: "DoubleQuoted", pattern: Lexer.NA, categories: [Quoted], label: "a string" });
export const SingleQuoted = createToken({ name: "SingleQuoted", pattern: Lexer.NA, categories: [Quoted], label: "a string" });

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

/** All token types, for the parser's vocabulary. */
export const allTokens: TokenType[] = [
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

// Compared only with lower-case letters, so an ASCII code can be folded by setting one bit.
function fold(code: number): number {
  return code < 0x80 ? code | 0x20 : keywordLetter(code);
}

/** The keyword the word at text[start, end) spells, folding case as the server does, or Word. */
export function wordType(text: string, start: number, end: number): TokenType {
  const length = end - start;
  if (length === 1) return text.charCodeAt(start) === 0x21 ? Not : Word;
  if (length > 5) return Word;
  const a = fold(text.charCodeAt(start));
  const b = fold(text.charCodeAt(start + 1));
  switch (length) {
    case 2:
      switch (a) {
        case 0x6f: // o
          return b === 0x72 ? Or : Word;
        case 0x70: // p
          return b === 0x72 ? Pr : Word;
        case 0x65: // e
          return b === 0x71 ? Eq : Word;
        case 0x63: // c
          return b === 0x6f ? Co : Word;
        case 0x73: // s
          return b === 0x77 ? Sw : Word;
        case 0x6c: // l
          return b === 0x74 ? Lt : b === 0x65 ? Le : Word;
        case 0x67: // g
          return b === 0x74 ? Gt : b === 0x65 ? Ge : Word;
        default:
          return Word;
      }
    case 3:
      return a === 0x61 && b === 0x6e && fold(text.charCodeAt(start + 2)) === 0x64 ? And : Word;
    case 4:
      return a === 0x74 && b === 0x72 && fold(text.charCodeAt(start + 2)) === 0x75 && fold(text.charCodeAt(start + 3)) === 0x65 ? True : Word;
    default:
      return a === 0x66 && b === 0x61 && fold(text.charCodeAt(start + 2)) === 0x6c && fold(text.charCodeAt(start + 3)) === 0x73 &&
        fold(text.charCodeAt(start + 4)) === 0x65
        ? False
        : Word;
  }
}

/** The keyword a word spells, folding case as Java's equalsIgnoreCase does, or undefined. */
export function keywordOf(word: string): TokenType | undefined {
  const type = word.length === 0 ? Word : wordType(word, 0, word.length);
  return type === Word ? undefined : type;
}

/** A token as the grammar reads it. One class, so that every token has the same shape. */
class Token implements IToken {
  constructor(
    public image: string,
    public startOffset: number,
    public tokenType: TokenType,
    public tokenTypeIdx: number,
  ) {}
}

const LPAREN_IDX = LParen.tokenTypeIdx as number;
const RPAREN_IDX = RParen.tokenTypeIdx as number;

/** What {@link tokenize} gives: the tokens, or where a string that never closes starts. */
export interface Lexed {
  readonly tokens: IToken[];
  /** Offset of the quote of an unterminated string, or -1. */
  readonly unterminatedAt: number;
}

/**
 * Tokenize a filter in one pass: words get their keyword type from their character codes (and
 * slots theirs, in a template). Fails only at a quote whose string never closes; every other
 * character starts or continues a word.
 */
export function tokenize(text: string, slots?: readonly SlotKind[]): Lexed {
  const tokens: IToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20) {
      i++;
    } else if (c === 0x28) {
      tokens.push(new Token("(", i, LParen, LPAREN_IDX));
      i++;
    } else if (c === 0x29) {
      tokens.push(new Token(")", i, RParen, RPAREN_IDX));
      i++;
    } else if (c === 0x22 || c === 0x27) {
      let end = i + 1;
      for (; end < n; end++) {
        const d = text.charCodeAt(end);
        if (d === c) break;
        if (d === 0x5c /* \ */) end++;
      }
      if (end >= n) return { tokens, unterminatedAt: i };
      const type = c === 0x22 ? DoubleQuoted : SingleQuoted;
      tokens.push(new Token(text.slice(i, end + 1), i, type, type.tokenTypeIdx as number));
      i = end + 1;
    } else {
      let end = i + 1;
      for (; end < n; end++) {
        const d = text.charCodeAt(end);
        if (d === 0x20 || d === 0x28 || d === 0x29) break;
      }
      const image = text.slice(i, end);
      let type = wordType(text, i, end);
      if (slots !== undefined && c === 0x24 /* $ */) type = slotType(image, slots) ?? type;
      tokens.push(new Token(image, i, type, type.tokenTypeIdx as number));
      i = end;
    }
  }
  return { tokens, unterminatedAt: -1 };
}

/** The index of an interpolation that a slot token stands for. */
export function slotIndex(token: IToken): number {
  return Number(SLOT.exec(token.image)?.[1] ?? -1);
}

function slotType(image: string, slots: readonly SlotKind[]): TokenType | undefined {
  const index = SLOT.exec(image)?.[1];
  const kind = index === undefined ? undefined : slots[Number(index)];
  return kind === undefined ? undefined : SLOT_TYPES[kind];
}
