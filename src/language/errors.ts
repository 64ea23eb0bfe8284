import { brandClass } from "./brand.js";
/**
 * A place in a filter's text. `offset` counts UTF-16 code units from the start (what `String#slice`
 * takes); `line` and `column` are 1-based and count what a person sees: lines split at `\n`,
 * columns in Unicode code points.
 *
 * @example
 * ```ts
 * import { positionAt, type SourcePosition } from "crest-query";
 * const where: SourcePosition = positionAt("a pr and\nb", 10); // line 2, column 2
 * ```
 */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/**
 * Work out the line and column of an offset in a text.
 *
 * @example
 * ```ts
 * import { positionAt } from "crest-query";
 * positionAt("a pr and\nb pr", 9); // { offset: 9, line: 2, column: 1 }
 * ```
 */
export function positionAt(text: string, offset: number): SourcePosition {
  const at = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset: at, line, column: codePointLength(text, lineStart, at) + 1 };
}

function codePointLength(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    // A low surrogate that follows a high one belongs to the same code point.
    if (c >= 0xdc00 && c <= 0xdfff && i > from) {
      const p = text.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    n++;
  }
  return n;
}

const SNIPPET_WIDTH = 72;

/**
 * Render one line of a text with a caret line under `length` characters from `offset`, the way a
 * compiler shows an error. Control characters are shown as visible symbols (a tab as `␉`) so the
 * caret stays under the right character, and long lines are cut around the caret with `…`.
 *
 * @example
 * ```ts
 * import { renderCaret } from "crest-query";
 * console.log(renderCaret("/name eq", 8, 1));
 * // /name eq
 * //         ^
 * ```
 */
export function renderCaret(text: string, offset: number, length = 1): string {
  const at = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  let lineEnd = text.indexOf("\n", at);
  if (lineEnd === -1) lineEnd = text.length;
  const chars = Array.from(text.slice(lineStart, lineEnd), visible);
  const caretStart = codePointLength(text, lineStart, at);
  const caretLength = Math.max(1, Math.min(codePointLength(text, at, Math.min(at + length, lineEnd)), SNIPPET_WIDTH - 8));
  let from = 0;
  let to = chars.length;
  if (to > SNIPPET_WIDTH) {
    from = Math.max(0, Math.min(caretStart - Math.floor(SNIPPET_WIDTH / 3), to - SNIPPET_WIDTH));
    to = Math.min(to, from + SNIPPET_WIDTH);
  }
  const head = from > 0 ? "…" : "";
  const tail = to < chars.length ? "…" : "";
  const shown = head + chars.slice(from, to).join("") + tail;
  return `${shown}\n${" ".repeat(head.length + caretStart - from)}${"^".repeat(caretLength)}`;
}

function visible(ch: string): string {
  const c = ch.codePointAt(0) ?? 0;
  if (c < 0x20) return String.fromCodePoint(0x2400 + c);
  if (c === 0x7f) return "\u2421";
  if (c >= 0x80 && c <= 0x9f) return "\ufffd";
  return ch;
}

/**
 * Machine-readable kinds of {@link FilterSyntaxError}, for callers that react to some problems.
 *
 * @example
 * ```ts
 * import { checkFilter, type FilterSyntaxErrorCode } from "crest-query";
 * const result = checkFilter("");
 * const code: FilterSyntaxErrorCode | undefined = result.ok ? undefined : result.error.code; // "empty-filter"
 * ```
 */
export type FilterSyntaxErrorCode =
  | "empty-filter"
  | "unexpected-token"
  | "unexpected-end"
  | "unterminated-string"
  | "invalid-field"
  | "invalid-operator"
  | "invalid-value"
  | "invalid-number"
  | "number-out-of-range"
  | "unbalanced-parenthesis"
  | "nesting-too-deep"
  | "invalid-text"
  | "invalid-encoding";

/**
 * What a {@link FilterSyntaxError} is built from: for code that reads other text (a pointer, a
 * parameter) and wants to report problems the same way.
 *
 * @example
 * ```ts
 * import { FilterSyntaxError } from "crest-query";
 * const error = new FilterSyntaxError({
 *   input: "a eq", offset: 4, code: "unexpected-end", problem: "Missing value",
 *   found: "end of input", expected: ["a value"],
 * });
 * error.column; // 5
 * ```
 */
export interface FilterSyntaxErrorDetails {
  /** The whole text that was being read. */
  readonly input: string;
  /** Where the problem starts (UTF-16 offset into `input`). */
  readonly offset: number;
  /** How many UTF-16 units the problem spans (at least 1 in the caret rendering). */
  readonly length?: number;
  readonly code: FilterSyntaxErrorCode;
  /** The problem in one sentence, without position (the position is appended). */
  readonly problem: string;
  /** What was found, as a person reads it: `"xyz"`, `end of input`. */
  readonly found: string;
  /** What would have been right at that place. */
  readonly expected: readonly string[];
  /** A suggestion, when there is a likely fix. */
  readonly hint?: string;
}

/**
 * The one error every reader in this library throws for text it cannot accept: filters, pointers,
 * numbers and `_queryFilter` encodings. It says what was wrong (`message`, `code`), where
 * (`offset`, `line`, `column`), what was `found` and what was `expected`, and renders a caret
 * under the input (`caret`).
 *
 * @example
 * ```ts
 * import { parseFilter, FilterSyntaxError } from "crest-query";
 * try {
 *   parseFilter('/name eq');
 * } catch (e) {
 *   if (e instanceof FilterSyntaxError) {
 *     console.log(e.message); // Missing value after operator "eq" at line 1, column 9 ...
 *     console.log(e.caret);
 *   }
 * }
 * ```
 */
export class FilterSyntaxError extends Error {
  override readonly name = "FilterSyntaxError";
  readonly code: FilterSyntaxErrorCode;
  /** The text that was read. */
  readonly input: string;
  readonly offset: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
  readonly found: string;
  readonly expected: readonly string[];
  readonly hint: string | undefined;
  /** The problem without its position. */
  readonly problem: string;

  constructor(details: FilterSyntaxErrorDetails) {
    const position = positionAt(details.input, details.offset);
    const hint = details.hint === undefined ? "" : ` Hint: ${details.hint}`;
    super(`${details.problem} at line ${position.line}, column ${position.column}.${hint}`);
    this.code = details.code;
    this.input = details.input;
    this.offset = position.offset;
    this.length = Math.max(0, details.length ?? 1);
    this.line = position.line;
    this.column = position.column;
    this.found = details.found;
    this.expected = details.expected;
    this.hint = details.hint;
    this.problem = details.problem;
  }

  /** The input's line with a caret under the problem. */
  get caret(): string {
    return renderCaret(this.input, this.offset, this.length);
  }

  /** Message, then the caret rendering: what a command line prints. */
  format(): string {
    return `${this.message}\n${this.caret}`;
  }
}

/** Describe a piece of text for a message: quoted, shortened, control characters escaped (internal). */
export function describeText(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

brandClass(FilterSyntaxError, "FilterSyntaxError");
