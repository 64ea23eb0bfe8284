import type { FilterValue } from "../language/ast.js";

// The public types of the evaluator, shared by the closure compiler and the code generator.

/**
 * An extended operator's implementation: called with each value found at the field and the
 * filter's value; `true` matches, `false` does not, `undefined` is unknown (three-valued logic).
 *
 * @example
 * ```ts
 * import type { ExtendedOperator } from "crest-query";
 * const regex: ExtendedOperator = (value, assertion) =>
 *   typeof value === "string" && typeof assertion === "string" ? new RegExp(assertion).test(value) : undefined;
 * ```
 */
export type ExtendedOperator = (value: unknown, assertion: FilterValue) => boolean | undefined;

/**
 * Options of {@link compileFilter} and {@link matchesFilter}.
 *
 * @example
 * ```ts
 * import { matchesFilter, parseFilter, type EvaluateOptions } from "crest-query";
 * const options: EvaluateOptions = { caseSensitive: true };
 * matchesFilter(parseFilter("/sn eq 'jensen'"), { sn: "Jensen" }, options); // false
 * ```
 */
export interface EvaluateOptions {
  /** Compare strings with their case (default `false`: `eq "JENSEN"` matches `"jensen"`). */
  readonly caseSensitive?: boolean;
  /**
   * Implementations of extended operators by name, as written in the filter. An operator with no
   * implementation gives *unknown*, which never matches (and `!unknown` is unknown too).
   */
  readonly extendedOperators?: Readonly<Record<string, ExtendedOperator>>;
  /**
   * Whether {@link compileFilter} may generate a JavaScript function for the filter (default
   * `true`; the fastest way to run it over many resources). Field names and values never become
   * code: they reach the generated function as data. Where code generation is forbidden (a
   * Content Security Policy without `'unsafe-eval'`) the evaluator notices and uses closures, with
   * the same answers; `false` uses closures from the start, which also keeps a browser from
   * reporting a policy violation.
   */
  readonly generateCode?: boolean;
}

/**
 * A compiled filter: tells whether a resource matches.
 *
 * @example
 * ```ts
 * import { compileFilter, parseFilter, type ResourcePredicate } from "crest-query";
 * const active: ResourcePredicate = compileFilter(parseFilter("/accountStatus eq 'active'"));
 * [{ accountStatus: "Active" }, { accountStatus: "inactive" }].filter(active).length; // 1
 * ```
 */
export type ResourcePredicate = (resource: unknown) => boolean;

