import type { IToken } from "chevrotain";
import type { Filter, Pointer } from "./ast.js";
import { describeText, FilterSyntaxError } from "./errors.js";
import { parseObserved, type ParseFilterOptions, type ParseObserver } from "./parser.js";

/**
 * Kinds of {@link FilterWarning}:
 * - `json-escape`: `\n`, `\t`, `\u0041`... in a string, which the server reads as plain letters;
 * - `bang-field`: a field starting with `!` (`!a pr`), which is a field name, not a negation;
 * - `suspicious-operator`: an extended operator that looks like a typo of a core one or an operator
 *   of another language (`eqq`, `ne`, `like`...);
 * - `endpoint-operator`: an extended operator that only some endpoints implement (`ew` and `ca` on
 *   connector endpoints), worded as a question;
 * - `keyword-spelling`: a keyword spelt with a non-ASCII letter that the server folds to an ASCII
 *   one (`falſe`, `ſw`), which works but is surely not what was meant;
 * - `whitespace`: a tab or line break where a space was probably meant;
 * - `number-syntax`: a number in Java-only syntax (`1.5f`, `0x1.8p1`, Unicode digits);
 * - `invalid-utf8`: a field whose percent-encoded bytes are not UTF-8.
 *
 * @example
 * ```ts
 * import { lintFilter, type FilterWarningCode } from "crest-query";
 * const codes: FilterWarningCode[] = lintFilter("!a pr").map((w) => w.code); // ["bang-field"]
 * ```
 */
export type FilterWarningCode =
  | "json-escape"
  | "bang-field"
  | "suspicious-operator"
  | "endpoint-operator"
  | "keyword-spelling"
  | "whitespace"
  | "number-syntax"
  | "invalid-utf8";

/**
 * Something in a valid filter that probably does not mean what its author meant.
 *
 * @example
 * ```ts
 * import { lintFilter, type FilterWarning } from "crest-query";
 * const [w]: FilterWarning[] = lintFilter('/name eq "a\\nb"');
 * w?.code; // "json-escape"
 * ```
 */
export interface FilterWarning {
  readonly code: FilterWarningCode;
  readonly message: string;
  /** UTF-16 offset of the suspicious text. */
  readonly offset: number;
  readonly length: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in code points. */
  readonly column: number;
}

/**
 * The warnings for a filter that parses: JSON-style escapes, fields starting with `!`, operators
 * that look like typos or come from other languages, stray tabs and newlines, Java-only number
 * syntax. An empty array means nothing looks wrong.
 *
 * @throws {@link FilterSyntaxError} when the filter does not parse at all.
 *
 * @example
 * ```ts
 * import { lintFilter } from "crest-query";
 * lintFilter("/mail ne 'x'").map((w) => w.code); // ["suspicious-operator"]
 * lintFilter("/mail eq 'x'");                    // []
 * ```
 */
export function lintFilter(text: string, options?: ParseFilterOptions): FilterWarning[] {
  return lint(text, options).warnings;
}

/**
 * The outcome of {@link checkFilter}: the filter and its warnings, or the error.
 *
 * @example
 * ```ts
 * import { checkFilter, type FilterCheck } from "crest-query";
 * const result: FilterCheck = checkFilter("/mail pr");
 * if (result.ok) console.log(result.warnings.length); // 0
 * ```
 */
export type FilterCheck =
  | { readonly ok: true; readonly filter: Filter; readonly warnings: readonly FilterWarning[] }
  | { readonly ok: false; readonly error: FilterSyntaxError };

/**
 * Parse and lint in one go, without throwing: what an editor, a form or a REPL wants.
 *
 * @example
 * ```ts
 * import { checkFilter } from "crest-query";
 * const result = checkFilter("/name eq");
 * if (!result.ok) console.log(result.error.format());
 * ```
 */
export function checkFilter(text: string, options?: ParseFilterOptions): FilterCheck {
  try {
    const { filter, warnings } = lint(text, options);
    return { ok: true, filter, warnings };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error };
    throw error;
  }
}

// The rules. Each watches one kind of token as the parser reads it and notes what looks wrong;
// line and column are worked out at the end in one pass over the text, so that lint costs the
// same whatever the number of warnings.

interface Hit {
  readonly code: FilterWarningCode;
  readonly message: string;
  readonly offset: number;
  readonly length: number;
}

const JSON_ESCAPE_LETTERS = "ntrbfu/";
const ESCAPE = /\\([\s\S])/g;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;

// Operators from other filter languages, and what to write instead.
const FOREIGN_OPERATORS: Readonly<Record<string, string>> = {
  ne: "negate an eq: !(/field eq value)",
  neq: "negate an eq: !(/field eq value)",
  not: "negation is written '!' before a group: !(/field eq value)",
  nin: "negate an in, or an or of eq tests",
  like: "use sw (starts with) or co (contains)",
  ilike: "use sw or co, which ignore case",
  contains: "use co",
  startswith: "use sw",
  endswith: "use co, or ew where the endpoint implements it",
  equals: "use eq",
  lte: "use le",
  gte: "use ge",
  and: "a value was probably missing before 'and'",
  or: "a value was probably missing before 'or'",
  true: "a value was probably missing before 'true'",
  false: "a value was probably missing before 'false'",
};
// Real operators on some endpoints only: lint asks rather than warns. (`in`, IDM's list
// membership, is real on managed objects and is not flagged at all.)
const ENDPOINT_OPERATORS: Readonly<Record<string, string>> = {
  ew: "ends with",
  ca: "contains all",
};
const REAL_OPERATORS = new Set(["in", "ew", "ca"]);
const NEAR_OPERATORS = ["eq", "co", "sw", "lt", "le", "gt", "ge", "pr"];
const LETTER_NAMES: Readonly<Record<number, string>> = {
  0x17f: "U+017F LATIN SMALL LETTER LONG S",
  0x131: "U+0131 LATIN SMALL LETTER DOTLESS I",
  0x130: "U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE",
  0x212a: "U+212A KELVIN SIGN",
};

