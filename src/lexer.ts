import { createToken, Lexer, type TokenType } from "chevrotain";

// The server's tokenizer: only U+0020 separates tokens; `(` and `)` stand alone; a quote at the
// start of a token opens a string that runs to the next unescaped quote of the same kind; anything
// else is a word up to the next space or parenthesis. Keywords are words with a fixed spelling (any
// case), and which of them are keywords depends on where they stand, so they are expressed as
// token categories rather than reserved words:
//   PlainWord    - a word that can be a field or a number: every word but `true` and `false`
//   OperatorWord - a word that can stand in operator position: every word but `pr`

/** Every word except `true`/`false`: fields and numbers. */
export const PlainWord = createToken({ name: "PlainWord", pattern: Lexer.NA, label: "a field" });
/** Every word except `pr`: core and extended operators. */
export const OperatorWord = createToken({ name: "OperatorWord", pattern: Lexer.NA, label: "an operator" });
/** A string literal in either kind of quotes. */
export const Quoted = createToken({ name: "Quoted", pattern: Lexer.NA, label: "a string" });

// A word starts with anything but a space, a parenthesis or a quote. The first-character
// optimisation cannot analyse a complement set, so the start characters are listed: every code
// below 256 but those five, and one code from each bucket Chevrotain keeps for higher codes.
const WORD_START_CHARS: number[] = [];
for (let code = 0; code < 256; code++) {
  if (code !== 0x20 && code !== 0x28 && code !== 0x29 && code !== 0x22 && code !== 0x27) WORD_START_CHARS.push(code);
}
for (let code = 256; code < 65536; code += 255) WORD_START_CHARS.push(code);
WORD_START_CHARS.push(65535);

/** Any other word. */
export const Word = createToken({
  name: "Word",
  pattern: /[^ ()"'][^ ()]*/,
  start_chars_hint: WORD_START_CHARS,
  line_breaks: true,
  categories: [PlainWord, OperatorWord],
  label: "a word",
});

function keyword(name: string, text: string, categories: TokenType[]): TokenType {
  return createToken({
    name,
    pattern: new RegExp(text.replace(/[!]/g, "\\$&"), "i"),
    longer_alt: Word,
    categories,
    label: `'${text}'`,
  });
}

export const Spaces = createToken({ name: "Spaces", pattern: / +/, group: Lexer.SKIPPED });
export const LParen = createToken({ name: "LParen", pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: /\)/, label: "')'" });
export const DoubleQuoted = createToken({
  name: "DoubleQuoted",
  pattern: /"(?:[^"\\]|\\[\s\S])*"/,
  line_breaks: true,
  categories: [Quoted],
  label: "a string",
});
export const SingleQuoted = createToken({
  name: "SingleQuoted",
  pattern: /'(?:[^'\\]|\\[\s\S])*'/,
  line_breaks: true,
  categories: [Quoted],
  label: "a string",
});
export const Not = keyword("Not", "!", [PlainWord, OperatorWord]);
export const And = keyword("And", "and", [PlainWord, OperatorWord]);
export const Or = keyword("Or", "or", [PlainWord, OperatorWord]);
export const Pr = keyword("Pr", "pr", [PlainWord]);
export const True = keyword("True", "true", [OperatorWord]);
export const False = keyword("False", "false", [OperatorWord]);
export const Eq = keyword("Eq", "eq", [PlainWord, OperatorWord]);
export const Co = keyword("Co", "co", [PlainWord, OperatorWord]);
export const Sw = keyword("Sw", "sw", [PlainWord, OperatorWord]);
export const Lt = keyword("Lt", "lt", [PlainWord, OperatorWord]);
export const Le = keyword("Le", "le", [PlainWord, OperatorWord]);
export const Gt = keyword("Gt", "gt", [PlainWord, OperatorWord]);
export const Ge = keyword("Ge", "ge", [PlainWord, OperatorWord]);

/** All token types, in matching order (keywords before the generic word). */
export const allTokens: TokenType[] = [
  Spaces,
  LParen,
  RParen,
  DoubleQuoted,
  SingleQuoted,
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
  Word,
  PlainWord,
  OperatorWord,
  Quoted,
];

/** The one lexer instance. Positions are offsets only; lines and columns are worked out on error. */
export const filterLexer = new Lexer(allTokens, {
  positionTracking: "onlyOffset",
  ensureOptimizations: true,
  skipValidations: false,
});
