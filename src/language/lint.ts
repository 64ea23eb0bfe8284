import type { Filter } from "./ast.js";
import { FilterSyntaxError } from "./errors.js";
import { parseFilterWithWarnings, type ParseFilterOptions } from "./parser.js";

/**
 * Kinds of {@link FilterWarning}:
 * - `json-escape`: `\n`, `\t`, `\u0041`... in a string, which the server reads as plain letters;
 * - `bang-field`: a field starting with `!` (`!a pr`), which is a field name, not a negation;
 * - `suspicious-operator`: an extended operator that looks like a typo of a core one or an operator
 *   of another language (`eqq`, `ne`, `in`, `like`...);
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
export function lintFilter(text: string, options: ParseFilterOptions = {}): FilterWarning[] {
  return parseFilterWithWarnings(text, options).warnings;
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
export function checkFilter(text: string, options: ParseFilterOptions = {}): FilterCheck {
  try {
    const { filter, warnings } = parseFilterWithWarnings(text, options);
    return { ok: true, filter, warnings };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error };
    throw error;
  }
}