class LintRules implements ParseObserver {
  readonly hits: Hit[] = [];

  field(token: IToken, field: Pointer): void {
    const image = token.image;
    if (image.startsWith("!")) {
      this.hit(token.startOffset, image.length, "bang-field",
        `Field ${describeText(image)} starts with "!": the server reads a field of that name, not a negation; write "! (${describeText(image.slice(1)).slice(1, -1)} ...)" to negate`);
    }
    if (image.includes("%") && !image.includes("\ufffd") && field.some((s) => s.includes("\ufffd"))) {
      this.hit(token.startOffset, image.length, "invalid-utf8",
        `Field ${describeText(image)} percent-encodes bytes that are not UTF-8; the server reads them as U+FFFD`);
    }
  }

  extendedOperator(token: IToken): void {
    const name = token.image;
    const lower = name.toLowerCase();
    const endpoint = ENDPOINT_OPERATORS[lower];
    if (endpoint !== undefined) {
      this.hit(token.startOffset, name.length, "endpoint-operator",
        `Is this filter for a connector endpoint (/openidm/system/...)? ${describeText(name)} (${endpoint}) is implemented there; other endpoints reject it`);
      return;
    }
    if (REAL_OPERATORS.has(lower)) return;
    const foreign = FOREIGN_OPERATORS[lower];
    const near = lower.length <= 4 ? NEAR_OPERATORS.find((op) => editDistance(lower, op) === 1) : undefined;
    if (foreign !== undefined || near !== undefined) {
      this.hit(token.startOffset, name.length, "suspicious-operator",
        `${describeText(name)} is read as an extended operator, which servers reject unless they implement it: ${foreign ?? `did you mean ${near}?`}`);
    }
  }

  keyword(token: IToken, name: string): void {
    const image = token.image;
    for (let i = 0; i < image.length; i++) {
      const code = image.charCodeAt(i);
      if (code < 0x80) continue;
      const letter = LETTER_NAMES[code] ?? `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
      this.hit(token.startOffset, image.length, "keyword-spelling",
        `${describeText(image)} is read as the keyword ${name}: the server matches "${image[i] as string}" (${letter}) to an ASCII letter when it ignores case; write ${name}`);
      return;
    }
  }

  string(token: IToken): void {
    const body = token.image.slice(1, -1);
    if (body.includes("\\")) {
      for (const m of body.matchAll(ESCAPE)) {
        const letter = m[1] as string;
        if (!JSON_ESCAPE_LETTERS.includes(letter)) continue;
        this.hit(token.startOffset + 1 + (m.index ?? 0), 2, "json-escape",
          `"\\${letter}" in a string is the character "${letter}" to the server, which applies no JSON escapes; write the character itself`);
      }
    }
    const control = LINE_BREAK_OR_TAB.exec(body);
    if (control !== null) {
      this.hit(token.startOffset + 1 + control.index, 1, "whitespace",
        "The string holds a tab or line break; if it came from copying, a space was probably meant");
    }
  }

  number(token: IToken, note: string | undefined): void {
    if (note === undefined) return;
    this.hit(token.startOffset, token.image.length, LINE_BREAK_OR_TAB.test(token.image) ? "whitespace" : "number-syntax", note);
  }

  private hit(offset: number, length: number, code: FilterWarningCode, message: string): void {
    this.hits.push({ code, message, offset, length });
  }
}

function lint(text: string, options: ParseFilterOptions | undefined): { filter: Filter; warnings: FilterWarning[] } {
  const rules = new LintRules();
  const filter = parseObserved(text, options, rules);
  return { filter, warnings: place(text, rules.hits) };
}

// Line and column of every hit, in one pass over the text (in order of offset), keeping the
// order in which the hits were found.
function place(text: string, hits: readonly Hit[]): FilterWarning[] {
  const order = hits.map((_, i) => i).sort((a, b) => (hits[a] as Hit).offset - (hits[b] as Hit).offset || a - b);
  const placed: FilterWarning[] = new Array<FilterWarning>(hits.length);
  let line = 1;
  let column = 1;
  let lineStart = 0;
  let at = 0;
  for (const index of order) {
    const hit = hits[index] as Hit;
    for (; at < hit.offset; at++) {
      const c = text.charCodeAt(at);
      if (c === 0x0a) {
        line++;
        column = 1;
        lineStart = at + 1;
      } else if (!(c >= 0xdc00 && c <= 0xdfff && at > lineStart && (text.charCodeAt(at - 1) & 0xfc00) === 0xd800)) {
        column++;
      }
    }
    placed[index] = { code: hit.code, message: hit.message, offset: hit.offset, length: hit.length, line, column };
  }
  return placed;
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
